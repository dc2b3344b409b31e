"""merge_natural_events (seeders/natural_events.py): EONET, GDACS and ReliefWeb into natural:events:v1."""

from __future__ import annotations

import pytest
from parser_checks import sample

from worldmonitor_mcp.seeders import COMPOSITES, FeedFormatError, eonet, gdacs_geojson, gdacs_rss, reliefweb
from worldmonitor_mcp.seeders.natural_events import (
    DATA_KEY,
    NaturalEvent,
    merge_composite,
    merge_natural_events,
    merge_parsed,
)

EONET = eonet.parse(sample("nasa_eonet_events.json"))
GDACS_RSS = gdacs_rss.parse(sample("gdacs_rss.xml"))
GDACS_GEOJSON = gdacs_geojson.parse(sample("gdacs_events.geojson"))
RELIEFWEB = reliefweb.parse(sample("reliefweb_disasters_v1.json"))


def _event(
    event_id: str, lat: float | None, lon: float | None, date: int, **extra: object
) -> dict[str, object]:
    fields: dict[str, object] = {
        "id": event_id,
        "title": event_id,
        "description": "",
        "category": "floods",
        "categoryTitle": "Flood",
        "lat": lat,
        "lon": lon,
        "date": date,
        "magnitude": None,
        "magnitudeUnit": "",
        "sourceUrl": "",
        "sourceName": "test",
        "closed": False,
        "alertLevel": None,
        "country": None,
        "source": "gdacs",
    }
    fields.update(extra)
    return NaturalEvent.model_validate(fields).model_dump()


def test_key() -> None:
    assert DATA_KEY == "natural:events:v1"


def test_merging_the_genuine_samples() -> None:
    merged = merge_natural_events(GDACS_RSS.data, GDACS_GEOJSON.data, EONET.data, RELIEFWEB.data)
    events = merged["events"]
    ids = [e["id"] for e in events]  # type: ignore[attr-defined]
    # 2 + 20 + 50 + 50 = 122 events; the sources share no id. Three EONET fires sit within 0.1 degree of
    # another of the same category and are dropped: the MATAGORDA SOUTH fire listed twice, and two pairs
    # of neighbouring fires (Apache County, Palm Beach County) that WorldMonitor's rule also merges.
    assert len(ids) == len(set(ids)) == 119
    assert {"EONET_15857", "EONET_15520"} <= set(ids)
    assert not {"EONET_15856", "EONET_15518"} & set(ids)
    assert len({"EONET_15842", "EONET_15846"} & set(ids)) == 1
    dates = [e["date"] for e in events]  # type: ignore[attr-defined]
    assert dates == sorted(dates, reverse=True)


def test_same_id_keeps_the_first_source() -> None:
    first = {"events": [_event("gdacs-EQ-1", 10.0, 20.0, 1_000, title="from RSS")]}
    second = {"events": [_event("gdacs-EQ-1", 10.0, 20.0, 2_000, title="from GeoJSON")]}
    (kept,) = merge_natural_events(first, second)["events"]  # type: ignore[misc]
    assert kept["title"] == "from RSS"


def test_same_place_and_category_is_one_event() -> None:
    gdacs = {"events": [_event("gdacs-FL-1", 10.04, 20.01, 1_000)]}
    eonet_value = {"events": [_event("EONET_9", 9.96, 19.96, 2_000, source="eonet")]}
    other_category = {"events": [_event("EONET_10", 10.0, 20.0, 3_000, category="wildfires", source="eonet")]}
    merged = merge_natural_events(gdacs, eonet_value, other_category)
    assert [e["id"] for e in merged["events"]] == ["EONET_10", "gdacs-FL-1"]  # type: ignore[attr-defined]


def test_events_without_position_are_deduplicated_by_id_only() -> None:
    value = {"events": [_event("reliefweb-1", None, None, 5), _event("reliefweb-2", None, None, 6)]}
    assert len(merge_natural_events(value, value)["events"]) == 2  # type: ignore[arg-type]


def test_missing_sources_are_skipped() -> None:
    assert merge_natural_events(None, GDACS_RSS.data, None) == GDACS_RSS.data
    assert merge_natural_events() == {"events": []}


@pytest.mark.parametrize(
    "value",
    [
        [],
        {"events": [{"id": "x"}]},
        {"events": [{**_event("a", 1.0, 2.0, 3), "lat": 95.0}]},
        {"events": [{**_event("a", 1.0, 2.0, 3), "category": "aliens"}]},
        {"events": [{**_event("a", 1.0, 2.0, 3), "date": "yesterday"}]},
    ],
)
def test_a_value_in_another_shape_is_refused(value: object) -> None:
    with pytest.raises(FeedFormatError, match=r"^natural-events: unrecognised payload: source 1 "):
        merge_natural_events(GDACS_RSS.data, value)


def test_merge_parsed_reports_the_merged_counts_and_the_oldest_publication() -> None:
    merged = merge_parsed([GDACS_RSS, EONET])
    assert merged.record_count == 2 + 50 - 3  # the three EONET neighbours, as above
    assert merged.source_version == "gdacs-rss+eonet-v3"
    assert merged.published_at_ms == GDACS_RSS.published_at_ms  # EONET publishes no time of its own
    assert merged.newest_item_at_ms == EONET.newest_item_at_ms  # 2025-11-08
    assert merged.oldest_item_at_ms == GDACS_RSS.oldest_item_at_ms  # 2024-12-09


def test_composite_merges_in_preference_order_whatever_the_mapping_order() -> None:
    composite = COMPOSITES["natural-events"]
    assert (composite.data_key, composite.seed_meta_key) == ("natural:events:v1", "seed-meta:natural:events")
    assert composite.sources == ("gdacs-rss", "gdacs-geojson", "nasa-eonet", "reliefweb-disasters")
    merged = merge_composite({"nasa-eonet": EONET.data, "gdacs-rss": GDACS_RSS.data})
    assert merged.data == merge_natural_events(GDACS_RSS.data, EONET.data)
    assert merged.source_version == "gdacs-rss+nasa-eonet"
    assert merged.record_count == 49
    assert (merged.newest_item_at_ms, merged.oldest_item_at_ms) == (1762603200000, 1733785711000)
    assert merged.published_at_ms is None


def test_stored_values_beyond_json_integers_are_refused() -> None:
    with pytest.raises(FeedFormatError, match="date"):
        merge_natural_events({"events": [{**_event("a", 1.0, 2.0, 3), "date": 2**70}]})
