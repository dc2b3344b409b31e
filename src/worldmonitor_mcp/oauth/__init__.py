"""The OAuth 2.x authorization server, one module per RFC where the spec has the shape of one.

metadata.py      RFC 8414 authorization server metadata
token_endpoint   RFC 6749 §3.2 / §4.4 token endpoint, client credentials grant
client_auth.py   RFC 6749 §2.3.1 client authentication
scopes.py        RFC 6749 §3.3 scopes
access_tokens    opaque access tokens, stored as hashes
bearer.py        RFC 6750 resource-server side (tokens presented on /mcp)
errors.py        RFC 6749 §5.2 error codes
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
