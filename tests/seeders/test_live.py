"""run_feed (seeders/live.py): fetch -> parse -> validate -> write against a real local upstream and a real
SqliteStore, and what survives a failure: the last good data, with its TTL extended and the failure
recorded in seed-meta and feed state."""

from __future__ import annotations

import dataclasses
import logging
import random
import ssl
from collections.abc import AsyncIterator, Mapping
from importlib import resources
from typing import Any

import httpx
import orjson
import pytest
from upstream_server import ConditionalFile, Reply, Upstream, upstream

from worldmonitor_mcp.seeders.base import (
    EmptyResultError,
    Feed,
    FeedFormatError,
    ParsedFeed,
    RecordFloorError,
    UpstreamRequest,
)
from worldmonitor_mcp.seeders.fetch import Fetcher, Validators, user_agent
from worldmonitor_mcp.seeders.live import LIVE_TTL_CADENCES, check_floor, live_ttl_ms, run_feed
from worldmonitor_mcp.seeders.state import FeedState
from worldmonitor_mcp.seeders.usgs import FEED as USGS
from worldmonitor_mcp.store import keys
from worldmonitor_mcp.store.sqlite import SqliteStore

__all__ = ["upstream"]

pytestmark = pytest.mark.anyio

NOW_MS = 1_764_000_000_000
SAMPLE = (
    resources.files("worldmonitor_mcp.snapshot").joinpath("usgs_earthquakes_4.5_week.geojson").read_bytes()
)
STATE_KEY = keys.feed_state(USGS.name)
TLS = ssl.create_default_context()
SECRET = "s3cret-feed-key"


def trimmed_sample(features: int) -> bytes:
    """The genuine USGS sample with only its first ``features`` events (a suspicious drop)."""
    document = orjson.loads(SAMPLE)
    document["features"] = document["features"][:features]
    return orjson.dumps(document)


class RecordingStore(SqliteStore):
    """A real SqliteStore that remembers every set_many (keys and TTL), to check what one run writes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.writes: list[tuple[dict[str, bytes], int | None]] = []

    async def set_many(self, items: Mapping[str, bytes], ttl_ms: int | None = None) -> None:
        self.writes.append((dict(items), ttl_ms))
        await super().set_many(items, ttl_ms)


@pytest.fixture
async def store(tmp_path: Any) -> AsyncIterator[RecordingStore]:
    recording = RecordingStore(tmp_path / "store.sqlite3")
    yield recording
    await recording.aclose()


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async def no_wait(seconds: float) -> None:
        pass

    async with httpx.AsyncClient(headers={"User-Agent": user_agent()}, verify=TLS) as client:
        yield Fetcher(client, retries=1, timeout_s=2.0, sleep=no_wait, rng=random.Random(1))


async def stored(store: SqliteStore, key: str) -> Any:
    raw = await store.get(key)
    return None if raw is None else orjson.loads(raw)


def at(url: str, **changes: Any) -> Feed:
    return dataclasses.replace(USGS, upstream_url=url, **changes)


# -- success and 304 --------------------------------------------------------------------------------


async def test_a_new_body_writes_data_meta_and_state_in_one_write(
    upstream: Upstream, store: RecordingStore, fetcher: Fetcher
) -> None:
    feed = at(upstream.file("/q", ConditionalFile(SAMPLE)))
    outcome = await run_feed(store, fetcher, feed, now_ms=NOW_MS, next_run=lambda state, _: NOW_MS + 300_000)
    assert (outcome.status, outcome.record_count, outcome.ok) == ("seeded", 50, True)

    [(written, ttl_ms)] = store.writes
    assert set(written) == {feed.data_key, feed.seed_meta_key, STATE_KEY}
    assert ttl_ms == live_ttl_ms(feed) == USGS.cache_ttl_s * 1000
    assert (await stored(store, feed.data_key))["earthquakes"][0]["id"] == "us7000c93g"
    assert await stored(store, feed.seed_meta_key) == {
        "fetchedAt": NOW_MS,  # a live fetch: the data is true now
        "recordCount": 50,
        "sourceVersion": "usgs-4.5-week",
        "newestItemAt": 1604272175397,
        "oldestItemAt": 1604024781314,
    }
    state = FeedState.from_json(await store.get(STATE_KEY))
    assert (state.last_run_at_ms, state.last_success_at_ms, state.consecutive_failures) == (NOW_MS, NOW_MS, 0)
    assert state.next_run_at_ms == NOW_MS + 300_000
    assert state.validators == Validators('"v1"', "Mon, 02 Nov 2020 00:59:03 GMT")
    assert state.validators_for == feed.upstream_url


async def test_304_refreshes_ttl_and_fetched_at_without_parsing(
    upstream: Upstream, store: RecordingStore, fetcher: Fetcher
) -> None:
    feed = at(upstream.file("/q", ConditionalFile(SAMPLE)))
    await run_feed(store, fetcher, feed, now_ms=NOW_MS)
    data_before = await store.get(feed.data_key)

    def must_not_parse(payload: bytes) -> ParsedFeed:
        raise AssertionError("a 304 has nothing to parse")

    later = NOW_MS + 600_000
    outcome = await run_feed(store, fetcher, dataclasses.replace(feed, parse=must_not_parse), now_ms=later)
    assert (outcome.status, outcome.record_count) == ("unchanged", 50)
    assert upstream.hits("/q")[1].headers["if-none-match"] == '"v1"'
    written, ttl_ms = store.writes[-1]
    assert written[feed.data_key] == data_before  # the same body, written back with a fresh TTL
    assert ttl_ms == live_ttl_ms(feed)
    meta = await stored(store, feed.seed_meta_key)
    assert (meta["fetchedAt"], meta["recordCount"]) == (later, 50)
    assert FeedState.from_json(await store.get(STATE_KEY)).last_success_at_ms == later


async def test_304_clears_a_recorded_failure(
    upstream: Upstream, store: RecordingStore, fetcher: Fetcher
) -> None:
    url = upstream.file("/q", ConditionalFile(SAMPLE))
    await run_feed(store, fetcher, at(url), now_ms=NOW_MS)
    await run_feed(store, fetcher, at(upstream.script("/down", Reply(500))), now_ms=NOW_MS + 1)
    assert "lastFailure" in await stored(store, USGS.seed_meta_key)
    # The failed run (another URL) kept the stored body's validators, so this one is conditional.
    outcome = await run_feed(store, fetcher, at(url), now_ms=NOW_MS + 2)
    assert outcome.status == "unchanged"
    assert "lastFailure" not in await stored(store, USGS.seed_meta_key)
    state = FeedState.from_json(await store.get(STATE_KEY))
    assert state.consecutive_failures == 0
    assert state.last_failure is not None  # kept as history for `feeds`


async def test_validators_are_not_sent_without_stored_data(
    upstream: Upstream, store: RecordingStore, fetcher: Fetcher
) -> None:
    """A 304 for data we no longer hold would leave the key empty: without data, fetch in full."""
    feed = at(upstream.file("/q", ConditionalFile(SAMPLE)))
    await run_feed(store, fetcher, feed, now_ms=NOW_MS)
    await store.delete(feed.data_key)
    outcome = await run_feed(store, fetcher, feed, now_ms=NOW_MS + 1)
    assert outcome.status == "seeded"
    assert "if-none-match" not in upstream.hits("/q")[1].headers


async def test_validators_are_not_sent_to_another_url(
    upstream: Upstream, store: RecordingStore, fetcher: Fetcher
) -> None:
    await run_feed(store, fetcher, at(upstream.file("/old", ConditionalFile(SAMPLE))), now_ms=NOW_MS)
    outcome = await run_feed(
        store, fetcher, at(upstream.file("/new", ConditionalFile(SAMPLE))), now_ms=NOW_MS + 1
    )
    assert outcome.status == "seeded"
    assert "if-none-match" not in upstream.hits("/new")[0].headers


async def test_not_due_leaves_the_feed_alone(
    upstream: Upstream, store: RecordingStore, fetcher: Fetcher
) -> None:
    feed = at(upstream.file("/q", ConditionalFile(SAMPLE)))
    await run_feed(store, fetcher, feed, now_ms=NOW_MS, next_run=lambda state, _: NOW_MS + 300_000)
    early = await run_feed(store, fetcher, feed, now_ms=NOW_MS + 299_999, force=False)
    assert early.status == "not-due"
    assert len(upstream.hits("/q")) == 1
    due = await run_feed(store, fetcher, feed, now_ms=NOW_MS + 300_000, force=False)
    assert due.status == "unchanged"


# -- failures keep the last good data -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "kind", "message"),
    [
        (Reply(500, b"oops"), "http-status", "answered HTTP 500"),
        (Reply(429, headers={"Retry-After": "3600"}), "rate-limited", "429 Too Many Requests"),
        (Reply(200, b"<!DOCTYPE html><html>Service Unavailable</html>"), "format", "HTML page"),
        (Reply(200, b""), "format", "the payload is empty"),
        (Reply(200, trimmed_sample(0)), "empty", "holds no records; keeping the 50 records"),
        (Reply(200, trimmed_sample(5)), "record-floor", "5 records against 50 last time"),
        (Reply(200, SAMPLE * 2), "too-large", "cap of"),
    ],
)
async def test_a_failure_keeps_the_last_good_data_and_records_why(
    upstream: Upstream, store: RecordingStore, fetcher: Fetcher, reply: Reply, kind: str, message: str
) -> None:
    good = at(upstream.file("/q", ConditionalFile(SAMPLE)), max_bytes=len(SAMPLE) + 10)
    await run_feed(store, fetcher, good, now_ms=NOW_MS)
    data_before = await store.get(good.data_key)

    bad = dataclasses.replace(good, upstream_url=upstream.script("/bad", reply))
    failed_at = NOW_MS + 3_600_000
    outcome = await run_feed(store, fetcher, bad, now_ms=failed_at, next_run=lambda state, wait: 7)
    assert outcome.status == "failed"
    assert outcome.failure is not None
    assert outcome.failure.kind == kind
    assert message in outcome.failure.message

    written, ttl_ms = store.writes[-1]
    assert written[good.data_key] == data_before  # last good data, written back: its TTL is extended
    assert ttl_ms == live_ttl_ms(good)
    assert await store.get(good.data_key) == data_before
    meta = await stored(store, good.seed_meta_key)
    assert (meta["fetchedAt"], meta["recordCount"]) == (NOW_MS, 50)  # still describes the good data
    assert meta["lastFailure"] == {"at": failed_at, "kind": kind, "message": outcome.failure.message}
    state = FeedState.from_json(await store.get(STATE_KEY))
    assert (state.consecutive_failures, state.last_run_at_ms, state.last_success_at_ms) == (
        1,
        failed_at,
        NOW_MS,
    )
    assert state.next_run_at_ms == 7
    assert state.validators.etag == '"v1"'  # still those of the stored body


async def test_rate_limit_delay_reaches_the_scheduler(
    upstream: Upstream, store: RecordingStore, fetcher: Fetcher
) -> None:
    seen: list[float | None] = []

    def plan(state: FeedState, retry_after_s: float | None) -> int:
        seen.append(retry_after_s)
        return 0

    feed = at(upstream.script("/limited", Reply(429, headers={"Retry-After": "3600"})))
    outcome = await run_feed(store, fetcher, feed, now_ms=NOW_MS, next_run=plan)
    assert outcome.retry_after_s == 3600.0
    assert seen == [3600.0]


async def test_a_failure_with_nothing_stored_records_only_the_failure(
    upstream: Upstream, store: RecordingStore, fetcher: Fetcher
) -> None:
    feed = at(upstream.script("/down", Reply(503)))
    outcome = await run_feed(store, fetcher, feed, now_ms=NOW_MS)
    assert outcome.status == "failed"
    assert await store.get(feed.data_key) is None
    meta = await stored(store, feed.seed_meta_key)
    assert set(meta) == {"lastFailure"}
    assert meta["lastFailure"]["kind"] == "http-status"


async def test_consecutive_failures_count_up(
    upstream: Upstream, store: RecordingStore, fetcher: Fetcher
) -> None:
    feed = at(upstream.script("/down", Reply(500)))
    for attempt in range(3):
        await run_feed(store, fetcher, feed, now_ms=NOW_MS + attempt)
    assert FeedState.from_json(await store.get(STATE_KEY)).consecutive_failures == 3


async def test_a_parser_bug_is_an_internal_failure_not_a_crash(
    upstream: Upstream, store: RecordingStore, fetcher: Fetcher
) -> None:
    def broken(payload: bytes) -> ParsedFeed:
        raise KeyError("features")

    feed = at(upstream.file("/q", ConditionalFile(SAMPLE)), parse=broken)
    outcome = await run_feed(store, fetcher, feed, now_ms=NOW_MS)
    assert outcome.failure is not None
    assert outcome.failure.kind == "internal"
    assert "KeyError" in outcome.failure.message


async def test_the_run_deadline_bounds_fetch_and_parse(
    upstream: Upstream, store: RecordingStore, fetcher: Fetcher
) -> None:
    feed = at(upstream.script("/slow", Reply(200, SAMPLE, delay_s=5.0)))
    outcome = await run_feed(store, fetcher, feed, now_ms=NOW_MS, deadline_s=0.2)
    assert outcome.failure is not None
    assert outcome.failure.kind == "timeout"
    assert "deadline of 0.2 s" in outcome.failure.message


async def test_a_feed_key_reaches_no_store_key_or_value_and_no_log_line(
    upstream: Upstream, store: RecordingStore, fetcher: Fetcher, caplog: pytest.LogCaptureFixture
) -> None:
    def build(key: str | None) -> UpstreamRequest:
        return UpstreamRequest(upstream.url("/keyed"), params={"api_key": key or ""})

    def echo_key(payload: bytes) -> ParsedFeed:
        raise FeedFormatError("usgs-earthquakes", f"bad payload for key {SECRET}")

    upstream.file("/keyed", ConditionalFile(SAMPLE))
    feed = at(upstream.url("/keyed"), needs_key="USGS", build_request=build)

    def crash_with_key(payload: bytes) -> ParsedFeed:
        raise RuntimeError(f"a bug that quotes {SECRET}")

    caplog.set_level(logging.DEBUG)
    await run_feed(store, fetcher, feed, now_ms=NOW_MS, key=SECRET)
    await store.delete(feed.data_key)  # no stored body: the next runs fetch and parse in full
    echoed = await run_feed(
        store, fetcher, dataclasses.replace(feed, parse=echo_key), now_ms=NOW_MS + 1, key=SECRET
    )
    assert echoed.failure is not None
    assert echoed.failure.message.endswith("bad payload for key ***")
    await run_feed(
        store, fetcher, dataclasses.replace(feed, parse=crash_with_key), now_ms=NOW_MS + 2, key=SECRET
    )
    upstream.script("/keyed", Reply(503))  # retried, then failed: both logged
    await run_feed(store, fetcher, feed, now_ms=NOW_MS + 3, key=SECRET)
    assert "retry 1 of 1" in caplog.text
    assert "a bug that quotes ***" in caplog.text
    assert SECRET not in caplog.text
    assert SECRET in upstream.hits("/keyed")[0].query
    for key in await store.scan(""):
        assert SECRET not in key
        assert SECRET.encode() not in (await store.get(key) or b"")


# -- the record floor, as a pure rule ----------------------------------------------------------------


def parsed(count: int) -> ParsedFeed:
    return ParsedFeed({}, count, "v", None, None, None)


@pytest.mark.parametrize(
    ("count", "last_good", "fails"),
    [
        (10, None, False),  # nothing stored: anything goes (above min_records)
        (0, None, False),
        (0, 50, True),  # empty while data is stored
        (5, 50, True),  # a 90 % drop
        (6, 50, False),
        (1, 10, True),
        (2, 10, False),
        (500, 50, False),  # growth is fine
    ],
)
def test_check_floor_drop(count: int, last_good: int | None, fails: bool) -> None:
    if fails:
        with pytest.raises((EmptyResultError, RecordFloorError)):
            check_floor(USGS, parsed(count), last_good)
    else:
        check_floor(USGS, parsed(count), last_good)


def test_check_floor_minimum_and_switches() -> None:
    with pytest.raises(RecordFloorError, match="fewer than this feed's floor of 20"):
        check_floor(dataclasses.replace(USGS, min_records=20), parsed(19), None)
    check_floor(dataclasses.replace(USGS, max_drop_fraction=None), parsed(1), 50)
    check_floor(dataclasses.replace(USGS, max_drop_fraction=0.5), parsed(26), 50)
    with pytest.raises(RecordFloorError, match="a drop of at least 50%"):
        check_floor(dataclasses.replace(USGS, max_drop_fraction=0.5), parsed(25), 50)


def test_live_ttl_covers_several_cadences() -> None:
    assert live_ttl_ms(dataclasses.replace(USGS, cadence_s=86_400, cache_ttl_s=3600)) == (
        LIVE_TTL_CADENCES * 86_400 * 1000
    )
