"""ReliefWeb disasters -> natural:events:reliefweb:v1 (seeders/reliefweb.py), on the genuine v1 sample."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_checks import FUZZ, HTML_ERROR_PAGE, fuzz_contract, parse_or_own_error, sample

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError
from worldmonitor_mcp.seeders.reliefweb import DATA_KEY, NAME, count_records, parse

SAMPLE = sample("reliefweb_disasters_v1.json")


def _response(*disasters: dict[str, object], version: str = "v2") -> bytes:
    return orjson.dumps(
        {"href": f"https://api.reliefweb.int/{version}/disasters", "totalCount": 1, "data": list(disasters)}
    )


def test_sample_counts_and_times() -> None:
    parsed = parse(SAMPLE)
    assert parsed.record_count == 50  # the file's "count" (1000) describes the untrimmed response
    assert parsed.source_version == "reliefweb-v1"
    assert parsed.published_at_ms is None
    assert parsed.newest_item_at_ms == 1722470400000  # "Chad: Floods - Aug 2024" -> 2024-08-01
    assert parsed.oldest_item_at_ms == 1577836800000  # "Novel Coronavirus Outbreak - Jan 2020" -> 2020-01-01


def test_sample_disasters() -> None:
    events = {e["id"]: e for e in parse(SAMPLE).data["events"]}  # type: ignore[index]
    assert events["reliefweb-52108"] == {
        "id": "reliefweb-52108",
        "title": "Chad: Floods - Aug 2024",
        "description": "ReliefWeb status: ongoing. GLIDE FL-2024-000139-TCD.",
        "category": "floods",
        "categoryTitle": "Flood",
        "lat": None,
        "lon": None,
        "date": 1722470400000,
        "magnitude": None,
        "magnitudeUnit": "",
        "sourceUrl": "https://api.reliefweb.int/v1/disasters/52108",
        "sourceName": "ReliefWeb",
        "closed": False,
        "alertLevel": None,
        "country": "TD",
        "source": "reliefweb",
    }
    assert events["reliefweb-52091"]["category"] == "severeStorms"  # TC-2024-000127-CHN, Typhoon Gaemi
    assert events["reliefweb-52091"]["country"] == "CN"
    assert events["reliefweb-52036"]["closed"] is True  # status "past"
    assert events["reliefweb-51970"]["closed"] is True  # status "alert-archive"
    assert events["reliefweb-51984"]["country"] == "VN"  # "Viet Nam: Drought", GLIDE ...-VNM
    covid = events["reliefweb-49848"]  # GLIDE EP-2020-000012-001: no single country
    assert (covid["category"], covid["categoryTitle"], covid["country"]) == ("manmade", "Epidemic", None)


def test_feed_record() -> None:
    assert FEEDS[NAME].data_key == DATA_KEY == "natural:events:reliefweb:v1"


def test_v2_fields_are_used_when_present() -> None:
    disaster = {
        "id": "7",
        "href": "https://api.reliefweb.int/v2/disasters/7",
        "fields": {
            "name": "Tropical Cyclone X - May 2026",
            "status": "alert",
            "glide": "",
            "date": {"created": "2026-05-03T10:00:00+00:00"},
            "primary_country": {"name": "Madagascar", "iso3": "mdg"},
            "type": [{"name": "Tropical Cyclone"}],
            "url": "https://reliefweb.int/disaster/tc-2026-000001-mdg",
        },
    }
    parsed = parse(_response(disaster))
    (event,) = parsed.data["events"]  # type: ignore[index]
    assert parsed.source_version == "reliefweb-v2"
    assert (event["date"], event["country"], event["categoryTitle"]) == (
        1777802400000,
        "MG",
        "Tropical Cyclone",
    )
    assert event["sourceUrl"] == "https://reliefweb.int/disaster/tc-2026-000001-mdg"


def test_country_from_the_name_without_glide() -> None:
    disaster = {"id": "8", "fields": {"name": "Kosovo: Floods - Jan 2025", "status": "past"}}
    (event,) = parse(_response(disaster)).data["events"]  # type: ignore[index]
    assert (event["country"], event["date"], event["category"]) == ("XK", 1735689600000, "manmade")


def test_a_disaster_without_any_date_is_named() -> None:
    with pytest.raises(FeedFormatError, match="disaster 9: no date"):
        parse(_response({"id": "9", "fields": {"name": "Somewhere: Floods"}}))


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"{}",
        HTML_ERROR_PAGE,
        orjson.dumps({"href": "https://api.reliefweb.int/v1/reports", "data": []}),
        _response({"id": "x", "fields": {"name": "A - Jan 2024"}}),
        _response({"id": "1", "fields": {"name": ""}}),
    ],
)
def test_other_payloads_are_refused(payload: bytes) -> None:
    with pytest.raises(FeedFormatError, match="not a ReliefWeb disasters response"):
        parse(payload)


test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count_records, SAMPLE)


@FUZZ
@given(st.integers(0, len(SAMPLE.rstrip()) - 1))
def test_fuzz_truncated_sample_is_refused(end: int) -> None:
    assert parse_or_own_error(parse, NAME, count_records, SAMPLE[:end]) is None
