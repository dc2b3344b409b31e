"""Issue, list and revoke API keys in the store."""

from __future__ import annotations

import dataclasses

from ..store import Store
from ..store import keys as store_keys
from .apikey import ApiKeyRecord, hash_secret, new_key

MAX_LABEL_CHARS = 100


class KeyNotFoundError(LookupError):
    def __init__(self, key_id: str) -> None:
        super().__init__(f"No API key with id {key_id!r}; `worldmonitor-mcp keys list` shows the ids")


class ApiKeyRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def create(self, label: str, *, now_ms: int) -> tuple[str, ApiKeyRecord]:
        """Store a new key and return ``(key, record)``; the key itself is never stored."""
        label = label.strip()
        if not label or len(label) > MAX_LABEL_CHARS:
            raise ValueError(f"A key label must be 1 to {MAX_LABEL_CHARS} characters")
        key_id, key = new_key()
        record = ApiKeyRecord(id=key_id, label=label, secret_hash=hash_secret(key), created_at_ms=now_ms)
        await self._store.set(store_keys.api_key_record(key_id), record.to_json())
        return key, record

    async def list(self) -> list[ApiKeyRecord]:
        record_keys = await self._store.scan(store_keys.API_KEY_PREFIX)
        ids = [store_keys.key_id_from_record_key(k) for k in record_keys]
        values = await self._store.mget(
            [*record_keys, *(store_keys.api_key_last_used(key_id) for key_id in ids)]
        )
        records, used = values[: len(ids)], values[len(ids) :]
        return sorted(
            (
                ApiKeyRecord.from_json(raw, last_used_at_ms=int(last) if last else None)
                for raw, last in zip(records, used, strict=True)
                if raw is not None
            ),
            key=lambda r: (r.created_at_ms, r.id),
        )

    async def revoke(self, key_id: str, *, now_ms: int) -> ApiKeyRecord:
        """Mark a key revoked. The record stays, so `keys list` still shows who it was."""
        raw = await self._store.get(store_keys.api_key_record(key_id))
        if raw is None:
            raise KeyNotFoundError(key_id)
        record = ApiKeyRecord.from_json(raw)
        if not record.revoked:
            record = dataclasses.replace(record, revoked_at_ms=now_ms)
            await self._store.set(store_keys.api_key_record(key_id), record.to_json())
        return record

    async def count_active(self) -> int:
        return sum(1 for r in await self.list() if not r.revoked)
