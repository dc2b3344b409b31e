"""GDACS RSS -> natural:events:gdacs-rss:v1 (seeders/gdacs_rss.py), on the genuine sample."""

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
from worldmonitor_mcp.seeders.gdacs_rss import DATA_KEY, NAME, count_records, parse

SAMPLE = sample("gdacs_rss.xml")
BOM = b"\xef\xbb\xbf"
DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'


def test_sample_starts_with_the_bom_gdacs_sends() -> None:
    assert SAMPLE.startswith(BOM + DECLARATION)


def test_sample_items() -> None:
    parsed = parse(SAMPLE)
    events = parsed.data["events"]  # type: ignore[index]
    assert parsed.record_count == 2
    assert parsed.published_at_ms == 1733865303000  # channel pubDate Tue, 10 Dec 2024 21:15:03 GMT
    assert parsed.newest_item_at_ms == 1733853875000  # gdacs:fromdate Tue, 10 Dec 2024 18:04:35 GMT
    assert parsed.oldest_item_at_ms == 1733785711000  # gdacs:fromdate Mon, 09 Dec 2024 23:08:31 GMT
    first = events[0]
    assert first["id"] == "gdacs-EQ-1457082"
    assert (first["lat"], first["lon"]) == (51.1125, -177.2133)
    assert (first["magnitude"], first["magnitudeUnit"]) == (5.8, "M")
    assert (first["category"], first["categoryTitle"]) == ("earthquakes", "Earthquake")
    assert (first["alertLevel"], first["country"], first["closed"]) == ("Green", "US", False)
    assert first["sourceUrl"] == "https://www.gdacs.org/report.aspx?eventtype=EQ&eventid=1457082"
    assert first["title"].startswith(
        "Green earthquake alert (Magnitude 5.8M, Depth:28.583km) in United States"
    )
    second = events[1]
    assert second["id"] == "gdacs-EQ-1456937"
    assert (second["lat"], second["lon"]) == (39.174, -119.0181)
    assert "Few people affected (in MMI>=VII)" in second["description"]


def test_feed_record() -> None:
    feed = FEEDS[NAME]
    assert feed.data_key == DATA_KEY == "natural:events:gdacs-rss:v1"
    assert "rss.xml" in feed.file_names


@pytest.mark.parametrize(
    "variant",
    [
        SAMPLE.removeprefix(BOM),  # no byte-order mark
        SAMPLE.removeprefix(BOM + DECLARATION),  # no XML declaration either
        SAMPLE.replace(b"\n", b"\r\n"),  # CRLF line ends
    ],
)
def test_layout_variants_parse_the_same(variant: bytes) -> None:
    assert parse(variant).data == parse(SAMPLE).data


def test_empty_channel_is_an_empty_result() -> None:
    parsed = parse(b"<rss version='2.0'><channel><title>GDACS</title></channel></rss>")
    assert (parsed.record_count, parsed.data) == (0, {"events": []})


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (b"<gdacs:eventid>1457082</gdacs:eventid>", b"", "eventid"),
        (b"<geo:lat>51.1125</geo:lat>", b"<geo:lat>151.1125</geo:lat>", "lat"),
        (
            b"<gdacs:fromdate>Tue, 10 Dec 2024 18:04:35 GMT</gdacs:fromdate>",
            b"<gdacs:fromdate>soon</gdacs:fromdate>",
            "fromdate",
        ),
        (b"<pubDate>Tue, 10 Dec 2024 21:15:03 GMT</pubDate>", b"<pubDate>never</pubDate>", "channel date"),
    ],
)
def test_broken_fields_are_named(old: bytes, new: bytes, problem: str) -> None:
    assert old in SAMPLE
    with pytest.raises(FeedFormatError, match=problem):
        parse(SAMPLE.replace(old, new, 1))


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(UnsafeXmlError, match="refused XML with a DTD"):
        parse(billion_laughs("<rss version='2.0'><channel><title>", "</title></channel></rss>"))


def test_external_entity_is_refused() -> None:
    with pytest.raises(UnsafeXmlError):
        parse(external_entity("<rss version='2.0'><channel><title>", "</title></channel></rss>"))


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (HTML_ERROR_PAGE, "HTML page"),
        (b"", "not well-formed"),
        (sample("ecb_eurofxref_daily.xml"), "expected <rss>"),
        (b"<rss version='2.0'/>", "no <channel>"),
        (sample("nasa_eonet_events.json"), "not well-formed"),
    ],
)
def test_other_payloads_are_refused(payload: bytes, problem: str) -> None:
    with pytest.raises(FeedFormatError, match=problem) as caught:
        parse(payload)
    assert not isinstance(caught.value, UnsafeXmlError)


test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count_records, SAMPLE)


COMPLETE = SAMPLE.rindex(b"</rss>") + len(b"</rss>")
"""Up to here the document is whole; only the trailing ``<!--End ...-->`` comment follows."""


@FUZZ
@given(st.integers(0, COMPLETE - 1))
def test_fuzz_truncated_sample_is_refused(end: int) -> None:
    assert parse_or_own_error(parse, NAME, count_records, SAMPLE[:end]) is None
