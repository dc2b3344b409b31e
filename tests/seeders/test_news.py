"""News RSS (BBC, Al Jazeera, NPR) -> news:insights:v1 (seeders/news_rss.py, news.py), on genuine samples."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_checks import (
    FUZZ,
    HTML_ERROR_PAGE,
    billion_laughs,
    external_entity,
    parse_or_own_error,
    sample,
)

from worldmonitor_mcp.seeders import COMPOSITES, FEEDS, FeedFormatError, UnsafeXmlError
from worldmonitor_mcp.seeders.news import (
    DATA_KEY,
    categorise,
    count_records,
    link_key,
    merge_composite,
    merge_news_insights,
)
from worldmonitor_mcp.seeders.news_rss import ALJAZEERA, BBC_WORLD, NPR_NEWS

BBC = sample("bbc_world_rss.xml")
AJ = sample("aljazeera_all_rss.xml")
NPR = sample("npr_news_rss.xml")
PUBLISHERS = [(BBC_WORLD, BBC), (ALJAZEERA, AJ), (NPR_NEWS, NPR)]


def _rss(*items: str, declaration: bool = True) -> bytes:
    head = "<?xml version='1.0' encoding='UTF-8'?>" if declaration else ""
    return f"{head}<rss version='2.0'><channel><title>T</title>{''.join(items)}</channel></rss>".encode()


def _item(title: str, link: str, date: str = "Thu, 13 Aug 2026 08:00:00 GMT") -> str:
    return f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate></item>"


@pytest.mark.parametrize(
    ("feed", "payload", "count", "published", "newest", "oldest"),
    [
        # BBC lastBuildDate Thu, 13 Aug 2026 08:57:55 GMT; items 11 Aug 16:10:55 ... 13 Aug 08:13:55.
        (BBC_WORLD, BBC, 32, 1786611475000, 1786608835000, None),
        # Al Jazeera lastBuildDate Thu, 13 Aug 2026 08:38:13 +0000 (its newest item).
        (ALJAZEERA, AJ, 25, 1786610293000, 1786610293000, None),
        # NPR lastBuildDate Sat, 22 Aug 2026 08:50:39 -0400; newest item 08:00:00 -0400.
        (NPR_NEWS, NPR, 10, 1787403039000, 1787400000000, None),
    ],
)
def test_publisher_samples(
    feed: object, payload: bytes, count: int, published: int, newest: int, oldest: None
) -> None:
    parsed = feed.parse(payload)  # type: ignore[attr-defined]
    assert parsed.record_count == count == len(parsed.data["topStories"])
    assert (parsed.published_at_ms, parsed.newest_item_at_ms) == (published, newest)


def test_bbc_story_fields() -> None:
    stories = {s["primaryTitle"]: s for s in BBC_WORLD.parse(BBC).data["topStories"]}  # type: ignore[index]
    putin = stories["Putin can no longer claim victory in Ukraine, Nobel Peace Prize winner tells BBC"]
    assert (
        putin["primaryLink"]
        == "https://www.bbc.co.uk/news/articles/c74grmy2v7ko?at_medium=RSS&at_campaign=rss"
    )
    assert (putin["pubDate"], putin["primarySource"], putin["sources"]) == (
        "2026-08-13T04:55:58Z",
        "BBC News",
        ["BBC News"],
    )
    assert putin["description"].startswith("In an exclusive interview with the BBC")


def test_npr_dates_are_converted_to_utc() -> None:
    stories = NPR_NEWS.parse(NPR).data["topStories"]  # type: ignore[index]
    rogers = next(s for s in stories if s["primaryTitle"].startswith("Opinion: Mr. Rogers"))
    assert rogers["pubDate"] == "2026-08-22T12:00:00Z"  # Sat, 22 Aug 2026 08:00:00 -0400


def test_feed_records() -> None:
    assert [FEEDS[name].data_key for name in ("bbc-world", "aljazeera", "npr-news")] == [
        "news:feed:bbc-world:v1",
        "news:feed:aljazeera:v1",
        "news:feed:npr-news:v1",
    ]
    composite = COMPOSITES["news-insights"]
    assert (composite.data_key, composite.seed_meta_key) == (DATA_KEY, "seed-meta:news:insights")
    assert DATA_KEY == "news:insights:v1"


def test_merging_the_three_publishers() -> None:
    merged = merge_composite(
        {name: feed.parse(payload).data for feed, payload in PUBLISHERS for name in [feed.name]}
    )
    data = merged.data
    assert merged.record_count == 67 == data["clusterCount"]  # type: ignore[index]
    assert merged.source_version == "bbc-world+aljazeera+npr-news"
    assert data["multiSourceCount"] == 0  # type: ignore[index]
    top = data["topStories"][0]  # type: ignore[index]
    assert top["primaryTitle"] == "More troops to be sent to West Bank village besieged by Israeli settlers"
    assert (top["threatLevel"], top["importanceScore"]) == ("critical", 40)
    assert data["worldBrief"].startswith(top["primaryTitle"] + ".")  # type: ignore[index]
    assert data["generatedAt"] == "2026-08-22T12:00:00Z"  # type: ignore[index]
    assert (data["status"], data["briefModel"]) == ("degraded", "none")  # type: ignore[index]


def test_one_story_from_two_publishers() -> None:
    bbc = BBC_WORLD.parse(_rss(_item("Quake hits Japan", "https://www.bbc.co.uk/news/x?at_medium=RSS")))
    aj = ALJAZEERA.parse(_rss(_item("Quake hits Japan!", "https://www.aljazeera.com/news/y")))
    npr = NPR_NEWS.parse(_rss(_item("Other", "https://www.bbc.co.uk/news/x#0")))
    (story,) = merge_news_insights(bbc.data, None, aj.data, npr.data)["topStories"]
    assert story["sources"] == ["BBC News", "Al Jazeera", "NPR"]
    assert (story["sourceCount"], story["primarySource"], story["importanceScore"]) == (3, "BBC News", 40)


def test_link_key() -> None:
    assert link_key("https://www.BBC.co.uk/news/x/?at_medium=RSS#0") == "www.bbc.co.uk/news/x"


@pytest.mark.parametrize(
    ("title", "category", "threat"),
    [
        ("Missile strike on port", "conflict", "critical"),
        ("Three killed in shooting", "violence", "high"),
        ("Warning on ceasefire talks", "geopolitical", "elevated"),
        ("Markets rally", "economic", "moderate"),
        ("A quiet day", "general", "moderate"),
        ("Software startup warms up", "general", "moderate"),  # "war" is a whole word, not a prefix
    ],
)
def test_categorise(title: str, category: str, threat: str) -> None:
    assert categorise(title) == (category, threat)


def test_layout_variants() -> None:
    assert NPR_NEWS.parse(_rss(_item("a", "https://x.org/a"), declaration=False)).record_count == 1
    bom = b"\xef\xbb\xbf" + _rss(_item("a", "https://x.org/a"))
    assert NPR_NEWS.parse(bom).record_count == 1
    cdata = _rss(
        "<item><title><![CDATA[A &amp; B <i>now</i>]]></title><link>https://x.org/a</link>"
        "<pubDate>Thu, 13 Aug 2026 08:00:00 GMT</pubDate>"
        "<description>&lt;p&gt;Hi&lt;/p&gt;</description></item>"
    )
    (story,) = NPR_NEWS.parse(cdata).data["topStories"]  # type: ignore[index]
    assert (story["primaryTitle"], story["description"]) == ("A & B now", "Hi")


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (_item("", "https://x.org/a"), "title"),
        (_item("a", "javascript:alert(1)"), "link"),
        (_item("a", "https://x.org/a", date="soon"), "pub_date"),
        ("<item><title>a</title><link>https://x.org/a</link></item>", "pub_date"),
    ],
)
def test_unusable_items_are_named(item: str, problem: str) -> None:
    with pytest.raises(FeedFormatError, match=rf"item 0 is not a news story .*{problem}"):
        BBC_WORLD.parse(_rss(item))


def test_hostile_xml_is_refused() -> None:
    with pytest.raises(UnsafeXmlError):
        BBC_WORLD.parse(billion_laughs("<rss version='2.0'><channel><title>", "</title></channel></rss>"))
    with pytest.raises(UnsafeXmlError):
        AJ_PARSE(external_entity("<rss version='2.0'><channel><title>", "</title></channel></rss>"))


AJ_PARSE = ALJAZEERA.parse


@pytest.mark.parametrize("payload", [b"", HTML_ERROR_PAGE, sample("gdacs_events.geojson"), b"<feed/>"])
def test_other_payloads_are_refused(payload: bytes) -> None:
    with pytest.raises(FeedFormatError, match=r"^npr-news: unrecognised payload: "):
        NPR_NEWS.parse(payload)


def test_merge_refuses_another_shape() -> None:
    with pytest.raises(FeedFormatError, match=r"^news-insights: unrecognised payload: source 0 "):
        merge_news_insights({"topStories": [{"primaryTitle": "x"}]})


_FEEDS = st.sampled_from(PUBLISHERS)


@FUZZ
@given(_FEEDS, st.binary(max_size=2048))
def test_fuzz_arbitrary_bytes(feed: tuple[object, bytes], payload: bytes) -> None:
    parse_or_own_error(feed[0].parse, feed[0].name, count_records, payload)  # type: ignore[attr-defined]


@FUZZ
@given(_FEEDS, st.integers(0, 30_000), st.integers(0, 300), st.binary(max_size=8))
def test_fuzz_damaged_samples(feed: tuple[object, bytes], start: int, length: int, insert: bytes) -> None:
    parser, source = feed
    start %= len(source) + 1
    damaged = source[:start] + insert + source[start + length :]
    parse_or_own_error(parser.parse, parser.name, count_records, damaged)  # type: ignore[attr-defined]


@FUZZ
@given(_FEEDS, st.integers(0, 30_000))
def test_fuzz_truncated_samples_are_refused(feed: tuple[object, bytes], end: int) -> None:
    parser, source = feed
    end %= len(source.rstrip())
    assert parse_or_own_error(parser.parse, parser.name, count_records, source[:end]) is None  # type: ignore[attr-defined]
