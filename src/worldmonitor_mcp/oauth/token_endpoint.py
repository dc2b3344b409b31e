"""The token endpoint, RFC 6749 §3.2: the authorization code (§4.1.3, with PKCE), refresh token (§6)
and client credentials (§4.4) grants.

Input is plain values (content type, body, Authorization header, client address, now); output is the
success body of §5.1 or an ``OAuthError`` (§5.2). The HTTP adapter is web/oauth.py.

For client credentials the client secret is an API key and the client id a free label (the WorldMonitor
seed semantics). The other grants belong to registered clients (oauth/clients.py). Requests are
rate-limited before anything is checked, keyed by a hash of the presented secret (client secret,
refresh token or code: many users of one connector share its egress IPs) or by the client address when
there is none, so an attacker's failures with other secrets never limit a legitimate client.
Every token is bound to its audience, this server's MCP endpoint (RFC 8707, oauth/resource_indicators).
"""

from __future__ import annotations

import dataclasses
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
from .authorization_code import AuthorizationCodes
from .client_auth import authenticate_client, authenticate_registered_client, presented_secret, uses_basic
from .clients import ClientResolver
from .errors import (
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    RateLimitExceededError,
    RequestTooLargeError,
    TemporarilyUnavailableError,
    UnsupportedGrantTypeError,
)
from .grants import GrantRecord, GrantRepository
from .refresh import KeyIsActive, RefreshTokens
from .resource_indicators import check_resource
from .scopes import granted_scope, within

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_TOKEN_BODY_BYTES = 16 * 1024
"""A token request is a few hundred bytes; 16 KiB leaves room for long client ids without inviting abuse."""

AUTHORIZATION_CODE = "authorization_code"
REFRESH_TOKEN = "refresh_token"  # noqa: S105 (a grant type name)
CLIENT_CREDENTIALS = "client_credentials"
SUPPORTED_GRANTS: tuple[str, ...] = (AUTHORIZATION_CODE, REFRESH_TOKEN, CLIENT_CREDENTIALS)


@dataclass(frozen=True, slots=True)
class TokenEndpointPolicy:
    access_token_ttl_s: int
    rate_limit: int
    rate_limit_window_s: int
    resource: str
    """This server's MCP endpoint: the audience of every token (RFC 8707)."""


@dataclass(frozen=True, slots=True)
class AuthorizationServerParts:
    """What the authorization-code and refresh grants need besides the store."""

    clients: ClientResolver
    grants: GrantRepository
    codes: AuthorizationCodes
    refresh_tokens: RefreshTokens
    key_is_active: KeyIsActive


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
        parts: AuthorizationServerParts,
    ) -> None:
        self._store = store
        self._identify = identify
        self._tokens = AccessTokenRepository(store)
        self._policy = policy
        self._parts = parts

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
        if grant_type == AUTHORIZATION_CODE:
            return await self._authorization_code(form, authorization, now_ms)
        if grant_type == REFRESH_TOKEN:
            return await self._refresh_token(form, authorization, now_ms)
        if grant_type != CLIENT_CREDENTIALS:
            raise UnsupportedGrantTypeError(f"Supported grant types: {', '.join(SUPPORTED_GRANTS)}")
        resource = check_resource(form.get("resource"), self._policy.resource)
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
            audience=resource,
        )
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self._policy.access_token_ttl_s,
            "scope": scope,
        }

    async def _authorization_code(
        self, form: dict[str, str], authorization: str | None, now_ms: int
    ) -> dict[str, Any]:
        """§4.1.3, with PKCE (RFC 7636 §4.6) and the resource check of RFC 8707 §2.2."""
        client = await authenticate_registered_client(form, authorization, self._parts.clients, now_ms=now_ms)
        code = form.get("code")
        if not code:
            raise InvalidRequestError("code is required")
        resource = check_resource(form.get("resource"), self._policy.resource)
        record = await self._parts.codes.redeem(
            code,
            client_id=client.client_id,
            redirect_uri=form.get("redirect_uri"),
            code_verifier=form.get("code_verifier"),
            now_ms=now_ms,
        )
        if record.resource != resource:
            check_resource(record.resource, resource)
        if not await self._parts.key_is_active(record.key_id):
            raise InvalidGrantError(
                "The API key that approved this code is revoked", log_reason=f"key {record.key_id} revoked"
            )
        grant = GrantRecord(
            id=record.grant_id,
            key_id=record.key_id,
            key_kind=record.key_kind,
            client_id=client.client_id,
            client_name=client.client_name,
            scope=record.scope,
            resource=record.resource,
            created_at_ms=now_ms,
            last_used_at_ms=now_ms,
        )
        # Refresh tokens go to every client, public ones included, with or without offline_access: Claude's
        # connectors never ask for it and would otherwise make the person consent again every hour.
        refresh_token, refresh_hash = await self._parts.refresh_tokens.issue(grant, now_ms=now_ms)
        grant = dataclasses.replace(grant, refresh_hash=refresh_hash)
        await self._parts.grants.save(grant)
        return await self._grant_reply(grant, grant.scope, refresh_token, now_ms)

    async def _refresh_token(
        self, form: dict[str, str], authorization: str | None, now_ms: int
    ) -> dict[str, Any]:
        """§6, rotating the refresh token (oauth/refresh.py)."""
        client = await authenticate_registered_client(form, authorization, self._parts.clients, now_ms=now_ms)
        token = form.get("refresh_token")
        if not token:
            raise InvalidRequestError("refresh_token is required")
        resource = check_resource(form.get("resource"), self._policy.resource)
        grant, refresh_token = await self._parts.refresh_tokens.rotate(
            token, client_id=client.client_id, key_is_active=self._parts.key_is_active, now_ms=now_ms
        )
        if grant.resource != resource:
            check_resource(grant.resource, resource)
        scope = within(form.get("scope"), grant.scope)
        return await self._grant_reply(grant, scope, refresh_token, now_ms)

    async def _grant_reply(
        self, grant: GrantRecord, scope: str, refresh_token: str, now_ms: int
    ) -> dict[str, Any]:
        token, _ = await self._tokens.issue(
            Principal(id=grant.key_id, kind=grant.key_kind),
            client_id=grant.client_id,
            scope=scope,
            now_ms=now_ms,
            ttl_s=self._policy.access_token_ttl_s,
            audience=grant.resource,
            grant_id=grant.id,
        )
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self._policy.access_token_ttl_s,
            "scope": scope,
            "refresh_token": refresh_token,
        }

    async def _limit(
        self, form: dict[str, str], authorization: str | None, client_ip: str, now_ms: int
    ) -> None:
        secret = presented_secret(form, authorization) or form.get("refresh_token") or form.get("code")
        identity = hash_secret(secret) if secret else hashlib.sha256(f"ip:{client_ip}".encode()).hexdigest()
        outcome = await self._store.hit_window(
            store_keys.token_rate_limit_window(identity),
            self._policy.rate_limit,
            self._policy.rate_limit_window_s * 1000,
            now_ms,
        )
        if not outcome.allowed:
            raise RateLimitExceededError(max(1, math.ceil(outcome.reset_ms / 1000)))
