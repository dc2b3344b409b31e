"""OFAC legacy sdn.csv -> sanctions:entities:v1 (seeders/ofac_sdn.py), on the genuine sample."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_checks import FUZZ, HTML_ERROR_PAGE, fuzz_contract, parse_or_own_error, sample

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError, load_snapshot
from worldmonitor_mcp.seeders.ofac_sdn import (
    DATA_KEY,
    NAME,
    SAMPLE_FETCHED_AT_MS,
    count_records,
    countries,
    parse,
    programs,
)
from worldmonitor_mcp.store.sqlite import SqliteStore

SAMPLE = sample("ofac_sdn.csv")
NOW_MS = 1_800_000_000_000


def _row(*fields: str) -> bytes:
    return (",".join(fields) + "\r\n").encode("cp1252")


ROW = (
    "1",
    '"NAME"',
    '"vessel"',
    '"IRAN"',
    "-0- ",
    "-0- ",
    '"Tanker"',
    "-0- ",
    "-0- ",
    '"Iran"',
    "-0- ",
    "-0- ",
)


def test_sample_bytes_are_what_ofac_serves() -> None:
    assert SAMPLE.endswith(b"\r\n\x1a")  # CRLF line ends and the DOS end-of-file byte


def test_sample() -> None:
    parsed = parse(SAMPLE)
    entities = parsed.data
    assert parsed.record_count == len(entities) == 100  # type: ignore[arg-type]
    types = [e["et"] for e in entities]  # type: ignore[attr-defined]
    assert {t: types.count(t) for t in set(types)} == {
        "entity": 50,
        "individual": 25,
        "vessel": 15,
        "aircraft": 10,
    }
    assert entities[0] == {
        "id": "SDN:36",
        "name": "AEROCARIBBEAN AIRLINES",
        "et": "entity",
        "cc": [],
        "pr": ["CUBA"],
    }  # type: ignore[index]
    by_id = {e["id"]: e for e in entities}  # type: ignore[attr-defined]
    assert by_id["SDN:2675"] == {
        "id": "SDN:2675",
        "name": "AL RAHMAN, Shaykh Umar Abd",
        "et": "individual",
        "cc": ["EG"],  # "POB Egypt"
        "pr": ["SDGT"],
    }
    assert by_id["SDN:6704"]["cc"] == ["MX"]  # "POB Mexico."
    assert (by_id["SDN:4238"]["name"], by_id["SDN:4238"]["et"]) == ("MAR AZUL", "vessel")
    assert by_id["SDN:15431"] == {
        "id": "SDN:15431",
        "name": "EP-GOM",
        "et": "aircraft",
        "cc": [],
        "pr": ["SDGT"],
    }
    assert parsed.published_at_ms is None  # sdn.csv carries no date
    assert parsed.source_version == "ofac-sdn-csv"


def test_feed_record() -> None:
    feed = FEEDS[NAME]
    assert feed.data_key == DATA_KEY == "sanctions:entities:v1"
    assert feed.seed_meta_key == "seed-meta:sanctions:entities"
    assert feed.sample_fetched_at_ms == SAMPLE_FETCHED_AT_MS == 1714761780000  # 2024-05-03T18:43Z
    assert "sdn.csv" in feed.file_names


@pytest.mark.anyio
async def test_bundled_sample_is_dated_by_its_download(store: SqliteStore) -> None:
    reports = {r.feed: r for r in await load_snapshot(store, now_ms=NOW_MS)}
    assert (reports[NAME].status, reports[NAME].fetched_at_ms) == ("seeded", SAMPLE_FETCHED_AT_MS)
    raw = await store.get(DATA_KEY)
    assert raw is not None
    assert len(orjson.loads(raw)) == 100


@pytest.mark.parametrize(
    ("field", "codes"),
    [
        ("SDGT] [IRAN-EO13876", ["SDGT", "IRAN-EO13876"]),
        ("IRAN] [IFSR] [IRAN", ["IRAN", "IFSR"]),
        ("SDNTK", ["SDNTK"]),
        ("", []),
        ("not a code!", []),
    ],
)
def test_programs(field: str, codes: list[str]) -> None:
    assert programs(field) == codes


@pytest.mark.parametrize(
    ("flag", "remarks", "codes"),
    [
        ("Iran", "", ["IR"]),
        ("None Identified", "", []),
        ("", "DOB 19 Apr 1947; POB Nahia, Giza, Egypt; nationality Egypt; Gender Male.", ["EG"]),
        ("", "POB al-Jawrah, al-Majdal District, Gaza.", ["PS"]),
        (
            "",
            "citizen Syria; alt. nationality Turkey; Nationality of Registration Panama.",
            ["SY", "TR", "PA"],
        ),
    ],
)
def test_countries(flag: str, remarks: str, codes: list[str]) -> None:
    assert countries(flag, remarks) == codes


def test_windows_1252_and_utf8_both_read() -> None:
    name = '"CAFÉ COMERCIAL"'
    cp1252 = _row("7", name, *ROW[2:])
    utf8 = cp1252.decode("cp1252").encode("utf-8")
    assert parse(cp1252).data == parse(utf8).data
    assert parse(cp1252).data[0]["name"] == "CAFÉ COMERCIAL"  # type: ignore[index]


def test_entity_type_and_end_of_file_byte() -> None:
    parsed = parse(_row(*ROW) + b"\x1a")
    assert parsed.data == [{"id": "SDN:1", "name": "NAME", "et": "vessel", "cc": ["IR"], "pr": ["IRAN"]}]


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (_row(*ROW[:11]), "has 11 fields"),
        (_row("x1", *ROW[1:]), "ent_num"),
        (_row(ROW[0], '""', *ROW[2:]), "SDN_Name"),
        (_row(*ROW[:2], '"submarine"', *ROW[3:]), "SDN_Type"),
        (_row(*ROW) + _row(*ROW), "appears twice"),
        (b"\x81\x8d\x8f\x90\x9d", "neither UTF-8 nor Windows-1252"),
        (HTML_ERROR_PAGE, "HTML page"),
    ],
)
def test_refused(payload: bytes, problem: str) -> None:
    with pytest.raises(FeedFormatError, match=problem):
        parse(payload)


test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count_records, SAMPLE)


@FUZZ
@given(st.integers(0, len(SAMPLE)))
def test_fuzz_truncated_sample(end: int) -> None:
    # Cut inside a record it is refused (too few fields, an open quote); cut between records it is a
    # shorter valid list: the flat file has no end marker to tell.
    parse_or_own_error(parse, NAME, count_records, SAMPLE[:end])
