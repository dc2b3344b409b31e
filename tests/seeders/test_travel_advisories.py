"""State Department travel advisories RSS -> intelligence:advisories-bootstrap:v1
(seeders/travel_advisories.py), on the genuine 2021 sample and the 2025-26 layout."""

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
from worldmonitor_mcp.seeders.travel_advisories import DATA_KEY, NAME, count_records, country_of, parse

SAMPLE = sample("state_dept_travel_advisories_rss.xml")

LAYOUT_2025 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
  <channel>
    <title>travel.state.gov: Travel Advisories</title>
    <link>https://travel.state.gov/content/travel/en/traveladvisories/traveladvisories.html</link>
    <description>Travel Advisories</description>
    <pubDate>Fri, 03 Oct 2025 14:05:00 GMT</pubDate>
    <dc:date>2025-10-03T14:05:00Z</dc:date>
    <item>
      <category domain="Country-Tag">GM</category>
      <category domain="Threat-Level">Level 2: Exercise Increased Caution</category>
      <title>Germany - Level 2: Exercise Increased Caution</title>
      <link>https://travel.state.gov/content/travel/en/traveladvisories/traveladvisories/germany-travel-advisory.html</link>
      <guid>https://travel.state.gov/content/travel/en/traveladvisories/traveladvisories/germany-travel-advisory.html</guid>
      <pubDate>Tue, 24 Jun 2025 00:00:00 GMT</pubDate>
      <description><![CDATA[<p>Exercise increased caution in Germany due to terrorism.</p>]]></description>
    </item>
    <item>
      <pubDate>Mon, 14 Jul 2025 10:30:00 -0400</pubDate>
      <title>Cote d'Ivoire - Level 2: Exercise Increased Caution</title>
      <link>https://travel.state.gov/content/travel/en/traveladvisories/traveladvisories/cote-divoire-travel-advisory.html</link>
      <category domain="Threat-Level">Level 2: Exercise Increased Caution</category>
    </item>
  </channel>
</rss>
"""
"""Written for this test after the 2025-26 layout SOURCES.md describes (pretty-printed, https links, a channel
pubDate/dc:date, other element order); not a genuine capture."""


def test_sample_counts_and_times() -> None:
    parsed = parse(SAMPLE)
    data = parsed.data
    assert parsed.record_count == len(data["advisories"]) == 22  # type: ignore[index]
    assert parsed.published_at_ms == 1613952000000  # no channel date in 2021: newest item, 22 Feb 2021
    assert parsed.newest_item_at_ms == 1613952000000
    assert parsed.oldest_item_at_ms == 1547510400000  # Worldwide Caution, Tue, 15 Jan 2019
    assert data["fetchedAt"] == "2021-02-22T00:00:00Z"  # type: ignore[index]


def test_sample_advisories_and_levels() -> None:
    data = parse(SAMPLE).data
    first, *_, last = data["advisories"]  # type: ignore[index]
    assert first == {
        "title": "Chad - Level 3: Reconsider Travel",
        "link": "http://travel.state.gov/content/travel/en/traveladvisories/traveladvisories/chad-travel-advisory.html",
        "pubDate": "2021-02-22T00:00:00Z",
        "source": "US State Dept",
        "sourceCountry": "US",
        "level": "reconsider",
        "country": "TD",  # the feed's Country-Tag says CD (FIPS 10-4)
    }
    assert (last["title"], last["level"], last["country"]) == ("Worldwide Caution - Caution", "info", "")
    by_country = data["byCountry"]  # type: ignore[index]
    assert len(by_country) == 21
    assert by_country["MM"] == "do-not-travel"  # "Burma (Myanmar)", Country-Tag BM
    assert by_country["SN"] == "reconsider"  # Senegal, Country-Tag SG (Singapore in ISO)
    assert by_country["VU"] == "caution"  # Vanuatu, Country-Tag NH
    assert by_country["TW"] == "normal"
    assert data["byCountryName"]["KP"] == "North Korea"  # type: ignore[index]


def test_feed_record() -> None:
    feed = FEEDS[NAME]
    assert feed.data_key == DATA_KEY == "intelligence:advisories-bootstrap:v1"
    assert feed.seed_meta_key == "seed-meta:intelligence:advisories"
    assert "TAsTWs.xml" in feed.file_names


def test_2025_layout() -> None:
    parsed = parse(LAYOUT_2025)
    assert parsed.published_at_ms == 1759500300000  # channel pubDate Fri, 03 Oct 2025 14:05:00 GMT
    advisories = parsed.data["advisories"]  # type: ignore[index]
    assert [(a["country"], a["level"], a["pubDate"]) for a in advisories] == [
        ("CI", "caution", "2025-07-14T14:30:00Z"),
        ("DE", "caution", "2025-06-24T00:00:00Z"),  # Country-Tag GM is FIPS for Germany
    ]


@pytest.mark.parametrize(
    ("title", "country"),
    [
        ("Burma (Myanmar) - Level 4: Do Not Travel", "MM"),
        ("The Bahamas - Level 2: Exercise Increased Caution", "BS"),
        ("Kosovo - Level 2: Exercise Increased Caution", "XK"),
        ("Worldwide Caution - Caution", None),
        ("Mexico", None),
    ],
)
def test_country_of(title: str, country: str | None) -> None:
    assert country_of(title) == country


def test_duplicate_titles_are_kept_once() -> None:
    item = SAMPLE[SAMPLE.index(b"<item>") : SAMPLE.index(b"</item>") + len(b"</item>")]
    doubled = SAMPLE.replace(item, item + item, 1)
    assert parse(doubled).record_count == 22


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (b"<pubDate>Tue, 16 Feb 2021</pubDate>", b"<pubDate>16/02/2021</pubDate>", "pub_date"),
        (b"<title>Bhutan - Level 3: Reconsider Travel</title>", b"<title></title>", "title"),
    ],
)
def test_broken_items_are_named(old: bytes, new: bytes, problem: str) -> None:
    assert old in SAMPLE
    with pytest.raises(FeedFormatError, match=rf"item 0 is not an advisory .*{problem}"):
        parse(SAMPLE.replace(old, new, 1))


def test_hostile_xml_is_refused() -> None:
    with pytest.raises(UnsafeXmlError):
        parse(billion_laughs("<rss version='2.0'><channel><title>", "</title></channel></rss>"))
    with pytest.raises(UnsafeXmlError):
        parse(external_entity("<rss version='2.0'><channel><title>", "</title></channel></rss>"))


@pytest.mark.parametrize("payload", [b"", HTML_ERROR_PAGE, sample("gdacs_events.geojson"), b"<rss/>"])
def test_other_payloads_are_refused(payload: bytes) -> None:
    with pytest.raises(FeedFormatError, match=r"^us-travel-advisories: unrecognised payload: "):
        parse(payload)


test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count_records, SAMPLE)


@FUZZ
@given(st.integers(0, len(SAMPLE.rstrip()) - 1))
def test_fuzz_truncated_sample_is_refused(end: int) -> None:
    assert parse_or_own_error(parse, NAME, count_records, SAMPLE[:end]) is None
