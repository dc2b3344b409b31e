"""Composite keys (seeders/composite.py): a key merged from several feeds, rebuilt after any source write.

The sources here are two "agencies" publishing USGS-shaped earthquake lists, with genuine USGS events,
merged and deduplicated by event id into one key, the way several agencies feed the earthquakes tool.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import pytest

from worldmonitor_mcp.seeders import (
    COMPOSITES,
    FEEDS,
    Composite,
    ParsedFeed,
    load_snapshot,
    register_composite,
    seed_from_file,
)
from worldmonitor_mcp.seeders.base import newest_oldest
from worldmonitor_mcp.seeders.composite import rebuild_composites
from worldmonitor_mcp.seeders.usgs import FEED as USGS
from worldmonitor_mcp.store import keys
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

NOW_MS = 1_800_000_000_000
SAMPLE = (
    resources.files("worldmonitor_mcp.snapshot").joinpath("usgs_earthquakes_4.5_week.geojson").read_bytes()
)

AGENCY_A = dataclasses.replace(
    USGS, name="quakes-a", resource="quakes-a", data_key="test:quakes-a:v1", file_names=USGS.file_names
)
AGENCY_B = dataclasses.replace(
    USGS, name="quakes-b", resource="quakes-b", data_key="test:quakes-b:v1", file_names=USGS.file_names
)


def merge_quakes(sources: Mapping[str, Any]) -> ParsedFeed:
    """Agency A first; an event B also reports (same id) is kept once."""
    seen: set[str] = set()
    merged = []
    for name in ("quakes-a", "quakes-b"):
        for quake in sources.get(name, {}).get("earthquakes", []):
            if quake["id"] not in seen:
                seen.add(quake["id"])
                merged.append(quake)
    newest, oldest = newest_oldest(quake["occurredAt"] for quake in merged)
    return ParsedFeed({"earthquakes": merged}, len(merged), "a+b", None, newest, oldest)


QUAKES = Composite(
    name="quakes",
    domain="test",
    resource="quakes",
    data_key="test:quakes:v1",
    sources=("quakes-a", "quakes-b"),
    merge=merge_quakes,
    cache_ttl_s=3600,
)


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Composite:
    """The two agencies and their composite, registered for one test only."""
    monkeypatch.setitem(FEEDS, AGENCY_A.name, AGENCY_A)
    monkeypatch.setitem(FEEDS, AGENCY_B.name, AGENCY_B)
    monkeypatch.setattr("worldmonitor_mcp.seeders.composite.COMPOSITES", dict(COMPOSITES))
    return register_composite(QUAKES)


def sample_with(first: int, last: int) -> bytes:
    document = orjson.loads(SAMPLE)
    document["features"] = document["features"][first:last]
    return orjson.dumps(document)


async def stored(store: SqliteStore, key: str) -> Any:
    raw = await store.get(key)
    return None if raw is None else orjson.loads(raw)


async def test_file_seeding_a_source_rebuilds_the_composite(
    registered: Composite, store: SqliteStore, tmp_path: Path
) -> None:
    (tmp_path / "a.geojson").write_bytes(sample_with(0, 30))
    (tmp_path / "b.geojson").write_bytes(sample_with(20, 50))  # 10 events overlap with A

    await seed_from_file(store, AGENCY_A, tmp_path / "a.geojson", now_ms=NOW_MS)
    only_a = await stored(store, QUAKES.data_key)
    assert len(only_a["earthquakes"]) == 30  # B has no data yet: merged from what is there

    await seed_from_file(store, AGENCY_B, tmp_path / "b.geojson", now_ms=NOW_MS)
    merged = await stored(store, QUAKES.data_key)
    ids = [quake["id"] for quake in merged["earthquakes"]]
    assert len(ids) == len(set(ids)) == 50
    meta = await stored(store, QUAKES.seed_meta_key)
    assert meta["recordCount"] == 50
    assert meta["sourceVersion"] == "a+b"
    assert meta["fetchedAt"] == 1604278743000  # the oldest source's (both carry the sample's own time)
    assert set(meta["sources"]) == {"quakes-a", "quakes-b"}
    assert meta["sources"]["quakes-b"]["recordCount"] == 30
    assert "lastFailure" not in meta


async def test_composite_fetched_at_is_its_oldest_source(registered: Composite, store: SqliteStore) -> None:
    for feed, fetched_at, newest in ((AGENCY_A, 1000, 900), (AGENCY_B, 2000, 1900)):
        data = {"earthquakes": [{"id": feed.name, "occurredAt": newest}]}
        meta = {"fetchedAt": fetched_at, "recordCount": 1, "newestItemAt": newest, "oldestItemAt": newest}
        await store.set_many({feed.data_key: orjson.dumps(data), feed.seed_meta_key: orjson.dumps(meta)})
    assert await rebuild_composites(store, "quakes-a", live=True) == ["quakes"]
    meta = await stored(store, QUAKES.seed_meta_key)
    assert (meta["fetchedAt"], meta["newestItemAt"], meta["oldestItemAt"]) == (1000, 1900, 900)


async def test_a_failing_source_shows_in_the_composite_meta(
    registered: Composite, store: SqliteStore
) -> None:
    failure = {"at": 5000, "kind": "timeout", "message": "quakes-b: slow"}
    await store.set_many(
        {
            AGENCY_A.data_key: orjson.dumps({"earthquakes": []}),
            AGENCY_A.seed_meta_key: orjson.dumps({"fetchedAt": 1000, "recordCount": 0}),
            AGENCY_B.data_key: orjson.dumps({"earthquakes": []}),
            AGENCY_B.seed_meta_key: orjson.dumps(
                {"fetchedAt": 900, "recordCount": 0, "lastFailure": failure}
            ),
        }
    )
    await rebuild_composites(store, "quakes-b", live=True)
    assert (await stored(store, QUAKES.seed_meta_key))["lastFailure"] == {**failure, "feed": "quakes-b"}


async def test_no_source_data_writes_nothing(registered: Composite, store: SqliteStore) -> None:
    assert await rebuild_composites(store, "quakes-a", live=True) == []
    assert await store.get(QUAKES.data_key) is None


async def test_a_feed_outside_every_composite_rebuilds_nothing(
    registered: Composite, store: SqliteStore
) -> None:
    assert await rebuild_composites(store, "cisa-kev", live=True) == []
    assert await rebuild_composites(store, live=True) == []


async def test_two_sources_seeded_together_rebuild_their_composite_once(
    registered: Composite, store: SqliteStore
) -> None:
    for feed in (AGENCY_A, AGENCY_B):
        await store.set_many({feed.data_key: orjson.dumps({"earthquakes": []})})
    version = await store.data_version()
    assert await rebuild_composites(store, "quakes-a", "quakes-b", live=False) == ["quakes"]
    assert await store.data_version() == version + 1


async def test_loading_the_snapshot_again_rewrites_no_composite(
    registered: Composite, store: SqliteStore
) -> None:
    await load_snapshot(store, now_ms=NOW_MS)
    version = await store.data_version()
    await load_snapshot(store, now_ms=NOW_MS + 1)
    assert await store.data_version() == version


async def test_a_merge_bug_is_logged_and_leaves_the_sources(
    registered: Composite,
    store: SqliteStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(sources: Mapping[str, Any]) -> ParsedFeed:
        raise ZeroDivisionError("bug")

    from worldmonitor_mcp.seeders import composite

    monkeypatch.setitem(composite.COMPOSITES, "quakes", dataclasses.replace(QUAKES, merge=broken))
    (tmp_path / "a.geojson").write_bytes(SAMPLE)
    with caplog.at_level(logging.ERROR):
        report = await seed_from_file(store, AGENCY_A, tmp_path / "a.geojson", now_ms=NOW_MS)
    assert report.status == "seeded"
    assert await store.get(AGENCY_A.data_key) is not None
    assert await store.get(QUAKES.data_key) is None
    assert "composite quakes: merge failed" in caplog.text
    assert await store.get(keys.composite_lock(QUAKES.data_key)) is None  # the lock was released


async def test_a_busy_composite_lock_is_waited_for_then_skipped(
    registered: Composite, store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    await store.set_many({AGENCY_A.data_key: orjson.dumps({"earthquakes": []})})
    await store.acquire_lock(keys.composite_lock(QUAKES.data_key), "other-instance", 60_000)
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    with caplog.at_level(logging.WARNING):
        assert await rebuild_composites(store, "quakes-a", live=True, sleep=fake_sleep) == []
    assert sum(waits) >= 10.0
    assert "rebuild skipped" in caplog.text


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"name": "usgs-earthquakes"}, "already registered"),
        ({"sources": ()}, "has no sources"),
        ({"sources": ("quakes-a", "nowhere")}, r"register the feeds \['nowhere'\] first"),
        ({"data_key": "seismology:earthquakes:v1"}, "already written"),
        ({"resource": "earthquakes", "domain": "seismology"}, "already written"),
    ],
)
def test_register_composite_refuses_mistakes(
    registered: Composite, changes: dict[str, Any], problem: str
) -> None:
    fields: dict[str, Any] = {"name": "other", "resource": "other", "data_key": "test:other:v1", **changes}
    with pytest.raises(ValueError, match=problem):
        register_composite(dataclasses.replace(QUAKES, **fields))


def test_register_composite_refuses_a_second_writer_of_its_key(registered: Composite) -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_composite(QUAKES)
    with pytest.raises(ValueError, match="already written"):
        register_composite(dataclasses.replace(QUAKES, name="again"))
