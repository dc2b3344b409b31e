"""Open-Meteo forecast -> weather:forecast:v1 (seeders/open_meteo.py), on the genuine multi-model sample."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_checks import FUZZ, HTML_ERROR_PAGE, fuzz_contract, parse_or_own_error, sample

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError
from worldmonitor_mcp.seeders.open_meteo import DATA_KEY, NAME, count_records, parse

SAMPLE = sample("open_meteo_forecast.json")


def _forecast(hourly: dict[str, object], **fields: object) -> bytes:
    body: dict[str, object] = {"latitude": 1.0, "longitude": 2.0, "timezone": "GMT", "hourly": hourly}
    body.update(fields)
    return orjson.dumps(body)


def test_sample() -> None:
    parsed = parse(SAMPLE)
    data = parsed.data
    assert (data["latitude"], data["longitude"], data["elevation"], data["timezone"]) == (
        45.75,
        12.75,
        5.0,
        "GMT",
    )  # type: ignore[index]
    days = {model: len(summary) for model, summary in data["models"].items()}  # type: ignore[index]
    # 13 models requested; gem_regional and bom_access_global have no temperature at all.
    assert days == {
        "cma_grapes_global": 6,
        "dmi_harmonie_arome_europe": 3,
        "ecmwf_ifs": 7,
        "ecmwf_ifs025": 7,
        "gfs_global": 7,
        "icon_d2": 3,
        "icon_global": 7,
        "italia_meteo_arpae_icon_2i": 4,
        "knmi_harmonie_arome_europe": 3,
        "meteofrance_arpege_europe": 5,
    }
    assert parsed.record_count == 52
    assert parsed.published_at_ms == parsed.oldest_item_at_ms == 1763942400000  # 2025-11-24T00:00 GMT
    assert parsed.newest_item_at_ms == 1764543600000  # 2025-11-30T23:00 GMT
    assert data["models"]["ecmwf_ifs025"][0] == {  # type: ignore[index]
        "date": "2025-11-24",
        "temperatureMin": 2.0,
        "temperatureMax": 6.1,
        "precipitationSum": 7.0,
        "hours": 24,
    }
    assert data["models"]["icon_d2"][-1]["hours"] == 7  # type: ignore[index]  # ICON-D2 stops at 2025-11-26T06:00


def test_sample_days_match_the_hourly_values() -> None:
    raw = json.loads(SAMPLE)
    hourly = raw["hourly"]
    for model, days in parse(SAMPLE).data["models"].items():  # type: ignore[attr-defined]
        for day in days:
            hours = [i for i, t in enumerate(hourly["time"]) if t.startswith(day["date"])]
            temps = [
                hourly[f"temperature_2m_{model}"][i]
                for i in hours
                if hourly[f"temperature_2m_{model}"][i] is not None
            ]
            assert (day["temperatureMin"], day["temperatureMax"], day["hours"]) == (
                min(temps),
                max(temps),
                len(temps),
            )


def test_feed_record() -> None:
    feed = FEEDS[NAME]
    assert feed.data_key == DATA_KEY == "weather:forecast:v1"
    assert DATA_KEY != "climate:anomalies:v1"  # a forecast is not an anomaly against normals


def test_single_model_and_local_time() -> None:
    hourly = {
        "time": ["2026-01-01T23:00", "2026-01-02T00:00", "2026-01-02T01:00"],
        "temperature_2m": [1.5, None, -2.0],
        "precipitation": [0.2, 0.1, None],
    }
    parsed = parse(_forecast(hourly, timezone="Europe/Rome", utc_offset_seconds=3600))
    assert parsed.data["models"] == {  # type: ignore[index]
        "best_match": [
            {
                "date": "2026-01-01",
                "temperatureMin": 1.5,
                "temperatureMax": 1.5,
                "precipitationSum": 0.2,
                "hours": 1,
            },
            {
                "date": "2026-01-02",
                "temperatureMin": -2.0,
                "temperatureMax": -2.0,
                "precipitationSum": None,
                "hours": 1,
            },
        ]
    }
    assert parsed.published_at_ms == 1767304800000  # 2026-01-01T23:00 at UTC+1 is 22:00 UTC


@pytest.mark.parametrize(
    ("hourly", "problem"),
    [
        ({"time": ["2026-01-01T00:00"], "relative_humidity_2m": [50]}, "no hourly 'temperature_2m'"),
        ({"time": ["2026-01-01T00:00"], "temperature_2m": [1.0, 2.0]}, "not a list as long"),
        ({"time": ["yesterday"], "temperature_2m": [1.0]}, "does not match"),
        ({"time": ["2026-01-01T00:00"], "temperature_2m": ["warm"]}, "model best_match"),
        ({"time": [], "temperature_2m": []}, "time"),
    ],
)
def test_broken_forecasts_are_refused(hourly: dict[str, object], problem: str) -> None:
    with pytest.raises(FeedFormatError, match=problem):
        parse(_forecast(hourly))


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"{}",
        HTML_ERROR_PAGE,
        b'{"error": true, "reason": "Cannot initialize WeatherVariable from invalid String value"}',
    ],
)
def test_other_payloads_are_refused(payload: bytes) -> None:
    with pytest.raises(
        FeedFormatError, match=r"^open-meteo-forecast: unrecognised payload: not an Open-Meteo"
    ):
        parse(payload)


test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count_records, SAMPLE)


@FUZZ
@given(st.integers(0, len(SAMPLE) - 1))
def test_fuzz_truncated_sample_is_refused(end: int) -> None:
    assert parse_or_own_error(parse, NAME, count_records, SAMPLE[:end]) is None
