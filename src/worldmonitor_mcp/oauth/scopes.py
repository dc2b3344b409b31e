"""Scopes (RFC 6749 §3.3): a space-delimited, case-sensitive set.

``mcp`` grants every tool. ``offline_access`` asks for a refresh token; it is advertised by the
authorization server (RFC 8414 ``scopes_supported``) but not by the protected resource (RFC 9728), as
the MCP spec asks, and it is never put into a token's scope: refresh tokens are issued to every
authorization-code client anyway, since Claude's connectors never ask for it.

Per-domain read scopes are not offered yet (docs/oauth.md "Scopes" says why): one scope keeps the
consent page honest about what is shared.
"""

from __future__ import annotations

from .errors import InvalidScopeError

MCP_SCOPE = "mcp"
OFFLINE_ACCESS = "offline_access"
SUPPORTED_SCOPES: tuple[str, ...] = (MCP_SCOPE,)
"""Scopes a token can carry: the protected resource's ``scopes_supported``."""
AUTHORIZATION_SERVER_SCOPES: tuple[str, ...] = (MCP_SCOPE, OFFLINE_ACCESS)
"""The authorization server's ``scopes_supported``."""


def granted_scope(requested: str | None) -> str:
    """client_credentials: the scope to grant for ``scope`` (absent = ``mcp``). Machine clients are
    configured by people who can read the metadata, so an unknown scope is an error here."""
    if requested is None:
        return MCP_SCOPE
    asked = requested.split(" ")
    if "" in asked:
        raise InvalidScopeError("scope must be space-separated scope names, e.g. scope=mcp")
    unknown = sorted(set(asked) - set(SUPPORTED_SCOPES))
    if unknown:
        raise InvalidScopeError(f"Unknown scope {unknown[0][:40]!r}; this server grants only: mcp")
    return " ".join(s for s in SUPPORTED_SCOPES if s in asked)


def narrowed_scope(requested: str | None) -> str:
    """authorization_code: RFC 6749 §3.3 lets the server grant less than asked. Unknown scopes are
    dropped rather than fatal (Claude sends scopes it made up); nothing known left means ``mcp``."""
    asked = set((requested or "").split())
    known = [s for s in SUPPORTED_SCOPES if s in asked]
    return " ".join(known) if known else MCP_SCOPE


def within(requested: str | None, granted: str) -> str:
    """refresh_token §6: a narrower scope may be asked for, never a wider one."""
    if requested is None:
        return granted
    asked = set(requested.split()) - {OFFLINE_ACCESS}
    if not asked or not asked <= set(granted.split()):
        raise InvalidScopeError(f"scope may only narrow the granted scope ({granted})")
    return " ".join(s for s in granted.split() if s in asked)


SCOPE_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    MCP_SCOPE: (
        "Read all WorldMonitor data: earthquakes and disasters, conflicts, cyber threats, sanctions, "
        "markets, currency rates and prediction markets.",
        "Read only: it cannot change anything on this server.",
    ),
}


def describe_scope(scope: str) -> list[str]:
    """What a granted scope lets a client do, in words for the consent page."""
    return [line for name in scope.split() for line in SCOPE_DESCRIPTIONS.get(name, ())]
