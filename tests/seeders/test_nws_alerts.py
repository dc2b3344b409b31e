"""NWS active alerts GeoJSON -> weather:alerts:v1 (seeders/nws_alerts.py), on the genuine sample."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_checks import FUZZ, HTML_ERROR_PAGE, fuzz_contract, parse_or_own_error, sample

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError
from worldmonitor_mcp.seeders.nws_alerts import DATA_KEY, MAX_ALERTS, NAME, count_records, parse

SAMPLE = sample("nws_alerts_active.geojson")
MARINE = (
    "https://api.weather.gov/alerts/urn:oid:2.49.0.1.840.0.f4abfaf651827b903a59a4cf1bb41d093dc5927a.001.1"
)


def _feature(number: int, severity: str = "Severe", **properties: object) -> dict[str, object]:
    base: dict[str, object] = {
        "event": f"Warning {number}",
        "severity": severity,
        "status": "Actual",
        "sent": "2025-03-17T10:00:00-06:00",
        "areaDesc": "Somewhere",
    }
    base.update(properties)
    return {"id": f"urn:{number}", "type": "Feature", "geometry": None, "properties": base}


def _collection(*features: dict[str, object]) -> bytes:
    return orjson.dumps(
        {"type": "FeatureCollection", "updated": "2025-03-17T17:09:31+00:00", "features": features}
    )


def test_sample_counts_and_times() -> None:
    parsed = parse(SAMPLE)
    alerts = parsed.data["alerts"]  # type: ignore[index]
    # 50 features: 21 Severe, 10 Moderate, 13 Minor, 6 Unknown (one of them the "Test Message").
    assert parsed.record_count == len(alerts) == 44
    assert [a["severity"] for a in alerts] == ["Severe"] * 21 + ["Moderate"] * 10 + ["Minor"] * 13
    assert parsed.published_at_ms == 1742231371000  # "updated": 2025-03-17T17:09:31+00:00
    assert parsed.newest_item_at_ms == 1742230800000  # sent 2025-03-18T02:20:00+10:00
    assert parsed.oldest_item_at_ms == 1741952760000  # sent 2025-03-14T03:46:00-08:00
    assert sum(1 for a in alerts if a["coordinates"]) == 23
    assert all(len(a["description"]) <= 500 for a in alerts)


def test_polygon_alert() -> None:
    alerts = parse(SAMPLE).data["alerts"]  # type: ignore[index]
    marine = alerts[1]
    assert (marine["id"], marine["event"]) == (MARINE, "Special Marine Warning")
    assert marine["coordinates"][:2] == [[-122.94, 37.62], [-122.63, 37.849999999999994]]
    assert len(marine["coordinates"]) == 7  # the closed ring as published
    # The mean of the six distinct points (the ring repeats its first point at the end).
    assert marine["centroid"] == pytest.approx([-122.75166666666667, 37.54])
    assert "centroid" not in alerts[0]


def test_feed_record() -> None:
    feed = FEEDS[NAME]
    assert feed.data_key == DATA_KEY == "weather:alerts:v1"
    assert feed.seed_meta_key == "seed-meta:weather:alerts"


def test_most_severe_first_and_capped() -> None:
    features = [_feature(i, "Minor") for i in range(MAX_ALERTS)] + [_feature(99, "Extreme")]
    alerts = parse(_collection(*features)).data["alerts"]  # type: ignore[index]
    assert len(alerts) == MAX_ALERTS
    assert alerts[0]["id"] == "urn:99"
    assert alerts[1]["id"] == "urn:0"


def test_tests_and_exercises_are_dropped() -> None:
    parsed = parse(_collection(_feature(1, status="Test"), _feature(2, status="Exercise"), _feature(3)))
    assert [a["id"] for a in parsed.data["alerts"]] == ["urn:3"]  # type: ignore[index]


def test_multipolygon_uses_its_first_ring() -> None:
    feature = _feature(1)
    feature["geometry"] = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 0.0]]],
            [[[9.0, 9.0], [9.5, 9.0], [9.0, 9.0]]],
        ],
    }
    (alert,) = parse(_collection(feature)).data["alerts"]  # type: ignore[index]
    assert alert["centroid"] == [4 / 3, 2 / 3]


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Polygon", "coordinates": [[[200.0, 0.0], [0.0, 0.0], [200.0, 0.0]]]},
        {"type": "Polygon", "coordinates": [[["x", 0.0]]]},
        {"type": "Polygon", "coordinates": [[[1.0]]]},
    ],
)
def test_bad_geometry_is_named(geometry: dict[str, object]) -> None:
    feature = _feature(1)
    feature["geometry"] = geometry
    with pytest.raises(FeedFormatError, match="alert urn:1: bad geometry"):
        parse(_collection(feature))


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"{}",
        HTML_ERROR_PAGE,
        _collection(_feature(1, sent="yesterday")),
        orjson.dumps({"type": "FeatureCollection", "updated": "now", "features": []}),
        sample("gdacs_events.geojson"),
    ],
)
def test_other_payloads_are_refused(payload: bytes) -> None:
    with pytest.raises(FeedFormatError, match=r"^nws-alerts: unrecognised payload: not an NWS alerts"):
        parse(payload)


test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count_records, SAMPLE)


@FUZZ
@given(st.integers(0, len(SAMPLE.rstrip()) - 1))
def test_fuzz_truncated_sample_is_refused(end: int) -> None:
    assert parse_or_own_error(parse, NAME, count_records, SAMPLE[:end]) is None
