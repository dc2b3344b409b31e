"""NASA EONET v3 -> natural:events:eonet:v1 (seeders/eonet.py), on the genuine sample."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_checks import FUZZ, HTML_ERROR_PAGE, fuzz_contract, parse_or_own_error, sample

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError
from worldmonitor_mcp.seeders.eonet import DATA_KEY, NAME, count_records, parse

SAMPLE = sample("nasa_eonet_events.json")


def _event(**overrides: object) -> dict[str, object]:
    event: dict[str, object] = {
        "id": "EONET_1",
        "title": "Fire",
        "description": None,
        "link": "https://eonet.gsfc.nasa.gov/api/v3/events/EONET_1",
        "closed": None,
        "categories": [{"id": "wildfires", "title": "Wildfires"}],
        "sources": [{"id": "IRWIN", "url": "https://example.org/1"}],
        "geometry": [
            {
                "magnitudeValue": None,
                "magnitudeUnit": None,
                "date": "2025-01-02T03:04:05Z",
                "type": "Point",
                "coordinates": [10.5, -20.25],
            }
        ],
    }
    event.update(overrides)
    return event


def _document(*events: dict[str, object]) -> bytes:
    return orjson.dumps({"title": "EONET Events", "events": list(events)})


def test_sample_counts_and_order() -> None:
    parsed = parse(SAMPLE)
    events = parsed.data["events"]  # type: ignore[index]
    assert parsed.record_count == len(events) == 50
    assert [e["category"] for e in events].count("wildfires") == 27
    assert [e["category"] for e in events].count("volcanoes") == 10
    assert [e["category"] for e in events].count("seaLakeIce") == 10
    assert [e["category"] for e in events].count("severeStorms") == 3
    assert parsed.newest_item_at_ms == 1762603200000  # 2025-11-08T12:00:00Z, the newest geometry date
    assert parsed.oldest_item_at_ms == 1745452800000  # 2025-04-24T00:00:00Z (Iceberg D36B)
    assert parsed.published_at_ms is None
    assert parsed.source_version == "eonet-v3"
    dates = [e["date"] for e in events]
    assert dates == sorted(dates, reverse=True)


def test_storm_is_placed_at_its_latest_track_point() -> None:
    events = {e["id"]: e for e in parse(SAMPLE).data["events"]}  # type: ignore[index]
    # Typhoon Fung-wong: 11 track points; the last is 2025-11-08T12:00:00Z at 128.1E 13.3N, 95 kts.
    assert events["EONET_15859"] == {
        "id": "EONET_15859",
        "title": "Typhoon Fung-wong",
        "description": "",
        "category": "severeStorms",
        "categoryTitle": "Severe Storms",
        "lat": 13.3,
        "lon": 128.1,
        "date": 1762603200000,
        "magnitude": 95.0,
        "magnitudeUnit": "kts",
        "sourceUrl": "https://www.metoc.navy.mil/jtwc/products/wp3225.tcw",
        "sourceName": "JTWC",
        "closed": False,
        "alertLevel": None,
        "country": None,
        "source": "eonet",
    }
    fire = events["EONET_15807"]
    assert (fire["lat"], fire["lon"]) == (30.92305556, -99.37416667)
    assert fire["date"] == 1760607120000  # 2025-10-16T09:32:00Z
    assert (fire["magnitude"], fire["magnitudeUnit"]) == (500.0, "acres")


def test_feed_record() -> None:
    feed = FEEDS[NAME]
    assert feed.data_key == DATA_KEY == "natural:events:eonet:v1"
    assert feed.snapshot_file == "nasa_eonet_events.json"
    assert count_records(parse(SAMPLE).data) == 50


def test_latest_geometry_wins_whatever_the_order() -> None:
    geometry = [
        {"date": "2025-01-03T00:00:00Z", "type": "Point", "coordinates": [1.0, 2.0]},
        {"date": "2025-01-01T00:00:00Z", "type": "Point", "coordinates": [3.0, 4.0]},
    ]
    (event,) = parse(_document(_event(geometry=geometry))).data["events"]  # type: ignore[index]
    assert (event["lon"], event["lat"]) == (1.0, 2.0)


def test_earthquakes_and_polygons_are_skipped() -> None:
    quake = _event(id="EONET_2", categories=[{"id": "earthquakes", "title": "Earthquakes"}])
    area = _event(
        id="EONET_3",
        geometry=[
            {"date": "2025-01-01T00:00:00Z", "type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 1]]]}
        ],
    )
    parsed = parse(_document(quake, area, _event()))
    assert [e["id"] for e in parsed.data["events"]] == ["EONET_1"]  # type: ignore[index]


def test_unknown_category_is_manmade_and_closed_is_a_flag() -> None:
    event = _event(categories=[{"id": "meteors", "title": "Meteors"}], closed="2025-01-05T00:00:00Z")
    (item,) = parse(_document(event)).data["events"]  # type: ignore[index]
    assert (item["category"], item["categoryTitle"], item["closed"]) == ("manmade", "Meteors", True)


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        (_event(geometry=[]), "geometry"),
        (_event(categories=[]), "categories"),
        (_event(geometry=[{"date": "yesterday", "type": "Point", "coordinates": [0, 0]}]), "date"),
        (
            _event(geometry=[{"date": "2025-01-01T00:00:00Z", "type": "Point", "coordinates": [200, 0]}]),
            "Point",
        ),
        (_event(geometry=[{"date": "2025-01-01T00:00:00Z", "type": "Point", "coordinates": "x"}]), "Point"),
    ],
)
def test_malformed_events_are_refused(event: dict[str, object], problem: str) -> None:
    with pytest.raises(FeedFormatError, match=problem):
        parse(_document(event))


@pytest.mark.parametrize(
    "payload", [b"", b"[]", b'{"events": {}}', HTML_ERROR_PAGE, sample("gdacs_events.geojson")]
)
def test_other_payloads_are_refused(payload: bytes) -> None:
    with pytest.raises(FeedFormatError, match=r"^nasa-eonet: unrecognised payload: not an EONET v3"):
        parse(payload)


test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count_records, SAMPLE)


@FUZZ
@given(st.integers(0, len(SAMPLE)))
def test_fuzz_truncated_sample(end: int) -> None:
    parsed = parse_or_own_error(parse, NAME, count_records, SAMPLE[:end])
    assert parsed is None or end == len(SAMPLE) or SAMPLE[end:].strip() == b""
