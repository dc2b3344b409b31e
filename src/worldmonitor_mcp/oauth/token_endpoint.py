"""The token endpoint, RFC 6749 §3.2, with the client credentials grant (§4.4).

Input is plain values (content type, body, Authorization header, client address, now); output is the
success body of §5.1 or an ``OAuthError`` (§5.2). The HTTP adapter is web/oauth.py.

The client secret is an API key; the client id is a free label (the WorldMonitor seed semantics).
Requests are rate-limited before the secret is checked, keyed by a hash of the presented secret (many
users of one connector share its egress IPs) or by the client address when there is none, so an
attacker's failures with other secrets never limit a legitimate client.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from ..errors import StoreUnavailableError
from ..keys import hash_secret
from ..principal import Principal
from ..store import Store
from ..store import keys as store_keys
from .access_tokens import AccessTokenRepository
from .client_auth import authenticate_client, presented_secret, uses_basic
from .errors import (
    InvalidClientError,
    InvalidRequestError,
    RateLimitExceededError,
    RequestTooLargeError,
    TemporarilyUnavailableError,
    UnsupportedGrantTypeError,
)
from .scopes import granted_scope

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_TOKEN_BODY_BYTES = 16 * 1024
"""A token request is a few hundred bytes; 16 KiB leaves room for long client ids without inviting abuse."""

CLIENT_CREDENTIALS = "client_credentials"
SUPPORTED_GRANTS: tuple[str, ...] = (CLIENT_CREDENTIALS,)


@dataclass(frozen=True, slots=True)
class TokenEndpointPolicy:
    access_token_ttl_s: int
    rate_limit: int
    rate_limit_window_s: int


def parse_form(content_type: str | None, body: bytes) -> dict[str, str]:
    """§3.2: the body is application/x-www-form-urlencoded; §3.1: parameters MUST NOT repeat."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != FORM_CONTENT_TYPE:
        raise InvalidRequestError(f"The token request must be sent as {FORM_CONTENT_TYPE}")
    if len(body) > MAX_TOKEN_BODY_BYTES:
        raise RequestTooLargeError(f"The token request is over {MAX_TOKEN_BODY_BYTES} bytes")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise InvalidRequestError("The token request body must be UTF-8") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise InvalidRequestError(f"Parameter {name[:40]!r} is repeated")
        form[name] = value
    return form


class TokenEndpoint:
    def __init__(
        self,
        store: Store,
        identify: Callable[[str], Awaitable[Principal | None]],
        policy: TokenEndpointPolicy,
    ) -> None:
        self._store = store
        self._identify = identify
        self._tokens = AccessTokenRepository(store)
        self._policy = policy

    async def handle(
        self, *, content_type: str | None, body: bytes, authorization: str | None, client_ip: str, now_ms: int
    ) -> dict[str, Any]:
        try:
            return await self._handle(content_type, body, authorization, client_ip, now_ms)
        except StoreUnavailableError as exc:
            raise TemporarilyUnavailableError(log_reason=exc.log_reason) from exc

    async def _handle(
        self, content_type: str | None, body: bytes, authorization: str | None, client_ip: str, now_ms: int
    ) -> dict[str, Any]:
        form = parse_form(content_type, body)
        await self._limit(form, authorization, client_ip, now_ms)

        grant_type = form.get("grant_type")
        if not grant_type:
            raise InvalidRequestError("grant_type is required")
        if grant_type not in SUPPORTED_GRANTS:
            raise UnsupportedGrantTypeError(f"Supported grant types: {', '.join(SUPPORTED_GRANTS)}")
        client = authenticate_client(form, authorization)
        principal = await self._identify(client.client_secret)
        if principal is None:
            raise InvalidClientError(
                used_basic=uses_basic(authorization),
                log_reason=f"client {client.client_id[:64]!r}: unknown or revoked secret",
            )
        scope = granted_scope(form.get("scope"))
        token, _ = await self._tokens.issue(
            principal,
            client_id=client.client_id,
            scope=scope,
            now_ms=now_ms,
            ttl_s=self._policy.access_token_ttl_s,
        )
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self._policy.access_token_ttl_s,
            "scope": scope,
        }

    async def _limit(
        self, form: dict[str, str], authorization: str | None, client_ip: str, now_ms: int
    ) -> None:
        secret = presented_secret(form, authorization)
        identity = hash_secret(secret) if secret else hashlib.sha256(f"ip:{client_ip}".encode()).hexdigest()
        outcome = await self._store.hit_window(
            store_keys.token_rate_limit_window(identity),
            self._policy.rate_limit,
            self._policy.rate_limit_window_s * 1000,
            now_ms,
        )
        if not outcome.allowed:
            raise RateLimitExceededError(max(1, math.ceil(outcome.reset_ms / 1000)))
