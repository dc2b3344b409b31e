"""Every registered feed has a genuine bundled sample that seeds it, with provenance (snapshot/)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
import pytest
from parser_checks import sample

from worldmonitor_mcp.seeders import FEEDS, load_snapshot, seed_from_dir
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

NOW_MS = 1_800_000_000_000  # 2027-01-15: after every bundled sample

SHA256 = {
    "gdacs_rss.xml": "d21d46552b37cee959a95966db6df331d1c514230aeab411e418a44c165fea4f",
    "gdacs_events.geojson": "3cefdf9d6051514717cd4e13f1ca393d1ed493e2650b703fbd7089b708eb1837",
    "nasa_eonet_events.json": "86cbbbb6b012dc9cb5afaa1f36ce20c1be93736fed17635a5ced5269e07a5669",
    "reliefweb_disasters_v1.json": "ba59037ae936eb6df4d54ec3fe2403e2bad90fc940a1640dca19cb345aa7b7fe",
    "nasa_firms_modis_c6_1_global_24h.csv": (
        "67a79d8bd82ef225175770d4ec012cc2bba6197a4f299863de665a0fb1554c8b"
    ),
    "feodo_ipblocklist.csv": "a692a570df25a369000f90066d9bfd5cca7f36393275124437d6d8d16c325817",
    "polymarket_gamma_markets.json": "86b3941e0d25136645d8740bc16e833b96cfd0327e9735fd88046a204ce4cf08",
    "polymarket_gamma_events.json": "0f47c041113c6b936fc827beba1ab2dca8882ad6a1522249f0e6bf32ae1b4079",
    "kalshi_events.json": "d0e499f08c12c6e270234988036d4bf20d0354b5b40ef33b820cff95f2d013ea",
    "nws_alerts_active.geojson": "361bed0adee0170ce86ea7e03bbdd57c7f506533fb56bd99642738a92049a29e",
    "bbc_world_rss.xml": "b9375d6ffde04f92518bd7e1b64456ca71a59c33ee50d443663d4834cd29430a",
    "aljazeera_all_rss.xml": "163cc62411305df14cea6da2c29bc9e804670a1bec526b318bcb5374c2a55470",
    "npr_news_rss.xml": "f720fd05167d8fd64ba66b4674ef25ee231ab62de4f743d24e6091bcc90a8c69",
    "state_dept_travel_advisories_rss.xml": (
        "fe35144dbf44c5442773b9d4d995676052a1d6da22ab6a7146d875b3d5f5aced"
    ),
    "coingecko_coins_markets.json": "af8cf64f0ed53ddcd92bf24917b2de073b9a2e9f282efdf3452a56e050a10e79",
    "faa_nas_airport_status.xml": "d209ac6c93b0b089a98b1a601e03437a99b9b2da28d1d663be8254a6d5f128cc",
    "fred_fedfunds_observations.json": "fb940b69cb64fa4dd4c9063bccc54aeb424782b8a34481587eff8987391661c8",
    "gdelt_doc_artlist.json": "07dcbc480909561e396fa0e7f3dda620a36c3a0a90fdffe6f887167c65403040",
    "reddit_worldnews_listing.json": "238f225b2187d0f2cc5285ea0d05a3647bf7f991d18d22f407a0fb43e179f06e",
    "ofac_sdn.csv": "3a6a30cbe4c17a2cafeb0f136a1ab486d802e55128b025104ac15ed3324dbe6f",
    "open_meteo_forecast.json": "f801d611c9030f75ec8e064e9fd1ba4eee096a1638622b547419b2f324357b4a",
}
"""Byte-identical copies of the shared genuine samples (../shared/fixtures/upstream); an edit must be
deliberate. The first three bundled samples are pinned in test_snapshot.py."""

RECORDS = {
    "gdacs-rss": 2,
    "gdacs-geojson": 20,
    "nasa-eonet": 50,
    "reliefweb-disasters": 50,
    "nasa-firms": 201,
    "abusech-feodo": 28,
    "polymarket-markets": 8,
    "polymarket-events": 0,
    "kalshi": 0,
    "nws-alerts": 44,
    "bbc-world": 32,
    "aljazeera": 25,
    "npr-news": 10,
    "us-travel-advisories": 22,
    "coingecko-markets": 30,
    "faa-airport-status": 9,
    "fred-fedfunds": 120,
    "gdelt-doc": 50,
    "reddit-worldnews": 10,
    "ofac-sdn": 100,
    "open-meteo-forecast": 52,
}


@pytest.mark.parametrize(("name", "digest"), sorted(SHA256.items()))
def test_bundled_sample_is_untouched(name: str, digest: str) -> None:
    assert hashlib.sha256(sample(name)).hexdigest() == digest


@pytest.mark.parametrize("feed", sorted(FEEDS))
def test_every_feed_has_a_bundled_sample_with_provenance(feed: str) -> None:
    snapshot_file = FEEDS[feed].snapshot_file
    sources = sample("SOURCES.md").decode()
    assert sample(snapshot_file)
    assert sources.count(f"| `{snapshot_file}` |") == 2, "one provenance row and one 'which seeder' row"


@pytest.mark.parametrize(("feed", "records"), sorted(RECORDS.items()))
async def test_load_snapshot_seeds_the_feed(store: SqliteStore, feed: str, records: int) -> None:
    reports = {report.feed: report for report in await load_snapshot(store, now_ms=NOW_MS)}
    report = reports[feed]
    assert (report.status, report.record_count, report.error) == ("seeded", records, None)
    raw_meta = await store.get(FEEDS[feed].seed_meta_key)
    assert raw_meta is not None
    meta = orjson.loads(raw_meta)
    assert meta["recordCount"] == records
    assert meta["fetchedAt"] == report.fetched_at_ms
    raw = await store.get(FEEDS[feed].data_key)
    assert raw is not None
    assert FEEDS[feed].count_records(orjson.loads(raw)) == records


async def test_load_snapshot_fills_the_composite_keys(store: SqliteStore) -> None:
    await load_snapshot(store, now_ms=NOW_MS)
    natural = await store.get("natural:events:v1")
    assert natural is not None
    # GDACS RSS 2 + GDACS GeoJSON 20 + EONET 50 + ReliefWeb 50, less three EONET neighbours.
    assert len(orjson.loads(natural)["events"]) == 119
    natural_meta = await store.get("seed-meta:natural:events")
    assert natural_meta is not None
    meta = orjson.loads(natural_meta)
    assert meta["recordCount"] == 119
    assert meta["fetchedAt"] == 1722470400000  # the oldest source: ReliefWeb, 2024-08-01
    markets = await store.get("prediction:markets-bootstrap:v1")
    assert markets is not None
    assert [len(pool) for pool in orjson.loads(markets).values()] == [0, 0, 3]
    markets_meta = await store.get("seed-meta:prediction:markets")
    assert markets_meta is not None
    assert orjson.loads(markets_meta)["recordCount"] == 3
    news = await store.get("news:insights:v1")
    assert news is not None
    assert len(orjson.loads(news)["topStories"]) == 67  # 32 BBC + 25 Al Jazeera + 10 NPR, none shared


async def test_seed_from_dir_reads_the_upstreams_own_file_names(store: SqliteStore, tmp_path: Path) -> None:
    """Each feed's sample saved under the first name its upstream serves it as (``sdn.csv``, ``rss.xml``)."""
    directory = tmp_path / "feeds"
    directory.mkdir()
    upstream_names = {}
    for name in RECORDS:
        feed = FEEDS[name]
        upstream = next(n for n in feed.file_names if n != feed.snapshot_file)
        (directory / upstream).write_bytes(sample(feed.snapshot_file))
        upstream_names[name] = upstream
    reports = {r.feed: r for r in await seed_from_dir(store, directory, now_ms=NOW_MS) if r.feed in RECORDS}
    for name, records in RECORDS.items():
        report = reports[name]
        assert report.source == str(directory / upstream_names[name])
        if name == "ofac-sdn":  # sdn.csv carries no date: an undated file's age is unknown
            assert report.status == "failed"
            assert "no timestamp" in (report.error or "")
        else:
            assert (report.status, report.record_count) == ("seeded", records), report
