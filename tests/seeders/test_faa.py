"""FAA NAS airport status XML -> aviation:delays-bootstrap:v1 (seeders/faa.py), on the genuine sample."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_checks import (
    FUZZ,
    HTML_ERROR_PAGE,
    billion_laughs,
    external_entity,
    fuzz_contract,
    parse_or_own_error,
    sample,
)

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError, UnsafeXmlError
from worldmonitor_mcp.seeders.faa import DATA_KEY, NAME, count_records, minutes, parse

SAMPLE = sample("faa_nas_airport_status.xml")
HEAD = "<AIRPORT_STATUS_INFORMATION><Update_Time>Sat Aug 15 19:38:46 2026 GMT</Update_Time>"
TAIL = "</AIRPORT_STATUS_INFORMATION>"


def _document(*delay_types: str) -> bytes:
    return (HEAD + "".join(delay_types) + TAIL).encode()


def test_sample() -> None:
    parsed = parse(SAMPLE)
    alerts = parsed.data["alerts"]  # type: ignore[index]
    # SFO (ground delay programme + departure delay) and eight NOTAM closures in two closure lists.
    assert parsed.record_count == len(alerts) == 9
    assert parsed.published_at_ms == 1786822726000  # Update_Time Sat Aug 15 19:38:46 2026 GMT
    assert [a["iata"] for a in alerts] == ["SFO", "PVD", "CYS", "LAX", "HNL", "PHL", "LAS", "ASE", "SAN"]
    sfo = alerts[0]
    assert (sfo["id"], sfo["delayType"], sfo["avgDelayMinutes"], sfo["severity"]) == (
        "faa-SFO",
        "FLIGHT_DELAY_TYPE_GROUND_DELAY",
        36,
        "FLIGHT_DELAY_SEVERITY_MODERATE",
    )
    assert sfo["details"] == [
        {"kind": "ground_delay", "reason": "low ceilings", "avgMinutes": 36, "maxMinutes": 95},
        {
            "kind": "departure_delay",
            "reason": "RWY:Construction",
            "minMinutes": 31,
            "maxMinutes": 45,
            "trend": "Increasing",
        },
    ]
    lax = alerts[3]
    assert (lax["delayType"], lax["avgDelayMinutes"], lax["severity"]) == (
        "FLIGHT_DELAY_TYPE_CLOSURE",
        None,
        "FLIGHT_DELAY_SEVERITY_UNSPECIFIED",
    )
    assert lax["reason"].startswith("!LAX 05/277 LAX AD AP CLSD TO NON SKED TRANSIENT GA ACFT")
    assert (lax["details"][0]["start"], lax["details"][0]["reopen"]) == (
        "May 27 at 18:26 UTC.",
        "May 28 at 16:00 UTC.",
    )
    assert all(a["country"] == "US" and a["location"] is None for a in alerts)


def test_feed_record() -> None:
    feed = FEEDS[NAME]
    assert feed.data_key == DATA_KEY == "aviation:delays-bootstrap:v1"
    assert feed.seed_meta_key == "seed-meta:aviation:faa"


def test_ground_stop_outranks_everything() -> None:
    parsed = parse(
        _document(
            "<Delay_type><Name>Ground Delay Programs</Name><Ground_Delay_List><Ground_Delay><ARPT>EWR</ARPT>"
            "<Reason>weather</Reason><Avg>2 hours</Avg><Max>3 hours and 5 minutes</Max></Ground_Delay>"
            "</Ground_Delay_List></Delay_type>",
            "<Delay_type><Name>Ground Stops</Name><Ground_Stop_List><Program><ARPT>EWR</ARPT>"
            "<Reason>thunderstorms</Reason><End_Time>8:45 pm EDT</End_Time></Program></Ground_Stop_List>"
            "</Delay_type>",
            "<Delay_type><Name>General Arrival/Departure Delay Info</Name>"
            "<Arrival_Departure_Delay_List><Delay><ARPT>JFK</ARPT><Reason>volume</Reason>"
            "<Arrival_Departure Type='Arrival'><Min>15 minutes</Min>"
            "<Max>29 minutes</Max><Trend>Decreasing</Trend></Arrival_Departure></Delay>"
            "</Arrival_Departure_Delay_List></Delay_type>",
        )
    )
    ewr, jfk = parsed.data["alerts"]  # type: ignore[index]
    assert (ewr["delayType"], ewr["avgDelayMinutes"], ewr["severity"]) == (
        "FLIGHT_DELAY_TYPE_GROUND_STOP",
        60,
        "FLIGHT_DELAY_SEVERITY_MAJOR",
    )
    assert [d["kind"] for d in ewr["details"]] == ["ground_stop", "ground_delay"]
    assert ewr["details"][1]["avgMinutes"] == 120
    assert (jfk["delayType"], jfk["avgDelayMinutes"], jfk["severity"]) == (
        "FLIGHT_DELAY_TYPE_ARRIVAL_DELAY",
        22,
        "FLIGHT_DELAY_SEVERITY_MINOR",
    )


@pytest.mark.parametrize(
    ("text", "value"), [("36 minutes", 36), ("1 hour and 35 minutes", 95), ("2 hours", 120), ("1 hour", 60)]
)
def test_minutes(text: str, value: int) -> None:
    assert minutes(text) == value


def test_absurd_durations_are_not_durations() -> None:
    with pytest.raises(ValueError, match="not a duration"):
        minutes("99999999999999999999999 minutes")


def test_no_delays_is_an_empty_result() -> None:
    assert parse(_document()).data == {"alerts": []}


@pytest.mark.parametrize(
    ("delay_type", "problem"),
    [
        (
            "<Delay_type><Ground_Delay_List><Ground_Delay><ARPT>SFO</ARPT><Avg>soon</Avg><Max>1 hour</Max>"
            "</Ground_Delay></Ground_Delay_List></Delay_type>",
            "not a duration",
        ),
        (
            "<Delay_type><Airport_Closure_List><Airport><Reason>x</Reason></Airport></Airport_Closure_List></Delay_type>",
            "ARPT",
        ),
        (
            "<Delay_type><Airport_Closure_List><Airport><ARPT>not an airport</ARPT></Airport>"
            "</Airport_Closure_List></Delay_type>",
            "not an airport code",
        ),
        (
            "<Delay_type><Arrival_Departure_Delay_List><Delay><ARPT>SFO</ARPT>"
            "<Arrival_Departure Type='Sideways'><Min>1 minute</Min><Max>2 minutes</Max></Arrival_Departure>"
            "</Delay></Arrival_Departure_Delay_List></Delay_type>",
            "Type 'Sideways'",
        ),
    ],
)
def test_broken_entries_are_named(delay_type: str, problem: str) -> None:
    with pytest.raises(FeedFormatError, match=problem):
        parse(_document(delay_type))


def test_hostile_xml_is_refused() -> None:
    with pytest.raises(UnsafeXmlError):
        parse(
            billion_laughs(
                "<AIRPORT_STATUS_INFORMATION><Update_Time>", "</Update_Time></AIRPORT_STATUS_INFORMATION>"
            )
        )
    with pytest.raises(UnsafeXmlError):
        parse(
            external_entity(
                "<AIRPORT_STATUS_INFORMATION><Dtd_File>", "</Dtd_File></AIRPORT_STATUS_INFORMATION>"
            )
        )


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (b"", "not well-formed"),
        (HTML_ERROR_PAGE, "HTML page"),
        (sample("gdacs_rss.xml"), "expected <AIRPORT_STATUS_INFORMATION>"),
        (b"<AIRPORT_STATUS_INFORMATION/>", "Update_Time"),
        (_document().replace(b"Sat Aug 15", b"Sat Aug 45"), "Update_Time"),
    ],
)
def test_other_payloads_are_refused(payload: bytes, problem: str) -> None:
    with pytest.raises(FeedFormatError, match=problem):
        parse(payload)


test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count_records, SAMPLE)


@FUZZ
@given(st.integers(0, len(SAMPLE) - 1))
def test_fuzz_truncated_sample_is_refused(end: int) -> None:
    assert parse_or_own_error(parse, NAME, count_records, SAMPLE[:end]) is None
