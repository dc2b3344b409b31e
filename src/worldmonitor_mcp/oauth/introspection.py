"""Token introspection, RFC 7662 (https://www.rfc-editor.org/rfc/rfc7662).

§2.1: "the endpoint MUST also require some form of authorization to access this endpoint". Here a
caller is a confidential client (its secret, Basic or in the body), which learns about tokens issued
to it, or an API key presented as ``client_secret`` (the way client credentials present it), which
learns about tokens made with that key; a key configured by the operator (WORLDMONITOR_VALID_KEYS)
sees every token. Public clients cannot introspect.

A token is active only if /mcp would accept it now: known, unexpired, issued for this resource, its
API key and its grant not revoked. Anything else, including a token the caller may not see, is
``{"active": false}`` and nothing more (§2.2).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..principal import Principal
from .access_tokens import AccessTokenRepository
from .client_auth import authenticate_token_request
from .clients import ClientResolver
from .grants import GrantRepository
from .refresh import KeyIsActive, RefreshTokens
from .token_endpoint import parse_form

INACTIVE: dict[str, Any] = {"active": False}


class IntrospectionEndpoint:
    def __init__(
        self,
        clients: ClientResolver,
        identify: Callable[[str], Awaitable[Principal | None]],
        tokens: AccessTokenRepository,
        refresh_tokens: RefreshTokens,
        grants: GrantRepository,
        key_is_active: KeyIsActive,
        *,
        issuer: str,
        resource: str,
    ) -> None:
        self._clients = clients
        self._identify = identify
        self._tokens = tokens
        self._refresh = refresh_tokens
        self._grants = grants
        self._key_is_active = key_is_active
        self._issuer = issuer
        self._resource = resource

    async def introspect(
        self, *, content_type: str | None, body: bytes, authorization: str | None, now_ms: int
    ) -> dict[str, Any]:
        form = parse_form(content_type, body)
        caller, token = await authenticate_token_request(
            form, authorization, self._clients, self._identify, now_ms=now_ms, public_allowed=False
        )
        access = await self._tokens.find(token)
        if access is not None:
            if (
                not caller.may_see(access.client_id, access.principal_id)
                or now_ms >= access.expires_at_ms
                or access.audience != self._resource
                or not await self._family_active(access.principal_id, access.grant_id)
            ):
                return INACTIVE
            return self._active(
                "Bearer",
                access.scope,
                access.client_id,
                access.principal_id,
                access.issued_at_ms,
                access.expires_at_ms,
            )
        refresh = await self._refresh.find(token)
        if refresh is None or not caller.may_see(refresh.client_id, refresh.key_id):
            return INACTIVE
        grant = await self._grants.get(refresh.key_id, refresh.grant_id)
        if (
            grant is None
            or grant.revoked
            or now_ms >= refresh.expires_at_ms
            or refresh.secret_hash not in {grant.refresh_hash, grant.previous_refresh_hash}
            or not await self._key_is_active(refresh.key_id)
        ):
            return INACTIVE
        return self._active(
            "refresh_token",
            grant.scope,
            refresh.client_id,
            refresh.key_id,
            refresh.issued_at_ms,
            refresh.expires_at_ms,
        )

    async def _family_active(self, key_id: str, grant_id: str | None) -> bool:
        if not await self._key_is_active(key_id):
            return False
        if grant_id is None:
            return True
        grant = await self._grants.get(key_id, grant_id)
        return grant is not None and not grant.revoked

    def _active(
        self, token_type: str, scope: str, client_id: str, key_id: str, issued_at_ms: int, expires_at_ms: int
    ) -> dict[str, Any]:
        return {
            "active": True,
            "scope": scope,
            "client_id": client_id,
            "token_type": token_type,
            "exp": expires_at_ms // 1000,
            "iat": issued_at_ms // 1000,
            "sub": key_id,
            "aud": self._resource,
            "iss": self._issuer,
        }
