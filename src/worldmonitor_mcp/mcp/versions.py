"""MCP protocol revisions this server speaks, and version negotiation at ``initialize``.

Lifecycle, "Version Negotiation": if the server supports the requested version it MUST respond with
the same version; otherwise it responds with another version it supports (we answer our latest).
"""

from __future__ import annotations

from ..errors import InvalidRequestError

SUPPORTED_VERSIONS: tuple[str, ...] = ("2025-03-26", "2025-06-18", "2025-11-25")
LATEST_VERSION = SUPPORTED_VERSIONS[-1]


def negotiate(requested: object) -> str:
    if isinstance(requested, str) and requested in SUPPORTED_VERSIONS:
        return requested
    return LATEST_VERSION


TOLERATED_HEADER_VERSIONS: frozenset[str] = frozenset({"2026-07-28"})
"""Claude sends ``MCP-Protocol-Version: 2026-07-28`` on connections it negotiated as 2025-11-25; refusing
it would break a real client, so the header is tolerated while the body speaks a supported revision."""


def check_header_version(value: str | None) -> None:
    """Transports §Protocol Version Header: an invalid or unsupported version MUST get 400 Bad Request.
    A missing header is allowed (the server then assumes 2025-03-26)."""
    if value is None or value in SUPPORTED_VERSIONS or value in TOLERATED_HEADER_VERSIONS:
        return
    raise InvalidRequestError(
        f"Bad Request: unsupported MCP-Protocol-Version; supported: {', '.join(SUPPORTED_VERSIONS)}"
    )
