"""Labels, seed-meta lookup and staleness (the WorldMonitor cache-tool contract)."""

from __future__ import annotations

import pytest

from worldmonitor_mcp.tools import CACHE_TOOLS
from worldmonitor_mcp.tools.freshness import (
    Freshness,
    fetched_at_ms,
    iso_utc,
    label_for_key,
    overall,
    own_meta_key,
)


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("economic:fred:v1:FEDFUNDS:0", "FEDFUNDS"),
        ("seismology:earthquakes:v1", "earthquakes"),
        ("risk:scores:sebuf:stale:v1", "scores"),
        ("theater_posture:sebuf:stale:v1", "theater_posture"),
        ("cyber:threats-bootstrap:v2", "threats-bootstrap"),
        ("v1:2:stale", "v1"),
    ],
)
def test_label_is_last_meaningful_segment(key: str, label: str) -> None:
    assert label_for_key(key) == label


@pytest.mark.parametrize(
    ("key", "meta"),
    [
        ("seismology:earthquakes:v1", "seed-meta:seismology:earthquakes"),
        ("market:stocks-bootstrap:v1", "seed-meta:market:stocks"),
        ("economic:fred:v1:FEDFUNDS:0", "seed-meta:economic:fred"),
        ("cyber:kev:v1", "seed-meta:cyber:kev"),
        ("risk:scores:sebuf:stale:v1", "seed-meta:risk:scores"),
    ],
)
def test_own_meta_key_follows_the_seeder_convention(key: str, meta: str) -> None:
    assert own_meta_key(key) == meta


def test_every_tool_has_unique_labels() -> None:
    for spec in CACHE_TOOLS:
        labels = [label_for_key(k) for k in spec.keys]
        assert len(labels) == len(set(labels)), spec.name


@pytest.mark.parametrize(
    "meta",
    [
        None,
        "x",
        [],
        {},
        {"fetchedAt": None},
        {"fetchedAt": "1700000000000"},
        {"fetchedAt": True},
        {"fetchedAt": -5},
    ],
)
def test_malformed_meta_has_no_fetched_at(meta: object) -> None:
    assert fetched_at_ms(meta) is None


def test_staleness_budget_is_inclusive() -> None:
    fresh = Freshness(fetched_at_ms=1_000_000, max_stale_ms=60_000)
    assert not fresh.stale(1_060_000)
    assert fresh.stale(1_060_001)
    assert fresh.stale_at_ms == 1_060_001
    assert Freshness(None, 60_000).stale(0)


def test_overall_takes_oldest_and_any_stale() -> None:
    parts = [Freshness(2_000_000, 60_000), Freshness(1_990_000, 60_000)]
    assert overall(parts, 2_000_000) == {"cached_at": iso_utc(1_990_000), "stale": False}
    assert overall(parts, 2_050_001)["stale"] is True
    assert overall([], 0) == {"cached_at": None, "stale": True}


def test_iso_utc_format() -> None:
    assert iso_utc(1_604_278_743_000) == "2020-11-02T00:59:03.000Z"
