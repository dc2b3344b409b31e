"""Dynamic Client Registration, RFC 7591 (https://www.rfc-editor.org/rfc/rfc7591).

Open registration, as MCP clients expect: anyone may register, since a client gets nothing until a
person approves it on the consent page with an API key. So the metadata is bounded (name, number and
length of redirect URIs, body size) and registration is rate-limited per IP (web/registration.py).
Public clients (``token_endpoint_auth_method`` ``none``) get no secret; confidential ones get a secret
shown once and stored only as a hash. Fields this server does not use (``logo_uri``, ``client_uri``,
``contacts``, ...) are ignored and never echoed (§3.2.1 allows returning only what was registered):
nothing a registrant wrote reaches another page except the escaped client name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from .clients import AUTH_METHODS, MAX_CLIENT_NAME_CHARS, AuthMethod, ClientRepository
from .errors import InvalidClientMetadataError, InvalidRedirectUriError
from .redirect_uris import check_registrable

MAX_REGISTRATION_BODY_BYTES = 16 * 1024
"""Ten long redirect URIs and a name fit in 16 KiB with room to spare."""
MAX_REDIRECT_URIS = 10
GRANT_TYPES: tuple[str, ...] = ("authorization_code", "refresh_token")
RESPONSE_TYPES: tuple[str, ...] = ("code",)
DEFAULT_CLIENT_NAME = "Unnamed MCP client"


def _string_list(metadata: dict[str, Any], name: str, default: Sequence[str]) -> list[str]:
    value = metadata.get(name, list(default))
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidClientMetadataError(f"{name} must be an array of strings")
    return value


def validate_metadata(
    metadata: object, redirect_uri_patterns: Sequence[str]
) -> tuple[str, list[str], AuthMethod]:
    """(client name, redirect URIs, auth method) of a registration request, or the §3.2.2 error."""
    if not isinstance(metadata, dict):
        raise InvalidClientMetadataError("The registration request must be a JSON object")
    redirect_uris = _string_list(metadata, "redirect_uris", ())
    if not redirect_uris:
        raise InvalidRedirectUriError("redirect_uris is required: at least one redirect URI")
    if len(redirect_uris) > MAX_REDIRECT_URIS:
        raise InvalidRedirectUriError(f"at most {MAX_REDIRECT_URIS} redirect URIs may be registered")
    for uri in redirect_uris:
        check_registrable(uri, redirect_uri_patterns)
    method = metadata.get("token_endpoint_auth_method", "client_secret_basic")  # §2: the default
    if method not in AUTH_METHODS:
        raise InvalidClientMetadataError(
            f"token_endpoint_auth_method must be one of: {', '.join(AUTH_METHODS)}"
        )
    grant_types = _string_list(metadata, "grant_types", ("authorization_code",))
    if not set(grant_types) <= set(GRANT_TYPES) or "authorization_code" not in grant_types:
        raise InvalidClientMetadataError("grant_types must be authorization_code (and refresh_token)")
    response_types = _string_list(metadata, "response_types", RESPONSE_TYPES)
    if response_types != ["code"]:
        raise InvalidClientMetadataError("response_types must be [code]")
    name = metadata.get("client_name", DEFAULT_CLIENT_NAME)
    if not isinstance(name, str) or not name.strip():
        raise InvalidClientMetadataError("client_name must be a non-empty string")
    if len(name) > MAX_CLIENT_NAME_CHARS:
        raise InvalidClientMetadataError(f"client_name is limited to {MAX_CLIENT_NAME_CHARS} characters")
    return name.strip(), list(dict.fromkeys(redirect_uris)), method


class RegistrationEndpoint:
    def __init__(self, clients: ClientRepository, *, redirect_uri_patterns: Sequence[str]) -> None:
        self._clients = clients
        self._patterns = tuple(redirect_uri_patterns)

    async def register(self, body: bytes, *, now_ms: int) -> dict[str, Any]:
        """§3.2.1 client information response for a §3.1 request body."""
        try:
            metadata = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise InvalidClientMetadataError("The registration request must be JSON") from None
        name, redirect_uris, method = validate_metadata(metadata, self._patterns)
        record, secret = await self._clients.create(
            client_name=name,
            redirect_uris=redirect_uris,
            auth_method=method,
            source="registration",
            now_ms=now_ms,
        )
        reply: dict[str, Any] = {
            "client_id": record.client_id,
            "client_id_issued_at": now_ms // 1000,
            "client_name": record.client_name,
            "redirect_uris": list(record.redirect_uris),
            "token_endpoint_auth_method": record.token_endpoint_auth_method,
            "grant_types": list(GRANT_TYPES),
            "response_types": list(RESPONSE_TYPES),
        }
        if secret is not None:
            reply["client_secret"] = secret
            reply["client_secret_expires_at"] = 0  # §3.2.1: 0 = does not expire
        return reply
