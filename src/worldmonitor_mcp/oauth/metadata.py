"""Authorization server metadata, RFC 8414 §2 (https://www.rfc-editor.org/rfc/rfc8414#section-2).

Every URL derives from the one configured public base URL, which is also the ``issuer`` exactly
(§2: "a URL that uses the https scheme and has no query or fragment components"; §3.3: the issuer in
the document MUST be identical to the one the client used to build the metadata URL).
"""

from __future__ import annotations

from typing import Any

from .scopes import SUPPORTED_SCOPES

WELL_KNOWN_PATH = "/.well-known/oauth-authorization-server"
TOKEN_PATH = "/oauth/token"  # noqa: S105


def authorization_server_metadata(issuer: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "token_endpoint": issuer + TOKEN_PATH,
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "scopes_supported": list(SUPPORTED_SCOPES),
    }
