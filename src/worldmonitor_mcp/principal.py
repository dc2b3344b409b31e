"""Who is calling: the result of authenticating a request, whatever the credential was."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Principal:
    id: str
    """Stable, secret-free identifier: an API key id, or ``env-<hash prefix>`` for configured keys.
    It names the principal in logs and in its rate-limit key."""
    kind: str
    """``api_key`` (stored) or ``static_key`` (WORLDMONITOR_VALID_KEYS)."""
    scopes: frozenset[str] = frozenset({"mcp"})
    client_id: str | None = None
    """The OAuth client the request came through, when it carried an access token."""
