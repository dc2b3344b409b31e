"""USGS summary GeoJSON -> seismology:earthquakes:v1 (seeders/usgs.py), on the genuine 4.5_week sample."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parser_checks import parse_or_own_error, sample

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError, ParsedFeed
from worldmonitor_mcp.seeders.usgs import DATA_KEY, parse

SAMPLE = sample("usgs_earthquakes_4.5_week.geojson")

_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _feature(**overrides: object) -> dict[str, object]:
    feature: dict[str, object] = {
        "type": "Feature",
        "id": "us1",
        "properties": {"mag": 5.1, "place": "Somewhere", "time": 1_600_000_000_000, "url": "https://x/us1"},
        "geometry": {"type": "Point", "coordinates": [10.0, 20.0, 30.5]},
    }
    feature.update(overrides)
    return feature


def _collection(*features: dict[str, object]) -> bytes:
    return orjson.dumps(
        {
            "type": "FeatureCollection",
            "metadata": {"generated": 1_600_000_100_000, "url": "https://x/summary/all_hour.geojson"},
            "features": list(features),
        }
    )


def test_sample_first_earthquake_has_worldmonitor_shape() -> None:
    parsed = parse(SAMPLE)
    assert parsed.data["earthquakes"][0] == {  # type: ignore[index]
        "id": "us7000c93g",
        "place": "11 km WSW of Kerasochóri, Greece",
        "magnitude": 4.8,
        "depthKm": 10,
        "location": {"latitude": 38.9744, "longitude": 21.5078},
        "occurredAt": 1604272175397,
        "sourceUrl": "https://earthquake.usgs.gov/earthquakes/eventpage/us7000c93g",
    }


def test_sample_counts_and_times() -> None:
    parsed = parse(SAMPLE)
    # The sample keeps 50 of the feed's 103 features; metadata.count still says 103 (SOURCES.md).
    assert parsed.record_count == 50
    assert parsed.published_at_ms == 1604278743000  # metadata.generated, 2020-11-02T00:59:03Z
    assert parsed.newest_item_at_ms == 1604272175397
    assert parsed.oldest_item_at_ms == 1604024781314
    assert parsed.source_version == "usgs-4.5-week"
    assert FEEDS["usgs-earthquakes"].count_records(parsed.data) == 50


def test_output_round_trips_through_json() -> None:
    parsed = parse(SAMPLE)
    assert json.loads(orjson.dumps(parsed.data)) == parsed.data


def test_feed_record() -> None:
    feed = FEEDS["usgs-earthquakes"]
    assert feed.data_key == DATA_KEY == "seismology:earthquakes:v1"
    assert feed.seed_meta_key == "seed-meta:seismology:earthquakes"
    assert "4.5_week.geojson" in feed.file_names
    assert "significant_month.geojson" in feed.file_names


def test_missing_magnitude_and_place_are_kept_honest() -> None:
    quake = _feature(properties={"mag": None, "place": None, "time": 1, "url": "https://x"})
    earthquake = parse(_collection(quake)).data["earthquakes"][0]  # type: ignore[index]
    assert earthquake["magnitude"] is None
    assert earthquake["place"] == ""


def test_empty_feature_list_parses_to_zero_records() -> None:
    parsed = parse(_collection())
    assert parsed.record_count == 0
    assert parsed.newest_item_at_ms is None
    assert parsed.source_version == "usgs-all-hour"


def test_other_json_is_rejected_with_the_feed_name() -> None:
    with pytest.raises(FeedFormatError, match=r"^usgs-earthquakes: .*not a USGS GeoJSON FeatureCollection"):
        parse(sample("cisa_kev.json"))


def test_html_error_page_is_named() -> None:
    with pytest.raises(FeedFormatError, match="HTML page"):
        parse(b"<!DOCTYPE html><html><body>503 Service Unavailable</body></html>")


def test_empty_payload_is_named() -> None:
    with pytest.raises(FeedFormatError, match="payload is empty"):
        parse(b"")


def test_error_points_at_the_bad_field() -> None:
    broken = _feature(geometry={"type": "Point", "coordinates": [10.0, 95.0, 1.0]})
    with pytest.raises(FeedFormatError, match=r"features\.0\.geometry\.coordinates\.1"):
        parse(_collection(broken))


def test_number_sent_as_string_is_schema_drift() -> None:
    drifted = _feature(properties={"mag": "5.1", "place": "x", "time": 1, "url": "https://x"})
    with pytest.raises(FeedFormatError, match=r"features\.0\.properties\.mag"):
        parse(_collection(drifted))


def test_missing_geometry_is_rejected() -> None:
    broken = _feature()
    del broken["geometry"]
    with pytest.raises(FeedFormatError, match="geometry"):
        parse(_collection(broken))


def _parse_or_own_error(payload: bytes) -> ParsedFeed | None:
    """The fuzz contract (parser_checks.parse_or_own_error), with the count read from the data."""
    return parse_or_own_error(parse, "usgs-earthquakes", lambda data: len(data["earthquakes"]), payload)


@_FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_arbitrary_bytes(payload: bytes) -> None:
    _parse_or_own_error(payload)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@_FUZZ
@given(_json)
def test_fuzz_arbitrary_json(value: object) -> None:
    _parse_or_own_error(json.dumps(value).encode())


@_FUZZ
@given(st.integers(0, len(SAMPLE)), st.integers(0, 400), st.binary(max_size=8))
def test_fuzz_damaged_sample(start: int, length: int, insert: bytes) -> None:
    _parse_or_own_error(SAMPLE[:start] + insert + SAMPLE[start + length :])


@_FUZZ
@given(_json, _json, _json, _json)
def test_fuzz_feature_fields(
    properties: object, geometry: object, feature_id: object, generated: object
) -> None:
    feature = {"type": "Feature", "id": feature_id, "properties": properties, "geometry": geometry}
    payload = {"type": "FeatureCollection", "metadata": {"generated": generated}, "features": [feature]}
    _parse_or_own_error(json.dumps(payload).encode())


@pytest.mark.parametrize("field", ["time", "generated"])
def test_absurd_times_are_a_format_error_not_a_crash(field: str) -> None:
    """Regression (found by hypothesis): an integer past 64 bits used to escape as TypeError at encoding."""
    payload = json.loads(SAMPLE)
    if field == "time":
        payload["features"][0]["properties"]["time"] = 10**20
    else:
        payload["metadata"]["generated"] = 10**20
    with pytest.raises(FeedFormatError):
        parse(json.dumps(payload).encode())
