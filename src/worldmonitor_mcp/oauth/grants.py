"""Grants: one person's consent, with one API key, to one client. A grant is a token family.

Every access and refresh token issued from one authorization code belongs to the grant created when
that code was redeemed. The grant record sits beside its API key's record (same Redis Cluster slot), so
the check of an access token on /mcp reads token, key and grant in one round trip: revoking the grant
(``grants revoke``, RFC 7009 revocation of a refresh token, refresh-token reuse, code replay) or the
key ends every token of the family at once, on every instance.

The record also holds the refresh rotation state (oauth/refresh.py): the hash of the current refresh
token and of the previous one, with the end of its grace window. Revoked grants are marked, never
deleted, so ``grants list`` still shows what happened; the record expires with the family's refresh
lifetime (sliding).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import orjson

from ..store import Store
from ..store import keys as store_keys


@dataclass(frozen=True, slots=True)
class GrantRecord:
    id: str
    key_id: str
    key_kind: str
    client_id: str
    client_name: str
    scope: str
    resource: str
    created_at_ms: int
    last_used_at_ms: int
    refresh_hash: str | None = None
    previous_refresh_hash: str | None = None
    previous_refresh_until_ms: int = 0
    revoked_at_ms: int | None = None
    revoked_reason: str | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at_ms is not None

    def to_json(self) -> bytes:
        return orjson.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, raw: bytes) -> GrantRecord:
        data: dict[str, Any] = orjson.loads(raw)
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def is_active(raw: bytes | None) -> bool:
    """A grant record exists and is not revoked (the hot path's check of a grant-bound token)."""
    return raw is not None and orjson.loads(raw).get("revoked_at_ms") is None


class GrantNotFoundError(LookupError):
    def __init__(self, grant_id: str) -> None:
        super().__init__(f"No grant with id {grant_id!r}; `worldmonitor-mcp grants list` shows the ids")


class GrantRepository:
    def __init__(self, store: Store, *, ttl_s: int) -> None:
        self._store = store
        self._ttl_ms = ttl_s * 1000

    async def get(self, key_id: str, grant_id: str) -> GrantRecord | None:
        raw = await self._store.get(store_keys.grant(key_id, grant_id))
        return None if raw is None else GrantRecord.from_json(raw)

    async def save(self, grant: GrantRecord) -> None:
        """Write the record; its lifetime restarts (the family's refresh lifetime is sliding)."""
        await self._store.set(store_keys.grant(grant.key_id, grant.id), grant.to_json(), ttl_ms=self._ttl_ms)

    async def revoke(self, grant: GrantRecord, *, reason: str, now_ms: int) -> GrantRecord:
        if grant.revoked:
            return grant
        revoked = dataclasses.replace(
            grant,
            revoked_at_ms=now_ms,
            revoked_reason=reason,
            refresh_hash=None,
            previous_refresh_hash=None,
        )
        await self.save(revoked)
        return revoked

    async def revoke_by_ids(self, key_id: str, grant_id: str, *, reason: str, now_ms: int) -> None:
        grant = await self.get(key_id, grant_id)
        if grant is not None:
            await self.revoke(grant, reason=reason, now_ms=now_ms)

    async def list(self, key_id: str | None = None) -> list[GrantRecord]:
        """Every grant (operator command, never the hot path), oldest first."""
        found = await self._store.scan(store_keys.GRANT_PREFIX)
        values = await self._store.mget(found)
        grants = [GrantRecord.from_json(raw) for raw in values if raw is not None]
        if key_id is not None:
            grants = [g for g in grants if g.key_id == key_id]
        return sorted(grants, key=lambda g: (g.created_at_ms, g.id))

    async def find(self, grant_id: str) -> GrantRecord:
        for grant in await self.list():
            if grant.id == grant_id:
                return grant
        raise GrantNotFoundError(grant_id)

    async def revoke_for_key(self, key_id: str, *, now_ms: int) -> int:
        """Mark every grant made with an API key revoked (the key's own revocation already stops its
        tokens on /mcp; this makes ``grants list`` say so and ends refreshes at once)."""
        count = 0
        for grant in await self.list(key_id):
            if not grant.revoked:
                await self.revoke(grant, reason="api key revoked", now_ms=now_ms)
                count += 1
        return count
