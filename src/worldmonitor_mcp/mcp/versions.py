"""MCP protocol revisions this server speaks, and version negotiation at ``initialize``.

Lifecycle, "Version Negotiation": if the server supports the requested version it MUST respond with
the same version; otherwise it responds with another version it supports (we answer our latest).
"""

from __future__ import annotations

SUPPORTED_VERSIONS: tuple[str, ...] = ("2025-03-26", "2025-06-18", "2025-11-25")
LATEST_VERSION = SUPPORTED_VERSIONS[-1]


def negotiate(requested: object) -> str:
    if isinstance(requested, str) and requested in SUPPORTED_VERSIONS:
        return requested
    return LATEST_VERSION
