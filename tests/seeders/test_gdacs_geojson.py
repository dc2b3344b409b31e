"""GDACS GeoJSON -> natural:events:gdacs-geojson:v1 (seeders/gdacs_geojson.py), on the genuine sample."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_checks import FUZZ, HTML_ERROR_PAGE, fuzz_contract, parse_or_own_error, sample

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError
from worldmonitor_mcp.seeders.gdacs_geojson import DATA_KEY, NAME, count_records, parse

SAMPLE = sample("gdacs_events.geojson")


def _collection(*features: dict[str, object]) -> bytes:
    return orjson.dumps({"type": "FeatureCollection", "metadata": {}, "features": list(features)})


def _centroid(**properties: object) -> dict[str, object]:
    base: dict[str, object] = {
        "eventtype": "FL",
        "eventid": "1",
        "name": "Flood in Peru",
        "alertlevel": "Orange",
        "fromdate": "21 May 2026 01:00:00",
        "iso3": "PER",
        "country": "Peru",
    }
    base.update(properties)
    return {
        "type": "Feature",
        "properties": base,
        "geometry": {"type": "Point", "coordinates": [-70.2, -15.4]},
    }


def test_sample_keeps_the_twenty_centroids() -> None:
    parsed = parse(SAMPLE)
    events = parsed.data["events"]  # type: ignore[index]
    # 22 features: 20 Point centroids (9 DR, 6 FL, 2 EQ, 2 WF, 1 TC) and 2 EQ impact circles.
    assert parsed.record_count == len(events) == 20
    kinds = [e["id"].split("-")[1] for e in events]
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {"DR": 9, "FL": 6, "EQ": 2, "WF": 2, "TC": 1}
    assert parsed.published_at_ms is None
    assert parsed.newest_item_at_ms == 1779894071000  # 27 May 2026 15:01:11 UTC (EQ 1542829)
    assert parsed.oldest_item_at_ms == 1686441600000  # 11 Jun 2023 00:00:00 UTC (DR 1016449)


def test_sample_event_fields() -> None:
    events = {e["id"]: e for e in parse(SAMPLE).data["events"]}  # type: ignore[index]
    cyclone = events["gdacs-TC-1001272"]
    assert cyclone["title"] == "Tropical Cyclone JANGMI-26"
    assert (cyclone["lat"], cyclone["lon"]) == (19.3, 129.0)
    assert (cyclone["category"], cyclone["country"], cyclone["alertLevel"]) == ("severeStorms", "JP", "Green")
    assert cyclone["date"] == 1779861600000  # 27 May 2026 06:00:00
    drought = events["gdacs-DR-1018344"]
    assert (drought["alertLevel"], drought["country"]) == ("Orange", "AO")  # iso3 AGO
    ridge = events["gdacs-EQ-1542825"]
    assert ridge["country"] is None  # "Western Indian-Antarctic Ridge", iso3 ""
    assert (ridge["lat"], ridge["lon"], ridge["magnitude"]) == (-50.5174, 139.3678, None)
    flood = events["gdacs-FL-1103845"]
    assert flood["country"] == "TR"  # "Türkiye"
    assert flood["sourceUrl"] == "https://www.gdacs.org/report.aspx?eventtype=FL&eventid=1103845&episodeid=9"


def test_feed_record() -> None:
    assert FEEDS[NAME].data_key == DATA_KEY == "natural:events:gdacs-geojson:v1"
    assert "gdacs.geojson" in FEEDS[NAME].file_names


def test_non_point_features_are_skipped_without_validation() -> None:
    track = {"type": "Feature", "properties": {"Class": "Line_Line"}, "geometry": {"type": "LineString"}}
    empty = {"type": "Feature", "properties": {}, "geometry": None}
    parsed = parse(_collection(track, empty, _centroid()))
    assert [e["id"] for e in parsed.data["events"]] == ["gdacs-FL-1"]  # type: ignore[index]


def test_country_falls_back_to_the_name() -> None:
    (event,) = parse(_collection(_centroid(iso3="", country="Burma (Myanmar)"))).data["events"]  # type: ignore[index]
    assert event["country"] == "MM"


@pytest.mark.parametrize(
    ("properties", "problem"),
    [
        ({"eventid": "x1"}, "eventid"),
        ({"eventtype": "flood"}, "eventtype"),
        ({"fromdate": "2026-05-21T01:00:00Z"}, "fromdate"),
        ({"fromdate": "31 Feb 2026 00:00:00"}, "fromdate"),
    ],
)
def test_malformed_centroids_are_named(properties: dict[str, object], problem: str) -> None:
    with pytest.raises(FeedFormatError, match=rf"feature 0 .*{problem}"):
        parse(_collection(_centroid(**properties)))


def test_out_of_range_position_is_refused() -> None:
    feature = _centroid()
    feature["geometry"] = {"type": "Point", "coordinates": [190.0, 0.0]}
    with pytest.raises(FeedFormatError, match="out of range"):
        parse(_collection(feature))


@pytest.mark.parametrize("payload", [b"", b"{}", HTML_ERROR_PAGE, sample("nasa_eonet_events.json")])
def test_other_payloads_are_refused(payload: bytes) -> None:
    with pytest.raises(FeedFormatError, match="not a GeoJSON FeatureCollection"):
        parse(payload)


test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count_records, SAMPLE)


@FUZZ
@given(st.integers(0, len(SAMPLE.rstrip()) - 1))
def test_fuzz_truncated_sample_is_refused(end: int) -> None:
    assert parse_or_own_error(parse, NAME, count_records, SAMPLE[:end]) is None
