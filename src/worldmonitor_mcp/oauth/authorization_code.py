"""The authorization code grant, RFC 6749 §4.1 as profiled by OAuth 2.1 and RFC 9700: the codes.

A code is 256 random bits, lives 60 s, is stored only as its SHA-256 and is bound to everything the
authorization request fixed: client, redirect URI, PKCE challenge, scope, resource, and the API key the
person pasted. Redemption takes the record with an atomic get-and-delete, so a code works once even
when two instances race for it. A redeemed code leaves a marker behind: RFC 6749 §4.1.2 "If an
authorization code is used more than once, the authorization server MUST deny the request and SHOULD
revoke (when possible) all tokens previously issued based on that authorization code", so a replay
finds the marker and revokes the grant the first redemption created.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from typing import Any

import orjson

from ..keys import hash_secret
from ..store import Store
from ..store import keys as store_keys
from . import pkce
from .errors import InvalidGrantError
from .grants import GrantRepository

CODE_PREFIX = "wmac_"
CODE_SECRET_BYTES = 32
"""256 bits (the issue's floor; RFC 6749 §10.10 asks for infeasible guessing)."""
CODE_TTL_S = 60
"""OAuth 2.1 §4.1.2: "A maximum authorization code lifetime of 10 minutes is RECOMMENDED"; a client
redeems its code within a second or two, so a minute leaves room for slow networks and little else."""
USED_MARKER_TTL_S = 600
"""How long a replay is still recognised (and punished) after the code itself expired."""


@dataclass(frozen=True, slots=True)
class AuthorizationCodeRecord:
    client_id: str
    redirect_uri: str
    code_challenge: str
    scope: str
    resource: str
    key_id: str
    key_kind: str
    grant_id: str
    issued_at_ms: int
    expires_at_ms: int
    redirect_uri_sent: bool = True

    def to_json(self) -> bytes:
        return orjson.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, raw: bytes) -> AuthorizationCodeRecord:
        data: dict[str, Any] = orjson.loads(raw)
        return cls(**data)


class AuthorizationCodes:
    def __init__(self, store: Store, grants: GrantRepository) -> None:
        self._store = store
        self._grants = grants

    async def issue(self, record: AuthorizationCodeRecord) -> str:
        code = CODE_PREFIX + secrets.token_urlsafe(CODE_SECRET_BYTES)
        ttl_ms = max(1, record.expires_at_ms - record.issued_at_ms)
        await self._store.set(
            store_keys.authorization_code(hash_secret(code)), record.to_json(), ttl_ms=ttl_ms
        )
        return code

    async def redeem(
        self,
        code: str,
        *,
        client_id: str,
        redirect_uri: str | None,
        code_verifier: str | None,
        now_ms: int,
    ) -> AuthorizationCodeRecord:
        """The code's record, once; every failure is ``invalid_grant`` (§5.2) and consumes the code."""
        code_hash = hash_secret(code)
        raw = await self._store.getdel(store_keys.authorization_code(code_hash))
        if raw is None:
            await self._punish_replay(code_hash, now_ms)
            raise InvalidGrantError("The authorization code is invalid, expired or already used")
        record = AuthorizationCodeRecord.from_json(raw)
        marker = orjson.dumps({"key_id": record.key_id, "grant_id": record.grant_id})
        await self._store.set(
            store_keys.authorization_code_used(code_hash), marker, ttl_ms=USED_MARKER_TTL_S * 1000
        )
        if now_ms >= record.expires_at_ms:
            raise InvalidGrantError("The authorization code has expired", log_reason="code expired")
        if record.client_id != client_id:
            # §4.1.3: "ensure that the authorization code was issued to the authenticated confidential
            # client, or if the client is public, ensure that the code was issued to client_id".
            raise InvalidGrantError(
                "The authorization code was issued to another client",
                log_reason=f"code of {record.client_id} presented by {client_id[:80]}",
            )
        # §4.1.3: redirect_uri is REQUIRED if it was in the authorization request, "and their values
        # MUST be identical" (the code remembers the one actually used, port included).
        if (redirect_uri is not None or record.redirect_uri_sent) and redirect_uri != record.redirect_uri:
            raise InvalidGrantError("redirect_uri differs from the one of the authorization request")
        pkce.verify(code_verifier, record.code_challenge)
        return record

    async def _punish_replay(self, code_hash: str, now_ms: int) -> None:
        raw = await self._store.get(store_keys.authorization_code_used(code_hash))
        if raw is None:
            return
        used: dict[str, str] = orjson.loads(raw)
        await self._grants.revoke_by_ids(
            used["key_id"], used["grant_id"], reason="authorization code replayed", now_ms=now_ms
        )
