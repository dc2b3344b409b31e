"""API key format, hashing and storage: only hashes are stored, keys carry 256 random bits."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worldmonitor_mcp.keys import ApiKeyRepository, KeyNotFoundError, hash_secret, parse_key_id
from worldmonitor_mcp.keys.apikey import new_key
from worldmonitor_mcp.store.sqlite import SqliteStore


def test_new_key_format_and_entropy() -> None:
    key_id, key = new_key()
    assert key.startswith(f"wm_{key_id}_")
    secret = key.split("_", 2)[2]
    assert len(base64.urlsafe_b64decode(secret + "=")) == 32  # 256 bits
    assert parse_key_id(key) == key_id
    assert len({new_key()[1] for _ in range(200)}) == 200


@given(st.text(max_size=200))
def test_parse_key_id_never_raises(text: str) -> None:
    """Fuzz: any header value is either a well-formed key or None."""
    key_id = parse_key_id(text)
    assert key_id is None or text.startswith(f"wm_{key_id}_")


def test_hash_is_sha256_hex() -> None:
    assert hash_secret("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.anyio
async def test_repository_stores_only_the_hash(store: SqliteStore) -> None:
    repo = ApiKeyRepository(store)
    key, record = await repo.create("ops laptop", now_ms=1000)
    secret = key.split("_", 2)[2]
    raw = [await store.get(k) for k in await store.scan("wm:")]
    assert all(secret.encode() not in (value or b"") for value in raw)
    assert record.secret_hash == hash_secret(key)
    [listed] = await repo.list()
    assert (listed.id, listed.label, listed.created_at_ms, listed.revoked) == (
        record.id,
        "ops laptop",
        1000,
        False,
    )


@pytest.mark.anyio
async def test_revoke_marks_and_keeps_the_record(store: SqliteStore) -> None:
    repo = ApiKeyRepository(store)
    _, record = await repo.create("a", now_ms=1)
    revoked = await repo.revoke(record.id, now_ms=5)
    assert revoked.revoked_at_ms == 5
    assert (await repo.revoke(record.id, now_ms=9)).revoked_at_ms == 5  # idempotent
    assert await repo.count_active() == 0
    with pytest.raises(KeyNotFoundError, match="keys list"):
        await repo.revoke("000000000000", now_ms=1)


@pytest.mark.anyio
@pytest.mark.parametrize("label", ["", "   ", "x" * 101])
async def test_label_is_validated(store: SqliteStore, label: str) -> None:
    with pytest.raises(ValueError, match="label"):
        await ApiKeyRepository(store).create(label, now_ms=1)
