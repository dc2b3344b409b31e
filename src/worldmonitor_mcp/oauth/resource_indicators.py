"""Resource indicators, RFC 8707 (https://www.rfc-editor.org/rfc/rfc8707): the audience of a token.

This authorization server issues tokens for one resource only, its own MCP endpoint
(``<public URL>/mcp``). The MCP authorization spec requires clients to send ``resource`` and servers to
accept only tokens issued for themselves ("Token Audience Binding and Validation"), so a token minted
here can never be replayed at another server, nor a foreign token here. A request without ``resource``
gets that one resource (§2: the server may apply a default); any other value is ``invalid_target``.
"""

from __future__ import annotations

from .errors import InvalidTargetError

MCP_PATH = "/mcp"


def mcp_resource(issuer: str) -> str:
    """The canonical URI of the MCP endpoint (RFC 8707 §2, MCP "Canonical Server URI")."""
    return issuer + MCP_PATH


def check_resource(requested: str | None, resource: str) -> str:
    """The audience for a request's ``resource`` parameter: ours, or ``invalid_target``.

    A trailing slash is the one spelling accepted besides the canonical one: users paste
    ``https://host/mcp/`` as often as ``https://host/mcp``, and both reach the same endpoint here."""
    if requested is None or requested in {resource, resource + "/"}:
        return resource
    raise InvalidTargetError(
        f"resource must be {resource}", log_reason=f"resource {requested[:200]!r} is not {resource}"
    )
