"""The Store contract (store/base.py), asserted on every backend: SqliteStore and RedisStore.

Each test names the clause of the protocol it holds a backend to. Only observable behaviour is
asserted, through the protocol itself, so a third backend is added by adding one fixture param. Redis
runs against a real server the session starts (tests/redis_server.py). Time is injected (``now_ms``)
everywhere except TTL expiry, which is the server's own clock, so two tests wait ~100 ms.

Backend-specific guarantees (failure translation, one round trip, cross-process SQLite windows)
follow at the end.
"""

from __future__ import annotations

import asyncio
import random
import socket
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import anyio
import anyio.lowlevel
import orjson
import pytest
from redis.asyncio import Redis

from worldmonitor_mcp.errors import StoreUnavailableError
from worldmonitor_mcp.store import CredentialCheck, Store, WindowResult, keys
from worldmonitor_mcp.store.redis import RedisStore
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

NOW_MS = 1_700_000_000_000
WINDOW_MS = 60_000
"""Long in real time too: Redis also expires window keys on its own clock, and no test may outlast it."""
STORE_TIMEOUT_S = 2.0
TTL_MS = 60
TTL_WAIT_S = 0.15
"""Expiry is the server's clock, so TTL tests wait for real: comfortably past TTL_MS, still short."""

KEY_ID = "kid1"
RECORD_KEY = keys.api_key_record(KEY_ID)
TOUCH_KEY = keys.api_key_last_used(KEY_ID)
WINDOW_KEY = keys.rate_limit_window(KEY_ID)
SECRET_HASH = "3f1c0d5e9a7b4c2d8e6f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d"
RECORD = orjson.dumps({"secret_hash": SECRET_HASH, "name": "ci", "scopes": ["tools"]})


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
async def store(request: pytest.FixtureRequest, tmp_path: Path, anyio_backend: str) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        opened: Store = SqliteStore(tmp_path / "store.sqlite3", timeout_s=STORE_TIMEOUT_S)
    else:
        opened = RedisStore.from_url(request.getfixturevalue("redis_url"), timeout_s=STORE_TIMEOUT_S)
    try:
        yield opened
    finally:
        await opened.aclose()


async def check(store: Store, **overrides: object) -> CredentialCheck:
    arguments: dict[str, object] = {
        "record_key": RECORD_KEY,
        "secret_hash": SECRET_HASH,
        "touch_key": TOUCH_KEY,
        "window_key": WINDOW_KEY,
        "limit": 5,
        "window_ms": WINDOW_MS,
        "now_ms": NOW_MS,
    }
    arguments.update(overrides)
    return await store.check_credential(**arguments)  # type: ignore[arg-type]


async def hits_counted(store: Store, window_key: str, limit: int, now_ms: int = NOW_MS) -> int:
    """How many hits a window holds, read through the protocol: one probe hit with a large limit."""
    probe = await store.hit_window(window_key, limit, WINDOW_MS, now_ms)
    return limit - probe.remaining - 1


# -- get / mget / set ----------------------------------------------------------------------------


async def test_get_returns_what_set_stored(store: Store) -> None:
    """get: the last value set; None for a key never set."""
    assert await store.get("k") is None
    await store.set("k", b"v1")
    assert await store.get("k") == b"v1"
    await store.set("k", b"\x00\xffbinary")
    assert await store.get("k") == b"\x00\xffbinary"


async def test_mget_keeps_order_and_reports_missing_as_none(store: Store) -> None:
    """mget: one value per key, in order, None where missing; an empty request is an empty list."""
    await store.set("a", b"1")
    await store.set("b", b"2")
    assert await store.mget(["b", "missing", "a"]) == [b"2", None, b"1"]
    assert await store.mget([]) == []


async def test_set_with_ttl_disappears_after_it(store: Store) -> None:
    """set(ttl_ms): "the key disappears after that many milliseconds"; a later set without TTL keeps it."""
    await store.set("short", b"v", ttl_ms=TTL_MS)
    await store.set("kept", b"v")
    await store.set("renewed", b"v", ttl_ms=TTL_MS)
    await store.set("renewed", b"v2")
    assert await store.get("short") == b"v"
    await anyio.sleep(TTL_WAIT_S)
    assert await store.get("short") is None
    assert await store.mget(["short", "kept", "renewed"]) == [None, b"v", b"v2"]
    assert await store.scan("") == ["kept", "renewed"]


# -- set_many / data_version ---------------------------------------------------------------------


async def test_set_many_stores_every_key_and_bumps_data_version(store: Store) -> None:
    """set_many: "store several keys at once and bump the data version"; a fresh store is version 0."""
    assert await store.data_version() == 0
    await store.set_many({"x": b"1", "y": b"2"})
    assert await store.mget(["x", "y"]) == [b"1", b"2"]
    assert await store.data_version() == 1
    await store.set_many({"x": b"3"})
    assert await store.get("x") == b"3"
    assert await store.data_version() == 2


async def test_set_many_with_ttl_expires_every_key(store: Store) -> None:
    """set_many(ttl_ms): the TTL applies to every key written."""
    await store.set_many({"x": b"1", "y": b"2"}, ttl_ms=TTL_MS)
    await anyio.sleep(TTL_WAIT_S)
    assert await store.mget(["x", "y"]) == [None, None]


async def test_set_many_is_all_or_nothing_to_concurrent_readers(store: Store) -> None:
    """set_many: "all or nothing": a concurrent reader sees every key of one write or none of it."""
    names = ["seismology:earthquakes:v1", "cyber:threats:v1", keys.seed_meta("seismology", "earthquakes")]
    writes = 40
    snapshots: list[list[bytes | None]] = []

    async def writer() -> None:
        for generation in range(writes):
            await store.set_many({name: str(generation).encode() for name in names})

    async def reader() -> None:
        for _ in range(writes):
            snapshots.append(await store.mget(names))
            await anyio.lowlevel.checkpoint()

    await asyncio.gather(writer(), reader(), reader())
    assert snapshots
    for snapshot in snapshots:
        assert len(set(snapshot)) == 1, f"torn write observed: {snapshot}"
    assert await store.data_version() == writes


# -- getdel / delete -----------------------------------------------------------------------------


async def test_getdel_returns_the_value_once(store: Store) -> None:
    """getdel: "return the value and delete the key"; the second call finds nothing."""
    await store.set("code", b"one-time")
    assert await store.getdel("code") == b"one-time"
    assert await store.getdel("code") is None
    assert await store.get("code") is None


async def test_getdel_has_one_winner_among_concurrent_callers(store: Store) -> None:
    """getdel: "atomically": of N concurrent callers exactly one gets a one-time code."""
    await store.set("code", b"one-time")
    results = await asyncio.gather(*(store.getdel("code") for _ in range(20)))
    assert results.count(b"one-time") == 1
    assert results.count(None) == 19


async def test_delete_counts_the_keys_that_existed(store: Store) -> None:
    """delete: returns how many of the given keys existed; they are gone afterwards."""
    await store.set("a", b"1")
    await store.set("b", b"2")
    await store.set("c", b"3")
    assert await store.delete("a", "b", "missing") == 2
    assert await store.mget(["a", "b", "c"]) == [None, None, b"3"]
    assert await store.delete() == 0
    assert await store.delete("a") == 0


# -- scan ----------------------------------------------------------------------------------------

SCAN_KEYS = ["a_b:1", "a%b:1", "a*b:1", "a?b:1", "a[b]:1", "a\\b:1", "axb:1", "aXb:1", "a-b:1", "ab:1"]


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("a_b", ["a_b:1"]),
        ("a%b", ["a%b:1"]),
        ("a*b", ["a*b:1"]),
        ("a?b", ["a?b:1"]),
        ("a[b]", ["a[b]:1"]),
        ("a[b", ["a[b]:1"]),
        ("a\\b", ["a\\b:1"]),
        ("nothing", []),
    ],
)
async def test_scan_treats_the_prefix_literally(store: Store, prefix: str, expected: list[str]) -> None:
    """scan(prefix): "every live key that starts with prefix": wildcard characters match only themselves."""
    for key in SCAN_KEYS:
        await store.set(key, b"v")
    assert await store.scan(prefix) == expected


async def test_scan_is_case_sensitive(store: Store) -> None:
    """scan(prefix): "starts with prefix" is byte-exact, as keys are: `axb` does not match `aXb`."""
    for key in SCAN_KEYS:
        await store.set(key, b"v")
    assert await store.scan("axb") == ["axb:1"]
    assert await store.scan("aX") == ["aXb:1"]


async def test_scan_returns_every_matching_key_sorted(store: Store) -> None:
    """scan: all keys under the prefix, sorted, however many there are."""
    names = [f"seed-meta:{i:04d}:r" for i in range(1500)]
    await store.set_many({name: b"{}" for name in names})
    await store.set("seismology:earthquakes:v1", b"{}")
    assert await store.scan("seed-meta:") == names
    assert await store.scan("") == sorted([*names, "seismology:earthquakes:v1", keys.DATA_VERSION])


# -- hit_window ----------------------------------------------------------------------------------


async def test_hit_window_counts_down_and_reports_reset(store: Store) -> None:
    """hit_window: remaining = limit - hits; reset_ms = oldest counted hit + window - now."""
    results = [await store.hit_window("w", 3, 1000, NOW_MS + offset) for offset in (0, 10, 20, 30)]
    assert results == [
        WindowResult(allowed=True, limit=3, remaining=2, reset_ms=1000),
        WindowResult(allowed=True, limit=3, remaining=1, reset_ms=990),
        WindowResult(allowed=True, limit=3, remaining=0, reset_ms=980),
        WindowResult(allowed=False, limit=3, remaining=0, reset_ms=970),
    ]


async def test_hit_window_does_not_count_refused_hits(store: Store) -> None:
    """hit_window: "a refused hit is not counted", so the window reopens when the accepted hits age out."""
    for offset in (0, 10, 20):
        assert (await store.hit_window("w", 3, 1000, NOW_MS + offset)).allowed
    for offset in range(100, 900, 100):
        assert not (await store.hit_window("w", 3, 1000, NOW_MS + offset)).allowed
    # The hit at NOW_MS leaves the window exactly at NOW_MS + 1000 (entries at or before now - window).
    assert await store.hit_window("w", 3, 1000, NOW_MS + 1000) == WindowResult(True, 3, 0, 10)
    assert await store.hit_window("w", 3, 1000, NOW_MS + 1005) == WindowResult(False, 3, 0, 5)
    assert await store.hit_window("w", 3, 1000, NOW_MS + 1010) == WindowResult(True, 3, 0, 10)


async def test_hit_window_slides_with_the_injected_clock(store: Store) -> None:
    """hit_window: the window is relative to now_ms; a full window later it is empty again."""
    for _ in range(2):
        assert (await store.hit_window("w", 2, 1000, NOW_MS)).allowed
    assert not (await store.hit_window("w", 2, 1000, NOW_MS + 999)).allowed
    assert await store.hit_window("w", 2, 1000, NOW_MS + 5000) == WindowResult(True, 2, 1, 1000)


async def test_hit_window_with_zero_limit_refuses(store: Store) -> None:
    """hit_window(limit=0): nothing is allowed (a disabled principal); reset_ms is window_ms."""
    assert await store.hit_window("w", 0, 1000, NOW_MS) == WindowResult(False, 0, 0, 1000)


async def test_hit_window_keys_are_independent(store: Store) -> None:
    """hit_window: each key is its own window."""
    assert (await store.hit_window("w1", 1, 1000, NOW_MS)).allowed
    assert not (await store.hit_window("w1", 1, 1000, NOW_MS)).allowed
    assert (await store.hit_window("w2", 1, 1000, NOW_MS)).allowed


async def test_hit_window_matches_an_exact_sliding_window_model(store: Store) -> None:
    """hit_window is exact: never more than limit accepted hits in any window_ms, and no fewer either."""
    limit, window_ms = 10, 10_000
    rng = random.Random(7)
    accepted: list[int] = []
    now = NOW_MS
    for _ in range(300):
        now += rng.choice([0, 0, 1, 50, 400, 800, 2500])
        live = [t for t in accepted if t > now - window_ms]
        allowed = len(live) < limit
        oldest = live[0] if live else now
        remaining = limit - len(live) - 1 if allowed else 0
        expected = WindowResult(allowed, limit, remaining, oldest + window_ms - now)
        assert await store.hit_window("w", limit, window_ms, now) == expected
        if allowed:
            accepted.append(now)
    for t in accepted:
        assert sum(1 for other in accepted if t - window_ms < other <= t) <= limit
    assert len(accepted) > 3 * limit  # the sequence did slide


async def test_hit_window_admits_exactly_limit_of_a_concurrent_burst(store: Store) -> None:
    """hit_window: "atomically": 200 simultaneous hits against a limit of 50 admit exactly 50."""
    limit = 50
    results = await asyncio.gather(*(store.hit_window("w", limit, WINDOW_MS, NOW_MS) for _ in range(200)))
    allowed = [r for r in results if r.allowed]
    assert len(allowed) == limit
    assert sorted(r.remaining for r in allowed) == list(range(limit))
    assert all(r.reset_ms == WINDOW_MS for r in results)


# -- check_credential ----------------------------------------------------------------------------


async def test_check_credential_match_counts_touches_and_returns_record(store: Store) -> None:
    """check_credential: a matching hash returns the record, counts one hit, writes now to touch_key."""
    await store.set(RECORD_KEY, RECORD)
    result = await check(store, limit=5)
    assert result == CredentialCheck(RECORD, WindowResult(True, 5, 4, WINDOW_MS), 0)
    assert await store.get(TOUCH_KEY) == str(NOW_MS).encode()
    second = await check(store, limit=5, now_ms=NOW_MS + 7)
    assert second.window == WindowResult(True, 5, 3, WINDOW_MS - 7)
    assert await store.get(TOUCH_KEY) == str(NOW_MS + 7).encode()


@pytest.mark.parametrize("with_record", [True, False])
async def test_check_credential_reads_the_related_keys(store: Store, with_record: bool) -> None:
    """check_credential(related_keys=...): their values come back in order in the same round trip, with
    or without a record or touch key (a token's issuing API key and its grant, read to see whether
    either was revoked)."""
    first, second = RECORD_KEY + ":related", RECORD_KEY + ":grant"
    await store.set(RECORD_KEY, RECORD)
    overrides: dict[str, object] = {"related_keys": (first, second)}
    if not with_record:
        overrides.update(record_key=None, touch_key=None)
    assert (await check(store, **overrides)).related == (None, None)
    await store.set(second, b"grant")
    assert (await check(store, **overrides)).related == (None, b"grant")
    await store.set(first, b"parent")
    result = await check(store, **overrides)
    assert result.related == (b"parent", b"grant")
    assert result.record == (RECORD if with_record else None)
    assert result.window is not None
    mismatch = await check(store, related_keys=(first, second), secret_hash="0" * 64)
    assert mismatch.related == ()


async def test_check_credential_without_related_keys_reads_none(store: Store) -> None:
    await store.set(RECORD_KEY, RECORD)
    assert (await check(store)).related == ()


async def test_check_credential_shares_the_window_with_hit_window(store: Store) -> None:
    """check_credential counts in window_key: the same exact window hit_window uses."""
    await store.set(RECORD_KEY, RECORD)
    await check(store)
    await check(store)
    assert await hits_counted(store, WINDOW_KEY, limit=100) == 2


async def test_check_credential_over_the_limit_still_identifies(store: Store) -> None:
    """check_credential: a matching credential over its limit gets its record and a refused window."""
    await store.set(RECORD_KEY, RECORD)
    assert (await check(store, limit=1)).window == WindowResult(True, 1, 0, WINDOW_MS)
    refused = await check(store, limit=1, now_ms=NOW_MS + 1)
    assert refused.record == RECORD
    assert refused.window == WindowResult(False, 1, 0, WINDOW_MS - 1)


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param(None, id="missing"),
        pytest.param(orjson.dumps({"secret_hash": "0" * 64}), id="other-hash"),
        pytest.param(orjson.dumps({"secret_hash": SECRET_HASH[:-1]}), id="prefix-of-hash"),
        pytest.param(orjson.dumps({"secret_hash": SECRET_HASH + "0"}), id="hash-plus-suffix"),
        pytest.param(b"not json", id="malformed-json"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param(orjson.dumps([SECRET_HASH]), id="json-array"),
        pytest.param(orjson.dumps(SECRET_HASH), id="json-string"),
        pytest.param(orjson.dumps({"secret_hash": None}), id="hash-null"),
        pytest.param(orjson.dumps({"secret_hash": {"v": SECRET_HASH}}), id="hash-object"),
        pytest.param(orjson.dumps({"hash": SECRET_HASH}), id="no-hash-field"),
    ],
)
async def test_check_credential_without_a_match_counts_nothing(store: Store, stored: bytes | None) -> None:
    """check_credential: no match (missing, wrong or malformed record) = record None, window None,
    nothing counted, nothing touched, and no error."""
    if stored is not None:
        await store.set(RECORD_KEY, stored)
    await store.set_many({"seismology:earthquakes:v1": b"{}"})
    assert await check(store) == CredentialCheck(None, None, 1)
    assert await store.get(TOUCH_KEY) is None
    assert await hits_counted(store, WINDOW_KEY, limit=100) == 0


async def test_check_credential_without_record_key_counts(store: Store) -> None:
    """check_credential(record_key=None): "a credential already verified in memory": counted and touched."""
    result = await check(store, record_key=None, secret_hash="")
    assert result == CredentialCheck(None, WindowResult(True, 5, 4, WINDOW_MS), 0)
    assert await store.get(TOUCH_KEY) == str(NOW_MS).encode()
    untouched = await check(store, record_key=None, secret_hash="", touch_key=None, now_ms=NOW_MS + 1)
    assert untouched.window == WindowResult(True, 5, 3, WINDOW_MS - 1)
    assert await store.get(TOUCH_KEY) == str(NOW_MS).encode()


async def test_check_credential_without_touch_key_counts(store: Store) -> None:
    """check_credential(touch_key=None): a stored credential is verified and counted, nothing written."""
    await store.set(RECORD_KEY, RECORD)
    result = await check(store, touch_key=None)
    assert result.record == RECORD
    assert result.window == WindowResult(True, 5, 4, WINDOW_MS)
    assert await store.scan("wm:apikey-used:") == []


async def test_check_credential_returns_the_data_version(store: Store) -> None:
    """check_credential: data_version is read in the same round trip, matched or not."""
    await store.set(RECORD_KEY, RECORD)
    await store.set_many({"a": b"1"})
    await store.set_many({"a": b"2"})
    assert (await check(store)).data_version == 2
    assert (await check(store, secret_hash="wrong")).data_version == 2


async def test_check_credential_admits_exactly_limit_of_a_concurrent_burst(store: Store) -> None:
    """check_credential: counting is atomic: 100 simultaneous requests against a limit of 30 admit 30."""
    await store.set(RECORD_KEY, RECORD)
    results = await asyncio.gather(*(check(store, limit=30) for _ in range(100)))
    assert all(r.record == RECORD for r in results)
    assert sum(1 for r in results if r.window is not None and r.window.allowed) == 30


# -- acquire_lock / release_lock -----------------------------------------------------------------

LOCK_KEY = keys.feed_lock("usgs-earthquakes")


async def test_acquire_lock_has_one_holder(store: Store) -> None:
    """acquire_lock: "True when taken, False when held"; "not re-entrant"."""
    assert await store.acquire_lock(LOCK_KEY, "a", 60_000)
    assert not await store.acquire_lock(LOCK_KEY, "b", 60_000)
    assert not await store.acquire_lock(LOCK_KEY, "a", 60_000)
    assert await store.acquire_lock(keys.feed_lock("cisa-kev"), "b", 60_000)  # locks are independent


async def test_release_lock_frees_only_the_holders_lock(store: Store) -> None:
    """release_lock: compare-and-delete: a wrong token frees nothing; the holder's token frees it."""
    assert not await store.release_lock(LOCK_KEY, "a")  # nothing held
    assert await store.acquire_lock(LOCK_KEY, "a", 60_000)
    assert not await store.release_lock(LOCK_KEY, "b")
    assert not await store.acquire_lock(LOCK_KEY, "b", 60_000)  # still held by a
    assert await store.release_lock(LOCK_KEY, "a")
    assert not await store.release_lock(LOCK_KEY, "a")  # already released
    assert await store.acquire_lock(LOCK_KEY, "b", 60_000)


async def test_lock_expires_when_its_holder_dies(store: Store) -> None:
    """acquire_lock: "the lock expires after ttl_ms"; the late holder cannot free its successor's lock."""
    assert await store.acquire_lock(LOCK_KEY, "dead", TTL_MS)
    await anyio.sleep(TTL_WAIT_S)
    assert await store.acquire_lock(LOCK_KEY, "next", 60_000)
    assert not await store.release_lock(LOCK_KEY, "dead")
    assert not await store.acquire_lock(LOCK_KEY, "third", 60_000)  # "next" still holds it


async def test_acquire_lock_has_one_winner_among_concurrent_callers(store: Store) -> None:
    """acquire_lock: atomic: of 20 simultaneous callers exactly one takes the lock."""
    results = await asyncio.gather(*(store.acquire_lock(LOCK_KEY, f"t{i}", 60_000) for i in range(20)))
    assert results.count(True) == 1


@pytest.mark.parametrize("ttl_ms", [0, -1])
async def test_acquire_lock_refuses_a_lock_that_never_expires_or_already_has(
    store: Store, ttl_ms: int
) -> None:
    """acquire_lock: "ttl_ms (which must be positive)": a lock without expiry would outlive a dead holder."""
    with pytest.raises(ValueError, match="positive ttl_ms"):
        await store.acquire_lock(LOCK_KEY, "a", ttl_ms)
    assert await store.acquire_lock(LOCK_KEY, "a", 60_000)


# -- RedisStore: failure translation and the one round trip --------------------------------------


def dead_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


OPERATIONS: list[Callable[[Store], object]] = [
    lambda s: s.ping(),
    lambda s: s.get("k"),
    lambda s: s.set_many({"k": b"v"}),
    lambda s: s.hit_window("w", 1, 1000, NOW_MS),
    lambda s: check(s),
    lambda s: s.acquire_lock("lock", "t", 1000),
    lambda s: s.release_lock("lock", "t"),
]


@pytest.mark.redis
async def test_redis_unreachable_is_store_unavailable_within_the_timeout() -> None:
    """Store: failures become StoreUnavailableError within about the timeout, never showing the password."""
    store = RedisStore.from_url(f"redis://:s3cret@127.0.0.1:{dead_port()}/0", timeout_s=0.2)
    try:
        for operation in OPERATIONS:
            started = time.monotonic()
            with pytest.raises(StoreUnavailableError) as caught:
                await operation(store)  # type: ignore[misc]
            assert time.monotonic() - started < 2.0
            assert "s3cret" not in caught.value.log_reason
            assert "s3cret" not in str(caught.value)
            assert "127.0.0.1" in caught.value.log_reason
            assert caught.value.__cause__ is not None
    finally:
        await store.aclose()


@pytest.mark.redis
async def test_redis_hung_server_cannot_hold_a_request_past_the_timeout() -> None:
    """Store: a server that accepts and never answers fails as StoreUnavailableError after timeout_s."""
    connections: list[asyncio.StreamWriter] = []

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        await reader.read()  # until the client gives up
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    store = RedisStore.from_url(f"redis://127.0.0.1:{port}/0", timeout_s=0.2)
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError, match="Service temporarily unavailable"):
            await check(store)
        assert time.monotonic() - started < 1.0
    finally:
        await store.aclose()
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()


@pytest.mark.redis
async def test_redis_rejected_password_is_store_unavailable_without_the_password(redis_url: str) -> None:
    """Store: an AUTH failure is StoreUnavailableError (503, not 401), and the log never shows the secret."""
    store = RedisStore.from_url(redis_url.replace("redis://", "redis://ci:s3cret@"), timeout_s=1.0)
    async with Redis.from_url(redis_url) as admin:
        await admin.acl_setuser("ci", enabled=True, passwords=["+right-password"], commands=["+@all"])
        try:
            with pytest.raises(StoreUnavailableError) as caught:
                await store.ping()
            assert "s3cret" not in caught.value.log_reason
            assert "AuthenticationError" in caught.value.log_reason
        finally:
            await store.aclose()
            await admin.acl_deluser("ci")


@pytest.mark.redis
async def test_redis_from_url_accepts_a_unix_socket(redis_server_unix_url: str, redis_url: str) -> None:
    """RedisStore.from_url: unix:// URLs reach the same server."""
    store = RedisStore.from_url(redis_server_unix_url, timeout_s=1.0)
    try:
        await store.ping()
        await store.set("k", b"v")
        assert await store.get("k") == b"v"
    finally:
        await store.aclose()


@pytest.mark.redis
async def test_redis_check_credential_is_one_round_trip(redis_url: str) -> None:
    """check_credential on Redis: EVALSHA + GET in one pipeline, and no SCRIPT EXISTS per request."""
    store = RedisStore.from_url(redis_url, timeout_s=STORE_TIMEOUT_S)
    try:
        async with Redis.from_url(redis_url) as admin:
            await store.set(RECORD_KEY, RECORD)
            await check(store)  # warm: the first call may have to load the script
            await admin.config_resetstat()
            for i in range(3):
                await check(store, now_ms=NOW_MS + i)
            stats = await admin.info("commandstats")
    finally:
        await store.aclose()
    # commandstats also counts what the script itself calls; what matters is what the client sent.
    calls = {name.removeprefix("cmdstat_"): value["calls"] for name, value in stats.items()}
    assert calls["evalsha"] == 3
    assert calls["get"] == 3 + 3  # the data version, plus the record read inside the script
    assert not [name for name in calls if name.startswith(("script", "ping", "multi", "eval|"))]


@pytest.mark.redis
async def test_redis_recovers_from_a_flushed_script_cache(redis_url: str) -> None:
    """RedisStore: after a restart or SCRIPT FLUSH the scripts are reloaded, not reported as failures."""
    store = RedisStore.from_url(redis_url, timeout_s=STORE_TIMEOUT_S)
    try:
        async with Redis.from_url(redis_url) as admin:
            await store.set(RECORD_KEY, RECORD)
            assert (await check(store)).record == RECORD
            await admin.script_flush()
            assert (await check(store, now_ms=NOW_MS + 1)).record == RECORD
            await admin.script_flush()
            assert (await store.hit_window("w", 1, 1000, NOW_MS)).allowed
            await store.set("code", b"c")
            await admin.script_flush()
            assert await store.getdel("code") == b"c"
    finally:
        await store.aclose()


@pytest.mark.redis
async def test_redis_window_key_lives_no_longer_than_its_window(redis_url: str) -> None:
    """hit_window on Redis: the sorted set carries a TTL of the window, so idle principals cost nothing."""
    store = RedisStore.from_url(redis_url, timeout_s=STORE_TIMEOUT_S)
    try:
        async with Redis.from_url(redis_url) as admin:
            await store.hit_window(WINDOW_KEY, 5, WINDOW_MS, NOW_MS)
            assert 0 < await admin.pttl(WINDOW_KEY) <= WINDOW_MS
    finally:
        await store.aclose()


# -- SqliteStore: one window across worker processes ---------------------------------------------


async def test_sqlite_stores_on_one_file_share_one_exact_window(tmp_path: Path) -> None:
    """SqliteStore: two instances on one file (two worker processes) count in one exact window."""
    path = tmp_path / "shared.sqlite3"
    first, second = (SqliteStore(path, timeout_s=5.0) for _ in range(2))
    try:
        assert await first.hit_window("w", 3, WINDOW_MS, NOW_MS) == WindowResult(True, 3, 2, WINDOW_MS)
        assert await second.hit_window("w", 3, WINDOW_MS, NOW_MS) == WindowResult(True, 3, 1, WINDOW_MS)
        assert await first.hit_window("w", 3, WINDOW_MS, NOW_MS) == WindowResult(True, 3, 0, WINDOW_MS)
        assert not (await second.hit_window("w", 3, WINDOW_MS, NOW_MS)).allowed
    finally:
        await first.aclose()
        await second.aclose()

    limit = 40

    def worker() -> int:
        """One "process": its own connection, hammering the shared window from its own thread."""

        async def run() -> int:
            store = SqliteStore(path, timeout_s=5.0)
            try:
                results = [await store.hit_window("burst", limit, WINDOW_MS, NOW_MS) for _ in range(100)]
            finally:
                await store.aclose()
            return sum(1 for r in results if r.allowed)

        return asyncio.run(run())

    admitted = await asyncio.gather(*(anyio.to_thread.run_sync(worker) for _ in range(2)))
    assert sum(admitted) == limit


async def test_sqlite_lock_has_one_holder_across_processes(tmp_path: Path) -> None:
    """SqliteStore: worker processes on one file (own connections, own threads) never share a lock."""
    path = tmp_path / "shared.sqlite3"
    await SqliteStore(path).aclose()  # the schema exists before the workers race for the locks

    def worker(token: str) -> int:
        async def run() -> int:
            store = SqliteStore(path, timeout_s=5.0)
            try:
                return sum([await store.acquire_lock(f"lock{i}", token, 60_000) for i in range(50)])
            finally:
                await store.aclose()

        return asyncio.run(run())

    taken = await asyncio.gather(*(anyio.to_thread.run_sync(worker, f"w{n}") for n in range(3)))
    assert sum(taken) == 50


async def test_check_credential_is_exact_under_a_concurrent_burst(store: Store) -> None:
    """check_credential: 150 concurrent checks against a limit of 40 accept exactly 40, and every one
    gets its own answer (on Redis they share one multiplexed connection, replies matched in order)."""
    await store.set(RECORD_KEY, RECORD)
    results = await asyncio.gather(*(check(store, limit=40, now_ms=NOW_MS + i) for i in range(150)))
    assert [r.record for r in results] == [RECORD] * 150
    assert sum(1 for r in results if r.window is not None and r.window.allowed) == 40
    assert all(r.data_version == results[0].data_version for r in results)
