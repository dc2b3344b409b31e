"""Authorization server metadata, RFC 8414 §2 (https://www.rfc-editor.org/rfc/rfc8414#section-2).

Every URL derives from the one configured public base URL, which is also the ``issuer`` exactly
(§2: "a URL that uses the https scheme and has no query or fragment components"; §3.3: the issuer in
the document MUST be identical to the one the client used to build the metadata URL).

Claude uses Client ID Metadata Documents only when both ``client_id_metadata_document_supported`` and
the ``none`` authentication method are advertised. ``authorization_response_iss_parameter_supported``
says every authorization response carries ``iss`` (RFC 9207 §3), which clients then must check.
"""

from __future__ import annotations

from typing import Any

from .pkce import CODE_CHALLENGE_METHODS
from .scopes import AUTHORIZATION_SERVER_SCOPES

WELL_KNOWN_PATH = "/.well-known/oauth-authorization-server"
AUTHORIZE_PATH = "/oauth/authorize"
TOKEN_PATH = "/oauth/token"  # noqa: S105
REGISTER_PATH = "/oauth/register"
REVOKE_PATH = "/oauth/revoke"
INTROSPECT_PATH = "/oauth/introspect"


def authorization_server_metadata(issuer: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "authorization_endpoint": issuer + AUTHORIZE_PATH,
        "token_endpoint": issuer + TOKEN_PATH,
        "registration_endpoint": issuer + REGISTER_PATH,
        "revocation_endpoint": issuer + REVOKE_PATH,
        "introspection_endpoint": issuer + INTROSPECT_PATH,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": list(CODE_CHALLENGE_METHODS),
        "token_endpoint_auth_methods_supported": ["none", "client_secret_post", "client_secret_basic"],
        "revocation_endpoint_auth_methods_supported": ["none", "client_secret_post", "client_secret_basic"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "scopes_supported": list(AUTHORIZATION_SERVER_SCOPES),
        "client_id_metadata_document_supported": True,
        "authorization_response_iss_parameter_supported": True,
    }
