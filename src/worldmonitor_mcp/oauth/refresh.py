"""Refresh tokens, RFC 6749 §6, rotated on every use as RFC 9700 §4.14.2 and OAuth 2.1 §4.3.1 ask.

Each use of a refresh token returns a new one. The one just used stays valid for a short grace window
(``refresh_grace_s``, default 60 s): a client whose response was lost on the network retries with the
token it still has and must not be locked out. A token used after its grace window, or one rotated
away by such a retry, is a sign that it leaked and that two parties hold the family: RFC 9700 §4.14.2
"the authorization server cannot determine which party submitted the invalid refresh token, it will
revoke the active refresh token", so the whole grant is revoked and both parties must ask the person
again. (Cloudflare's workers-oauth-provider keeps the previous token until the new one is first used;
a fixed window bounds how long a stolen token stays useful even when the client never refreshes again.)

A refresh token reads ``wmrt_<principal id>_<grant id>_<secret>`` and is stored only as its SHA-256,
under its API key's hash tag. Its record is never deleted on rotation, only expired by the store, so
reuse is recognised for as long as the token could have lived. The lifetime is sliding: every rotation
issues a token good for ``refresh_token_ttl_s`` from then.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from ..keys import hash_secret
from ..store import Store
from ..store import keys as store_keys
from .errors import InvalidGrantError, TemporarilyUnavailableError
from .grants import GrantRecord, GrantRepository

REFRESH_PREFIX = "wmrt_"
REFRESH_SECRET_BYTES = 32
LOCK_TTL_MS = 5_000
"""Longer than a rotation (a few store round trips), short enough that a crashed holder frees it soon."""
LOCK_ATTEMPTS = 20
LOCK_RETRY_S = 0.05
"""Two rotations of one grant at once are rare (a client retrying); the second waits up to a second."""

_REFRESH_PATTERN = re.compile(r"wmrt_((?:env-)?[0-9a-f]{12})_([0-9a-f]{16})_[A-Za-z0-9_-]{43}")

KeyIsActive = Callable[[str], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class RefreshTokenRecord:
    secret_hash: str
    key_id: str
    grant_id: str
    client_id: str
    issued_at_ms: int
    expires_at_ms: int

    def to_json(self) -> bytes:
        return orjson.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, raw: bytes) -> RefreshTokenRecord:
        data: dict[str, Any] = orjson.loads(raw)
        return cls(**data)


def refresh_ids(token: str) -> tuple[str, str] | None:
    """(principal id, grant id) of a well-formed refresh token, or None."""
    match = _REFRESH_PATTERN.fullmatch(token)
    return (match.group(1), match.group(2)) if match else None


class RefreshTokens:
    def __init__(self, store: Store, grants: GrantRepository, *, ttl_s: int, grace_s: int) -> None:
        self._store = store
        self._grants = grants
        self._ttl_s = ttl_s
        self._grace_ms = grace_s * 1000

    async def issue(self, grant: GrantRecord, *, now_ms: int) -> tuple[str, str]:
        """A new refresh token of ``grant``: ``(token, its hash)``. The caller saves the grant."""
        token = f"{REFRESH_PREFIX}{grant.key_id}_{grant.id}_{secrets.token_urlsafe(REFRESH_SECRET_BYTES)}"
        record = RefreshTokenRecord(
            secret_hash=hash_secret(token),
            key_id=grant.key_id,
            grant_id=grant.id,
            client_id=grant.client_id,
            issued_at_ms=now_ms,
            expires_at_ms=now_ms + self._ttl_s * 1000,
        )
        await self._store.set(
            store_keys.refresh_token(grant.key_id, record.secret_hash),
            record.to_json(),
            ttl_ms=self._ttl_s * 1000,
        )
        return token, record.secret_hash

    async def find(self, token: str) -> RefreshTokenRecord | None:
        ids = refresh_ids(token)
        if ids is None:
            return None
        raw = await self._store.get(store_keys.refresh_token(ids[0], hash_secret(token)))
        return None if raw is None else RefreshTokenRecord.from_json(raw)

    async def rotate(
        self, token: str, *, client_id: str, key_is_active: KeyIsActive, now_ms: int
    ) -> tuple[GrantRecord, str]:
        """Exchange a refresh token for its successor: ``(the grant, the new refresh token)``."""
        record = await self.find(token)
        if record is None or now_ms >= record.expires_at_ms:
            raise InvalidGrantError(
                "The refresh token is invalid or expired", log_reason="unknown or expired"
            )
        if record.client_id != client_id:
            # §6: "the authorization server MUST ... validate the refresh token ... was issued to the
            # authenticated client".
            raise InvalidGrantError(
                "The refresh token was issued to another client",
                log_reason=f"refresh token of {record.client_id} presented by {client_id[:80]}",
            )
        lock_key = store_keys.grant_lock(record.grant_id)
        holder = uuid.uuid4().hex
        for _ in range(LOCK_ATTEMPTS):
            if await self._store.acquire_lock(lock_key, holder, LOCK_TTL_MS):
                break
            await asyncio.sleep(LOCK_RETRY_S)
        else:
            raise TemporarilyUnavailableError(log_reason=f"grant {record.grant_id} stayed locked")
        try:
            return await self._rotate_locked(record, key_is_active, now_ms)
        finally:
            await self._store.release_lock(lock_key, holder)

    async def _rotate_locked(
        self, record: RefreshTokenRecord, key_is_active: KeyIsActive, now_ms: int
    ) -> tuple[GrantRecord, str]:
        grant = await self._grants.get(record.key_id, record.grant_id)
        if grant is None or grant.revoked:
            raise InvalidGrantError(
                "The refresh token is invalid or expired",
                log_reason=f"grant {record.grant_id} revoked or gone",
            )
        presented = record.secret_hash
        in_grace = presented == grant.previous_refresh_hash and now_ms < grant.previous_refresh_until_ms
        if presented != grant.refresh_hash and not in_grace:
            await self._grants.revoke(grant, reason="refresh token reused", now_ms=now_ms)
            raise InvalidGrantError(
                "The refresh token is invalid or expired",
                log_reason=f"grant {grant.id}: rotated-away refresh token reused; family revoked",
            )
        if not await key_is_active(grant.key_id):
            await self._grants.revoke(grant, reason="api key revoked", now_ms=now_ms)
            raise InvalidGrantError(
                "The refresh token is invalid or expired",
                log_reason=f"grant {grant.id}: its API key is revoked",
            )
        token, token_hash = await self.issue(grant, now_ms=now_ms)
        if in_grace:
            # A retry of a rotation whose answer was lost: the token it got then is dropped (a later use of
            # it is reuse), and the grace window of the presented token is not extended.
            rotated = dataclasses.replace(grant, refresh_hash=token_hash, last_used_at_ms=now_ms)
        else:
            rotated = dataclasses.replace(
                grant,
                refresh_hash=token_hash,
                previous_refresh_hash=presented,
                previous_refresh_until_ms=now_ms + self._grace_ms,
                last_used_at_ms=now_ms,
            )
        await self._grants.save(rotated)
        return rotated, token
