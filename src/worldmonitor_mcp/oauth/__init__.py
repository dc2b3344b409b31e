"""The OAuth 2.x authorization server, one module per RFC where the spec has the shape of one.

metadata.py                    RFC 8414 authorization server metadata
protected_resource.py          RFC 9728 protected resource metadata
authorize.py                   RFC 6749 §4.1.1-4.1.2 authorization endpoint (consent, nonce, redirects)
authorization_code.py          RFC 6749 §4.1.3 codes: single use, bound, replay revokes
pkce.py                        RFC 7636 S256
redirect_uris.py               RFC 6749 §3.1.2 / RFC 8252 §7.3 redirect URI rules and matching
resource_indicators.py         RFC 8707 audience
token_endpoint.py              RFC 6749 §3.2 token endpoint: code, refresh and client credentials grants
refresh.py                     RFC 6749 §6 + RFC 9700 §4.14 refresh rotation, grace window, reuse detection
grants.py                      consents (token families), revocable as a whole
clients.py                     registered clients and their repository
registration.py                RFC 7591 dynamic client registration
client_metadata_document.py    Client ID Metadata Documents, fetched SSRF-safe
client_auth.py                 RFC 6749 §2.3.1 client authentication
revocation.py                  RFC 7009
introspection.py               RFC 7662
scopes.py                      RFC 6749 §3.3 scopes
access_tokens.py               opaque access tokens, stored as hashes
bearer.py                      RFC 6750 resource-server side (tokens presented on /mcp)
errors.py                      RFC 6749 §5.2 error codes (and RFC 7591, RFC 8707)
templates/                     the consent and error pages (rendered by web/pages.py)
"""

from .bearer import BearerVerifier
from .errors import OAuthError
from .metadata import TOKEN_PATH, WELL_KNOWN_PATH, authorization_server_metadata
from .token_endpoint import TokenEndpoint, TokenEndpointPolicy

__all__ = [
    "TOKEN_PATH",
    "WELL_KNOWN_PATH",
    "BearerVerifier",
    "OAuthError",
    "TokenEndpoint",
    "TokenEndpointPolicy",
    "authorization_server_metadata",
]
