"""GDELT DOC artlist -> intelligence:gdelt-intel:v1 (seeders/gdelt.py), on the genuine sample."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_checks import FUZZ, HTML_ERROR_PAGE, fuzz_contract, parse_or_own_error, sample

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError
from worldmonitor_mcp.seeders.gdelt import DATA_KEY, NAME, count_records, parse, parser_for

SAMPLE = sample("gdelt_doc_artlist.json")


def _article(**fields: object) -> dict[str, object]:
    article: dict[str, object] = {
        "url": "https://example.org/a",
        "title": "Title ",
        "seendate": "20260122T090000Z",
        "socialimage": "",
        "domain": "example.org",
        "language": "English",
        "sourcecountry": "United Kingdom",
    }
    article.update(fields)
    return article


def test_sample() -> None:
    parsed = parse(SAMPLE)
    (topic,) = parsed.data["topics"]  # type: ignore[index]
    articles = topic["articles"]
    assert parsed.record_count == len(articles) == 50
    assert parsed.published_at_ms == parsed.newest_item_at_ms == 1769072400000  # seendate 20260122T090000Z
    assert parsed.oldest_item_at_ms == 1768199400000  # 20260112T063000Z
    assert topic["id"] == "gdelt-doc"
    assert topic["fetchedAt"] == parsed.data["fetchedAt"] == "2026-01-22T09:00:00Z"  # type: ignore[index]
    last = articles[-1]
    assert (
        last["title"]
        == "EU ready to deliver on powerful agenda with India : EU Foreign Policy Chief Kaja Kallas"
    )
    assert (last["source"], last["date"], last["language"], last["sourceCountry"], last["tone"]) == (
        "thehindubusinessline.com",
        "20260122T090000Z",
        "English",
        "IN",
        None,
    )
    countries = [a["sourceCountry"] for a in articles]
    assert {code: countries.count(code) for code in set(countries)} == {
        "IN": 29,
        "CN": 10,
        "US": 4,
        "TW": 3,
        "KR": 2,
        "DE": 1,
        "PK": 1,
    }
    assert sum(1 for a in articles if a["image"] == "") == 12  # empty socialimage upstream


def test_feed_record() -> None:
    feed = FEEDS[NAME]
    assert feed.data_key == DATA_KEY == "intelligence:gdelt-intel:v1"
    assert feed.seed_meta_key == "seed-meta:intelligence:gdelt-intel"


def test_named_topic_drops_non_http_and_repeats() -> None:
    body = orjson.dumps(
        {
            "articles": [
                _article(),
                _article(),
                _article(url="ftp://example.org/b"),
                _article(url="https://example.org/c", socialimage="javascript:x", tone=-2.5),
            ]
        }
    )
    parsed = parser_for("military")(body)
    (topic,) = parsed.data["topics"]  # type: ignore[index]
    assert topic["id"] == "military"
    assert [a["url"] for a in topic["articles"]] == ["https://example.org/a", "https://example.org/c"]
    assert topic["articles"][0]["title"] == "Title"
    assert (topic["articles"][1]["image"], topic["articles"][1]["tone"]) == ("", -2.5)
    assert topic["articles"][0]["sourceCountry"] == "GB"


def test_no_articles_is_an_empty_result() -> None:
    parsed = parse(b'{"articles": []}')
    assert parsed.record_count == 0
    assert parsed.data == {"topics": [{"id": "gdelt-doc", "articles": [], "fetchedAt": ""}], "fetchedAt": ""}


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"{}",
        HTML_ERROR_PAGE,
        b"Please limit requests to one every 5 seconds",
        orjson.dumps({"articles": [_article(seendate="2026-01-22")]}),
        orjson.dumps({"articles": [_article(tone="nan")]}),
    ],
)
def test_other_payloads_are_refused(payload: bytes) -> None:
    with pytest.raises(FeedFormatError, match=r"^gdelt-doc: unrecognised payload: not a GDELT DOC artlist"):
        parse(payload)


test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count_records, SAMPLE)


@FUZZ
@given(st.integers(0, len(SAMPLE.rstrip()) - 1))
def test_fuzz_truncated_sample_is_refused(end: int) -> None:
    assert parse_or_own_error(parse, NAME, count_records, SAMPLE[:end]) is None
