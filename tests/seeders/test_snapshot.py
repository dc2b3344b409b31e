"""load_snapshot and seed_from_dir (seeders/snapshot.py), into a real SqliteStore."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import orjson
import pytest

from worldmonitor_mcp.errors import StoreUnavailableError
from worldmonitor_mcp.seeders import (
    FEEDS,
    Feed,
    SeedError,
    SeedReport,
    load_snapshot,
    load_snapshot_if_empty,
    seed_from_dir,
)
from worldmonitor_mcp.seeders.usgs import FEED as USGS
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

NOW_MS = 1_800_000_000_000  # 2027-01-15: every bundled sample is years older

BUNDLED_SHA256 = {
    "usgs_earthquakes_4.5_week.geojson": "32742269b2477b7de3ead6aebc111890654a57f23f85609571a06514a04fdfb0",
    "cisa_kev.json": "1d979b7e4144e4e67b86adf6ac1889810b71bd3dd5dbb30cc7c1a7386c9aada1",
    "ecb_eurofxref_daily.xml": "bf002ad632246595b970d704732fcfd035086f7f89c706768a4dafbf3c0c8a86",
    "ecb_eurofxref_hist_5d.xml": "a616941a3ce220cebd659a374c4313236a5ee8648b5403f2930f62f97abff9b8",
}
"""The genuine samples are byte-identical copies; an edit, even a newline, must be deliberate."""


def _bundled(name: str) -> bytes:
    return resources.files("worldmonitor_mcp.snapshot").joinpath(name).read_bytes()


async def _json(store: SqliteStore, key: str) -> object:
    raw = await store.get(key)
    assert raw is not None, key
    return orjson.loads(raw)


ORIGINAL_FEEDS = ("usgs-earthquakes", "cisa-kev", "ecb-fx-rates")
"""The feeds these tests look at in detail; every other feed has its own test file beside its parser."""


def _original(reports: list[SeedReport]) -> list[SeedReport]:
    return [report for report in reports if report.feed in ORIGINAL_FEEDS]


def _by_feed(reports: list[SeedReport]) -> dict[str | None, SeedReport]:
    return {report.feed: report for report in reports if report.status != "unrecognised"}


@pytest.mark.parametrize(("name", "digest"), sorted(BUNDLED_SHA256.items()))
def test_bundled_samples_are_untouched(name: str, digest: str) -> None:
    assert hashlib.sha256(_bundled(name)).hexdigest() == digest


def test_bundled_provenance_is_shipped() -> None:
    sources = _bundled("SOURCES.md").decode()
    for name in BUNDLED_SHA256:
        assert f"`{name}`" in sources


async def test_load_snapshot_seeds_every_feed_with_its_real_time(store: SqliteStore) -> None:
    reports = await load_snapshot(store, now_ms=NOW_MS)
    assert [
        (r.status, r.feed, r.key, r.record_count, r.fetched_at_ms, r.error) for r in _original(reports)
    ] == [
        ("seeded", "usgs-earthquakes", "seismology:earthquakes:v1", 50, 1604278743000, None),
        ("seeded", "cisa-kev", "cyber:kev:v1", 100, 1756141459979, None),
        ("seeded", "ecb-fx-rates", "economic:ecb-fx-rates:v1", 31, 1657288800000, None),
    ]
    assert all(report.ok for report in reports)

    quakes = await _json(store, "seismology:earthquakes:v1")
    assert quakes["earthquakes"][0]["id"] == "us7000c93g"  # type: ignore[index]
    kev = await _json(store, "cyber:kev:v1")
    assert kev["vulnerabilities"][0]["cveID"] == "CVE-2025-48384"  # type: ignore[index]
    fx = await _json(store, "economic:ecb-fx-rates:v1")
    assert fx["rates"]["EURUSD"]["rate"] == 1.0163  # type: ignore[index]

    assert await _json(store, "seed-meta:seismology:earthquakes") == {
        "fetchedAt": 1604278743000,  # metadata.generated, not NOW_MS: the data is honestly old
        "recordCount": 50,
        "sourceVersion": "usgs-4.5-week",
        "newestItemAt": 1604272175397,
        "oldestItemAt": 1604024781314,
    }
    assert await _json(store, "seed-meta:cyber:kev") == {
        "fetchedAt": 1756141459979,
        "recordCount": 100,
        "sourceVersion": "cisa-kev-2025.08.25",
        "newestItemAt": 1756080000000,
        "oldestItemAt": 1742342400000,
    }
    assert await _json(store, "seed-meta:economic:ecb-fx-rates") == {
        "fetchedAt": 1657288800000,
        "recordCount": 31,
        "sourceVersion": "ecb-eurofxref-daily",
        "newestItemAt": 1657288800000,
        "oldestItemAt": 1657288800000,
    }
    assert await _json(store, "wm:snapshot-loaded") == {
        "loadedAt": NOW_MS,
        "feeds": {name: "seeded" for name in FEEDS},
    }


async def test_snapshot_keys_do_not_expire(store: SqliteStore) -> None:
    await load_snapshot(store, now_ms=NOW_MS)
    row = store._db.execute(  # the only way to see a TTL through the SQLite backend
        "SELECT count(*) FROM kv WHERE expires_at_ms IS NOT NULL"
    ).fetchone()
    assert row[0] == 0


async def test_load_snapshot_twice_changes_nothing(store: SqliteStore) -> None:
    await load_snapshot(store, now_ms=NOW_MS)
    version = await store.data_version()
    reports = await load_snapshot(store, now_ms=NOW_MS + 1)
    assert [report.status for report in reports] == ["skipped"] * len(FEEDS)
    assert "already holds data from 2020-11-02T00:59:03Z" in (reports[0].error or "")
    assert await store.data_version() == version


async def test_snapshot_never_replaces_newer_data(store: SqliteStore) -> None:
    newer = orjson.dumps({"fetchedAt": NOW_MS, "recordCount": 1, "sourceVersion": "usgs-4.5-day"})
    await store.set_many({USGS.data_key: b'{"earthquakes":[{"id":"live"}]}', USGS.seed_meta_key: newer})
    reports = _by_feed(await load_snapshot(store, now_ms=NOW_MS))
    assert reports["usgs-earthquakes"].status == "skipped"
    assert reports["cisa-kev"].status == "seeded"
    assert await _json(store, USGS.data_key) == {"earthquakes": [{"id": "live"}]}


async def test_one_broken_feed_does_not_stop_the_others(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = Feed(
        name="broken",
        domain="test",
        resource="broken",
        data_key="test:broken:v1",
        parse=USGS.parse,
        count_records=USGS.count_records,
        upstream_url="https://example.invalid/",
        snapshot_file="no-such-sample.json",
        file_names=("no-such-sample.json",),
        cache_ttl_s=60,
    )
    monkeypatch.setitem(FEEDS, "broken", broken)
    reports = _by_feed(await load_snapshot(store, now_ms=NOW_MS))
    assert reports["broken"].status == "failed"
    assert "broken" in (reports["broken"].error or "")
    assert [reports[name].status for name in ("usgs-earthquakes", "cisa-kev", "ecb-fx-rates")] == [
        "seeded"
    ] * 3


class _DownStore(SqliteStore):
    async def set_many(self, items: Mapping[str, bytes], ttl_ms: int | None = None) -> None:
        raise StoreUnavailableError(log_reason="sqlite error: disk I/O error")


async def test_store_outage_is_reported_per_feed() -> None:
    down = _DownStore(":memory:")
    reports = await load_snapshot(down, now_ms=NOW_MS)
    assert [report.status for report in reports] == ["failed"] * len(FEEDS)
    assert reports[0].error == "usgs-earthquakes: store unavailable (sqlite error: disk I/O error)"
    await down.aclose()


async def test_data_from_the_future_is_refused(store: SqliteStore) -> None:
    reports = _original(await load_snapshot(store, now_ms=1_500_000_000_000))  # 2017: before these samples
    assert [report.status for report in reports] == ["failed"] * 3
    assert "in the future of this machine's clock" in (reports[0].error or "")


# -- seed_from_dir ------------------------------------------------------------------------------------


@pytest.fixture
def feed_dir(tmp_path: Path) -> Path:
    """An empty directory of its own (the store's file lives in tmp_path)."""
    directory = tmp_path / "feeds"
    directory.mkdir()
    return directory


async def test_seed_from_dir_with_upstream_file_names(store: SqliteStore, feed_dir: Path) -> None:
    (feed_dir / "4.5_week.geojson").write_bytes(_bundled("usgs_earthquakes_4.5_week.geojson"))
    (feed_dir / "known_exploited_vulnerabilities.json").write_bytes(_bundled("cisa_kev.json"))
    (feed_dir / "eurofxref-daily.xml").write_bytes(_bundled("ecb_eurofxref_daily.xml"))
    (feed_dir / "notes.txt").write_text("not a feed")
    (feed_dir / "archive").mkdir()

    reports = [r for r in await seed_from_dir(store, feed_dir, now_ms=NOW_MS) if r.status != "missing"]

    assert [(r.status, r.feed, r.source, r.fetched_at_ms) for r in reports] == [
        ("seeded", "usgs-earthquakes", str(feed_dir / "4.5_week.geojson"), 1604278743000),
        ("seeded", "cisa-kev", str(feed_dir / "known_exploited_vulnerabilities.json"), 1756141459979),
        ("seeded", "ecb-fx-rates", str(feed_dir / "eurofxref-daily.xml"), 1657288800000),
        ("unrecognised", None, str(feed_dir / "archive"), None),
        ("unrecognised", None, str(feed_dir / "notes.txt"), None),
    ]
    assert "no feed reads a file named 'notes.txt'" in (reports[4].error or "")
    assert "a directory" in (reports[3].error or "")
    meta = await _json(store, "seed-meta:cyber:kev")
    assert meta["fetchedAt"] == 1756141459979  # type: ignore[index]


async def test_seed_from_dir_prefers_the_newest_file(store: SqliteStore, feed_dir: Path) -> None:
    (feed_dir / "ecb_eurofxref_hist_5d.xml").write_bytes(_bundled("ecb_eurofxref_hist_5d.xml"))  # 2018
    (feed_dir / "ecb_eurofxref_daily.xml").write_bytes(_bundled("ecb_eurofxref_daily.xml"))  # 2022

    reports = [r for r in await seed_from_dir(store, feed_dir, now_ms=NOW_MS) if r.feed == "ecb-fx-rates"]

    assert [(r.status, Path(r.source or "").name) for r in reports] == [
        ("seeded", "ecb_eurofxref_daily.xml"),
        ("skipped", "ecb_eurofxref_hist_5d.xml"),
    ]
    fx = await _json(store, "economic:ecb-fx-rates:v1")
    assert fx["updatedAt"] == "2022-07-08T14:00:00Z"  # type: ignore[index]


async def test_seed_from_dir_reports_missing_and_broken_feeds(store: SqliteStore, feed_dir: Path) -> None:
    (feed_dir / "cisa_kev.json").write_bytes(b"<html><body>Access denied</body></html>")
    (feed_dir / "eurofxref-hist-90d.xml").write_bytes(_bundled("ecb_eurofxref_hist_5d.xml"))

    reports = _by_feed(await seed_from_dir(store, feed_dir, now_ms=NOW_MS))

    assert reports["usgs-earthquakes"].status == "missing"
    assert "looked for usgs_earthquakes_4.5_week.geojson" in (reports["usgs-earthquakes"].error or "")
    assert reports["cisa-kev"].status == "failed"
    assert "HTML page" in (reports["cisa-kev"].error or "")
    assert reports["ecb-fx-rates"].status == "seeded"
    fx = await _json(store, "economic:ecb-fx-rates:v1")
    assert fx["rates"]["EURUSD"]["change1d"] == -0.0043  # type: ignore[index]
    assert await store.get("cyber:kev:v1") is None


async def test_seed_from_dir_needs_a_directory(store: SqliteStore, feed_dir: Path) -> None:
    with pytest.raises(SeedError, match="is not a directory"):
        await seed_from_dir(store, feed_dir / "nowhere", now_ms=NOW_MS)


async def test_seed_from_dir_prefers_history_for_the_same_day(store: SqliteStore, feed_dir: Path) -> None:
    history = _bundled("ecb_eurofxref_hist_5d.xml")
    # The history file puts one day per line; its first line alone, closed, is that day's daily file.
    first_day = history.splitlines()[0] + b"</Cube></gesmes:Envelope>"
    (feed_dir / "eurofxref-daily.xml").write_bytes(first_day)
    (feed_dir / "eurofxref-hist-90d.xml").write_bytes(history)

    reports = [r for r in await seed_from_dir(store, feed_dir, now_ms=NOW_MS) if r.feed == "ecb-fx-rates"]

    assert [(r.status, Path(r.source or "").name) for r in reports] == [
        ("seeded", "eurofxref-hist-90d.xml"),
        ("skipped", "eurofxref-daily.xml"),
    ]
    fx = await _json(store, "economic:ecb-fx-rates:v1")
    assert fx["rates"]["EURUSD"]["change1d"] == -0.0043  # type: ignore[index]


async def test_load_snapshot_if_empty_fills_an_empty_store_once(store: SqliteStore) -> None:
    first = await load_snapshot_if_empty(store)
    assert first is not None
    assert [r.status for r in first] == ["seeded"] * len(FEEDS)
    assert await load_snapshot_if_empty(store) is None


async def test_load_snapshot_if_empty_leaves_a_live_worldmonitor_store_alone(store: SqliteStore) -> None:
    """A WorldMonitor Redis holds data without our marker or seed-meta: an old sample must not replace it."""
    await store.set("seismology:earthquakes:v1", b'{"earthquakes": [{"id": "live"}]}')
    assert await load_snapshot_if_empty(store) is None
    assert await store.get("seismology:earthquakes:v1") == b'{"earthquakes": [{"id": "live"}]}'
    assert await store.get("cyber:kev:v1") is None
