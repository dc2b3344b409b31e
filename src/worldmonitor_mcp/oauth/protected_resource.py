"""OAuth 2.0 Protected Resource Metadata, RFC 9728 (https://www.rfc-editor.org/rfc/rfc9728).

The MCP endpoint names its authorization server here; clients find this document from the
``resource_metadata`` parameter of a 401's ``WWW-Authenticate`` (§5.1), or by the well-known URI built
from the resource's path (§3.1: ``/.well-known/oauth-protected-resource/mcp``) or the root.
``scopes_supported`` leaves out ``offline_access``: the MCP spec keeps it off the resource's list, since
a refresh token is the authorization server's business, not a permission on the resource.
"""

from __future__ import annotations

from typing import Any

from .resource_indicators import MCP_PATH, mcp_resource
from .scopes import SUPPORTED_SCOPES

WELL_KNOWN_PRM_PATH = "/.well-known/oauth-protected-resource"
RESOURCE_NAME = "WorldMonitor"


def protected_resource_metadata_url(issuer: str) -> str:
    """§3.1: the well-known URI inserted between the host and the resource's path."""
    return issuer + WELL_KNOWN_PRM_PATH + MCP_PATH


def protected_resource_metadata(issuer: str) -> dict[str, Any]:
    return {
        "resource": mcp_resource(issuer),
        "authorization_servers": [issuer],
        "scopes_supported": list(SUPPORTED_SCOPES),
        "bearer_methods_supported": ["header"],
        "resource_name": RESOURCE_NAME,
    }
