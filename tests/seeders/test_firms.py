"""NASA FIRMS active-fire CSV -> wildfire:fires:v1 (seeders/firms.py), on the genuine MODIS sample."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_checks import FUZZ, HTML_ERROR_PAGE, fuzz_contract, parse_or_own_error, sample

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError
from worldmonitor_mcp.seeders.firms import DATA_KEY, NAME, count_records, parse

SAMPLE = sample("nasa_firms_modis_c6_1_global_24h.csv")
VIIRS_HEADER = (
    b"latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,"
    b"version,bright_ti5,frp,daynight\n"
)


def test_sample_counts_and_times() -> None:
    parsed = parse(SAMPLE)
    detections = parsed.data["fireDetections"]  # type: ignore[index]
    assert parsed.record_count == len(detections) == 201
    assert parsed.source_version == "firms-modis-csv"
    assert parsed.published_at_ms is None
    assert parsed.newest_item_at_ms == 1764027300000  # 2025-11-24 2335 UTC
    assert parsed.oldest_item_at_ms == 1763858580000  # 2025-11-23 0043 UTC
    confidences = [d["confidence"] for d in detections]
    assert confidences.count("FIRE_CONFIDENCE_HIGH") == 47  # rows with confidence >= 80
    assert confidences.count("FIRE_CONFIDENCE_LOW") == 9  # rows with confidence < 30


def test_sample_rows_keep_file_order_and_values() -> None:
    detections = parse(SAMPLE).data["fireDetections"]  # type: ignore[index]
    assert detections[0] == {
        "id": "1.49107-127.63165-2025-11-23-0043",
        "location": {"latitude": 1.49107, "longitude": 127.63165},
        "brightness": 306.9,
        "frp": 6.05,
        "confidence": "FIRE_CONFIDENCE_NOMINAL",
        "satellite": "T",
        "detectedAt": 1763858580000,
        "region": "",
        "dayNight": "D",
        "instrument": "MODIS",
        "confidencePercent": 51,
    }
    assert detections[100]["id"] == "17.2032-100.09828-2025-11-24-0805"
    assert detections[100]["satellite"] == "A"
    last = detections[-1]
    assert last["location"] == {"latitude": 38.91511, "longitude": -122.04053}
    assert (last["detectedAt"], last["frp"], last["confidencePercent"]) == (1764024960000, 20.03, 75)


def test_feed_record() -> None:
    feed = FEEDS[NAME]
    assert feed.data_key == DATA_KEY == "wildfire:fires:v1"
    assert feed.seed_meta_key == "seed-meta:wildfire:fires"
    assert "MODIS_C6_1_Global_24h.csv" in feed.file_names


def test_viirs_layout() -> None:
    payload = (
        VIIRS_HEADER
        + b"48.5,35.1,367.2,0.39,0.36,2026-03-01,152,N,VIIRS,h,2.0NRT,290.1,85.3,D\n"
        + b"48.6,35.2,330.0,0.39,0.36,2026-03-01,0153,N20,VIIRS,l,2.0NRT,290.1,3.1,N\n"
    )
    first, second = parse(payload).data["fireDetections"]  # type: ignore[index]
    assert (first["brightness"], first["confidence"], first["instrument"]) == (
        367.2,
        "FIRE_CONFIDENCE_HIGH",
        "VIIRS",
    )
    assert first["detectedAt"] == 1772329920000  # acq_time "152" is 01:52 UTC
    assert "confidencePercent" not in first
    assert second["confidence"] == "FIRE_CONFIDENCE_LOW"


def test_repeated_detection_is_kept_once_and_crlf_is_fine() -> None:
    row = SAMPLE.splitlines()[1]
    payload = SAMPLE.splitlines()[0] + b"\r\n" + row + b"\r\n" + row + b"\r\n"
    assert parse(payload).record_count == 1


def test_header_only_is_an_empty_result() -> None:
    assert parse(SAMPLE.splitlines()[0] + b"\n").data == {"fireDetections": []}


@pytest.mark.parametrize(
    ("replace", "problem"),
    [
        ((b"1.49107,127.63165,306.9", b"91.49107,127.63165,306.9"), "latitude"),
        ((b",0043,T,51,", b",2460,T,51,"), "acq_time"),
        ((b",0043,T,51,", b",0043,T,101,"), "confidence"),
        ((b"2025-11-23,0043", b"2025-13-23,0043"), "acq_date"),
        ((b",6.05,D", b",nan,D"), "frp"),
        ((b",6.05,D", b",6.05,X"), "daynight"),
        ((b",6.05,D\n", b",6.05\n"), "fields"),
    ],
)
def test_bad_rows_are_named(replace: tuple[bytes, bytes], problem: str) -> None:
    old, new = replace
    assert old in SAMPLE
    with pytest.raises(FeedFormatError, match=problem):
        parse(SAMPLE.replace(old, new, 1))


@pytest.mark.parametrize(
    "payload",
    [b"", HTML_ERROR_PAGE, sample("feodo_ipblocklist.csv"), b"latitude,longitude\n1,2\n", b"\xff\xfe\x00"],
)
def test_other_payloads_are_refused(payload: bytes) -> None:
    with pytest.raises(FeedFormatError, match=r"^nasa-firms: unrecognised payload: "):
        parse(payload)


test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count_records, SAMPLE)


@FUZZ
@given(st.integers(0, len(SAMPLE)))
def test_fuzz_truncated_sample(end: int) -> None:
    # A CSV cut at a line end is a shorter valid file; cut mid-row it must not parse as a wrong value
    # silently unless the cut happens to leave a valid row (a shorter last number): the contract holds.
    parse_or_own_error(parse, NAME, count_records, SAMPLE[:end])
