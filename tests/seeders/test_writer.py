"""write_feed and the seed-meta it writes (seeders/writer.py), against a real SqliteStore."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

import orjson
import pytest

from worldmonitor_mcp.seeders import FEEDS, EmptyResultError, ParsedFeed, write_feed
from worldmonitor_mcp.seeders.writer import stored_fetched_at_ms
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

NOW_MS = 1_800_000_000_000
USGS = FEEDS["usgs-earthquakes"]


def _usgs_sample() -> ParsedFeed:
    payload = resources.files("worldmonitor_mcp.snapshot").joinpath("usgs_earthquakes_4.5_week.geojson")
    return USGS.parse(payload.read_bytes())


def _empty() -> ParsedFeed:
    return ParsedFeed({"earthquakes": []}, 0, "usgs-4.5-week", 1_700_000_000_000, None, None)


async def _json(store: SqliteStore, key: str) -> object:
    raw = await store.get(key)
    assert raw is not None, key
    return orjson.loads(raw)


async def test_writes_data_and_seed_meta_together(store: SqliteStore) -> None:
    parsed = _usgs_sample()
    version = await store.data_version()
    await write_feed(store, USGS, parsed, now_ms=NOW_MS)
    assert await _json(store, "seismology:earthquakes:v1") == parsed.data
    assert await _json(store, "seed-meta:seismology:earthquakes") == {
        "fetchedAt": NOW_MS,
        "recordCount": 50,
        "sourceVersion": "usgs-4.5-week",
        "newestItemAt": 1604272175397,
        "oldestItemAt": 1604024781314,
    }
    assert await store.data_version() == version + 1  # one set_many, one version bump


async def test_fetched_at_can_be_the_datas_own_time(store: SqliteStore) -> None:
    parsed = _usgs_sample()
    await write_feed(store, USGS, parsed, now_ms=NOW_MS, fetched_at_ms=parsed.published_at_ms)
    meta = await _json(store, USGS.seed_meta_key)
    assert meta["fetchedAt"] == 1604278743000  # type: ignore[index]
    assert await stored_fetched_at_ms(store, USGS) == 1604278743000


async def test_empty_result_never_replaces_data(store: SqliteStore) -> None:
    await write_feed(store, USGS, _usgs_sample(), now_ms=NOW_MS)
    before = (await store.get(USGS.data_key), await store.get(USGS.seed_meta_key), await store.data_version())
    with pytest.raises(EmptyResultError, match=r"^usgs-earthquakes: .*keeping the 50 records already stored"):
        await write_feed(store, USGS, _empty(), now_ms=NOW_MS + 1)
    after = (await store.get(USGS.data_key), await store.get(USGS.seed_meta_key), await store.data_version())
    assert after == before


async def test_empty_result_never_replaces_data_of_unknown_shape(store: SqliteStore) -> None:
    await store.set(USGS.data_key, orjson.dumps({"_seed": {"fetchedAt": 1}, "data": {"earthquakes": [1]}}))
    with pytest.raises(EmptyResultError, match="data already stored"):
        await write_feed(store, USGS, _empty(), now_ms=NOW_MS)


async def test_empty_result_is_written_when_nothing_is_stored(store: SqliteStore) -> None:
    await write_feed(store, USGS, _empty(), now_ms=NOW_MS)
    assert await _json(store, USGS.data_key) == {"earthquakes": []}
    meta = await _json(store, USGS.seed_meta_key)
    assert meta["recordCount"] == 0  # type: ignore[index]
    # ... and a later empty result may replace an empty one.
    await write_feed(store, USGS, _empty(), now_ms=NOW_MS + 1)


class _RecordingStore(SqliteStore):
    def __init__(self) -> None:
        super().__init__(":memory:")
        self.calls: list[tuple[dict[str, bytes], int | None]] = []

    async def set_many(self, items: Mapping[str, bytes], ttl_ms: int | None = None) -> None:
        self.calls.append((dict(items), ttl_ms))
        await super().set_many(items, ttl_ms)


async def test_ttl_applies_to_both_keys() -> None:
    recording = _RecordingStore()
    await write_feed(recording, USGS, _usgs_sample(), now_ms=NOW_MS, ttl_ms=USGS.cache_ttl_s * 1000)
    await write_feed(recording, USGS, _usgs_sample(), now_ms=NOW_MS)
    assert [(sorted(items), ttl) for items, ttl in recording.calls] == [
        (["seed-meta:seismology:earthquakes", "seismology:earthquakes:v1"], 21_600_000),
        (["seed-meta:seismology:earthquakes", "seismology:earthquakes:v1"], None),
    ]
    await recording.aclose()


async def test_stored_fetched_at_needs_the_data_key(store: SqliteStore) -> None:
    await store.set(USGS.seed_meta_key, orjson.dumps({"fetchedAt": 5, "recordCount": 1, "sourceVersion": ""}))
    assert await stored_fetched_at_ms(store, USGS) is None  # seed-meta outlived its data
    await store.set(USGS.data_key, b"{}")
    assert await stored_fetched_at_ms(store, USGS) == 5
    await store.set(USGS.seed_meta_key, b"not json")
    assert await stored_fetched_at_ms(store, USGS) is None
