"""Token revocation, RFC 7009 (https://www.rfc-editor.org/rfc/rfc7009).

Revoking a refresh token revokes its whole grant: every access and refresh token of the family stops
working at once (§2.1: "If the particular token is a refresh token and the authorization server
supports the revocation of access tokens, then the authorization server SHOULD also invalidate all
access tokens based on the same authorization grant"). Revoking an access token removes that token.
The grant is marked revoked, never deleted, so ``grants list`` still tells what happened.

§2.2: "The authorization server responds with HTTP status code 200 if the token has been revoked
successfully or if the client submitted an invalid token", so an unknown token is 200 too. A token of
another client is left alone and also answered 200: an error would tell the caller the token exists.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from ..principal import Principal
from .access_tokens import AccessTokenRepository
from .client_auth import authenticate_token_request
from .clients import ClientResolver
from .grants import GrantRepository
from .refresh import RefreshTokens
from .token_endpoint import parse_form

logger = logging.getLogger("worldmonitor.oauth")


class RevocationEndpoint:
    def __init__(
        self,
        clients: ClientResolver,
        identify: Callable[[str], Awaitable[Principal | None]],
        tokens: AccessTokenRepository,
        refresh_tokens: RefreshTokens,
        grants: GrantRepository,
    ) -> None:
        self._clients = clients
        self._identify = identify
        self._tokens = tokens
        self._refresh = refresh_tokens
        self._grants = grants

    async def revoke(
        self, *, content_type: str | None, body: bytes, authorization: str | None, now_ms: int
    ) -> None:
        form = parse_form(content_type, body)
        caller, token = await authenticate_token_request(
            form, authorization, self._clients, self._identify, now_ms=now_ms, public_allowed=True
        )
        # §2.1: token_type_hint is only a hint; both kinds are recognised by their prefix anyway.
        refresh = await self._refresh.find(token)
        if refresh is not None:
            if caller.may_see(refresh.client_id, refresh.key_id):
                await self._grants.revoke_by_ids(
                    refresh.key_id, refresh.grant_id, reason="refresh token revoked (RFC 7009)", now_ms=now_ms
                )
            else:
                logger.info("revocation of another client's refresh token ignored")
            return
        access = await self._tokens.find(token)
        if access is not None:
            if caller.may_see(access.client_id, access.principal_id):
                await self._tokens.delete(token)
            else:
                logger.info("revocation of another client's access token ignored")
