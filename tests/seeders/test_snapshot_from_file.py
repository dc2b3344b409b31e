"""seed_from_file (seeders/snapshot.py): one saved upstream response through one named feed's parser."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import orjson
import pytest

from worldmonitor_mcp.seeders import FEEDS, seed_from_file
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

NOW_MS = 1_800_000_000_000
KEV = FEEDS["cisa-kev"]


def sample(name: str) -> bytes:
    return resources.files("worldmonitor_mcp.snapshot").joinpath(name).read_bytes()


async def test_any_file_name_is_seeded_through_the_named_feed(store: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "saved-by-hand.json"
    path.write_bytes(sample("cisa_kev.json"))
    report = await seed_from_file(store, KEV, path, now_ms=NOW_MS)
    assert (report.status, report.feed, report.record_count) == ("seeded", "cisa-kev", 100)
    assert report.fetched_at_ms == 1756141459979  # the catalog's own dateReleased
    meta = orjson.loads(await store.get(KEV.seed_meta_key) or b"{}")
    assert meta["fetchedAt"] == 1756141459979


async def test_a_file_replaces_newer_data_the_operator_asked_for_it(
    store: SqliteStore, tmp_path: Path
) -> None:
    path = tmp_path / "kev.json"
    path.write_bytes(sample("cisa_kev.json"))
    await store.set_many(
        {KEV.data_key: b'{"vulnerabilities": [1]}', KEV.seed_meta_key: b'{"fetchedAt": 9e15}'}
    )
    assert (await seed_from_file(store, KEV, path, now_ms=NOW_MS)).status == "seeded"


async def test_a_file_of_another_feed_fails_and_writes_nothing(store: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "quakes.geojson"
    path.write_bytes(sample("usgs_earthquakes_4.5_week.geojson"))
    report = await seed_from_file(store, KEV, path, now_ms=NOW_MS)
    assert (report.status, report.ok) == ("failed", False)
    assert report.error is not None
    assert report.error.startswith("cisa-kev: unrecognised payload: not a CISA KEV catalog")
    assert await store.get(KEV.data_key) is None


async def test_a_missing_file_is_a_failed_report(store: SqliteStore, tmp_path: Path) -> None:
    report = await seed_from_file(store, KEV, tmp_path / "nope.json", now_ms=NOW_MS)
    assert report.status == "failed"
    assert "cannot read" in (report.error or "")
