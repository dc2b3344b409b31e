"""FRED FEDFUNDS observations -> economic:fred:v1:FEDFUNDS:0 (seeders/fred.py), on the genuine sample."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_checks import FUZZ, HTML_ERROR_PAGE, fuzz_contract, parse_or_own_error, sample

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError
from worldmonitor_mcp.seeders.fred import DATA_KEY, MAX_OBSERVATIONS, NAME, count_records, parse

SAMPLE = sample("fred_fedfunds_observations.json")


def _response(*observations: tuple[str, str], **fields: object) -> bytes:
    body: dict[str, object] = {
        "realtime_start": "2026-08-03",
        "units": "lin",
        "observations": [{"date": date, "value": value} for date, value in observations],
    }
    body.update(fields)
    return orjson.dumps(body)


def test_sample_keeps_the_newest_120_months() -> None:
    parsed = parse(SAMPLE)
    series = parsed.data["series"]  # type: ignore[index]
    observations = series["observations"]
    # 319 monthly observations 2000-01 ... 2026-07; WorldMonitor's 120 newest, oldest first.
    assert parsed.record_count == len(observations) == MAX_OBSERVATIONS == 120
    assert observations[0] == {"date": "2016-08-01", "value": 0.4}
    assert observations[-1] == {"date": "2026-07-01", "value": 3.63}  # written "3.6300000000" upstream
    assert (series["seriesId"], series["title"], series["units"], series["frequency"]) == (
        "FEDFUNDS",
        "Federal Funds Effective Rate",
        "Percent",
        "Monthly",
    )
    assert parsed.published_at_ms == 1785715200000  # realtime_start 2026-08-03
    assert parsed.newest_item_at_ms == 1782864000000  # 2026-07-01
    assert parsed.oldest_item_at_ms == 1470009600000  # 2016-08-01


def test_feed_record_and_keyed_request() -> None:
    feed = FEEDS[NAME]
    assert feed.data_key == DATA_KEY == "economic:fred:v1:FEDFUNDS:0"
    assert feed.needs_key == "FRED"
    request = feed.request("secret-key")
    assert "secret-key" not in request.url
    assert "api_key" not in feed.upstream_url
    assert request.params["api_key"] == "secret-key"
    assert request.params["series_id"] == "FEDFUNDS"


def test_missing_values_are_skipped_and_order_restored() -> None:
    parsed = parse(_response(("2026-02-01", "3.6"), ("2026-01-01", "."), ("2025-12-01", "3.64")))
    assert parsed.data["series"]["observations"] == [  # type: ignore[index]
        {"date": "2025-12-01", "value": 3.64},
        {"date": "2026-02-01", "value": 3.6},
    ]


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"{}",
        HTML_ERROR_PAGE,
        b'{"error_code": 400, "error_message": "Bad Request. The value for variable api_key is bad"}',
        _response(("2026-01-01", "abc")),
        _response(("2026-01-01", "NaN")),
        _response(("2026-01-01", "1e999")),
        _response(("01/01/2026", "1")),
        _response(("2026-01-01", "1"), units="pch"),
        _response(("2026-01-01", "1"), realtime_start="today"),
    ],
)
def test_other_payloads_are_refused(payload: bytes) -> None:
    with pytest.raises(
        FeedFormatError, match=r"^fred-fedfunds: unrecognised payload: not a FRED observations"
    ):
        parse(payload)


test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count_records, SAMPLE)


@FUZZ
@given(st.integers(0, len(SAMPLE) - 1))
def test_fuzz_truncated_sample_is_refused(end: int) -> None:
    assert parse_or_own_error(parse, NAME, count_records, SAMPLE[:end]) is None
