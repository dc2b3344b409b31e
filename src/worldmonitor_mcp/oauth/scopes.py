"""Scopes (RFC 6749 §3.3): a space-delimited, case-sensitive set. This server knows one: ``mcp``."""

from __future__ import annotations

from .errors import InvalidScopeError

MCP_SCOPE = "mcp"
SUPPORTED_SCOPES: tuple[str, ...] = (MCP_SCOPE,)


def granted_scope(requested: str | None) -> str:
    """The scope to grant for a request's ``scope`` parameter (absent = the default, ``mcp``)."""
    if requested is None:
        return MCP_SCOPE
    asked = requested.split(" ")
    if "" in asked:
        raise InvalidScopeError("scope must be space-separated scope names, e.g. scope=mcp")
    unknown = sorted(set(asked) - set(SUPPORTED_SCOPES))
    if unknown:
        raise InvalidScopeError(f"Unknown scope {unknown[0][:40]!r}; this server grants only: mcp")
    return " ".join(s for s in SUPPORTED_SCOPES if s in asked)
