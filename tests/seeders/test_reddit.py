"""Reddit r/worldnews listing -> intelligence:social:reddit:v1 (seeders/reddit.py), on the genuine sample."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_checks import FUZZ, HTML_ERROR_PAGE, fuzz_contract, parse_or_own_error, sample

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError
from worldmonitor_mcp.seeders.reddit import DATA_KEY, NAME, count_records, parse, velocity

SAMPLE = sample("reddit_worldnews_listing.json")


def _listing(*children: dict[str, object]) -> bytes:
    return orjson.dumps({"kind": "Listing", "data": {"children": list(children)}})


def _post(post_id: str, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": post_id,
        "title": "T",
        "subreddit": "worldnews",
        "permalink": f"/r/worldnews/comments/{post_id}/t/",
        "score": 10,
        "num_comments": 1,
        "created_utc": 1600000000.0,
    }
    data.update(fields)
    return {"kind": "t3", "data": data}


def test_sample() -> None:
    parsed = parse(SAMPLE)
    posts = parsed.data["posts"]  # type: ignore[index]
    assert parsed.record_count == len(posts) == 10
    assert parsed.published_at_ms == parsed.newest_item_at_ms == 1598304377000  # created_utc 1598304377
    assert parsed.oldest_item_at_ms == 1598274446000  # ifom7s
    assert parsed.data["fetchedAt"] == 1598304377000  # type: ignore[index]
    assert [p["id"] for p in posts] == [
        "ifya7g", "ifom7s", "ifw8ga", "ifqgtc", "ifr4sw", "ifwx4t", "ifump9", "ifukhb", "ifxa9r", "ify8so",
    ]  # fmt: skip
    top = posts[0]
    assert top["title"].startswith("New Zealand Māori tribe has announced a $1.5m distribution")
    assert top == top | {
        "subreddit": "worldnews",
        "url": "https://www.reddit.com/r/worldnews/comments/ifya7g/new_zealand_māori_tribe_has_announced_a_15m/",
        "score": 7776,
        "upvoteRatio": 0.98,
        "numComments": 169,
        "velocityScore": 130.7,
        "createdAt": 1598304377000,
        "link": "https://www.stuff.co.nz/business/money/122448624/ngti-whtua-rakei-distributes-15-million-to-3000-people",
        "domain": "stuff.co.nz",
    }


def test_feed_record() -> None:
    feed = FEEDS[NAME]
    assert feed.data_key == DATA_KEY == "intelligence:social:reddit:v1"
    assert feed.seed_meta_key == "seed-meta:intelligence:social-reddit"


def test_velocity() -> None:
    assert velocity(7776, 169) == 130.7
    assert velocity(-5, 0) == 0.0  # a downvoted post scores nothing, not a negative logarithm


def test_stickied_posts_and_other_kinds_are_left_out() -> None:
    parsed = parse(_listing(_post("a1", stickied=True), {"kind": "t1", "data": {}}, _post("b2")))
    assert [p["id"] for p in parsed.data["posts"]] == ["b2"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("child", "problem"),
    [
        (_post("UPPER"), "id"),
        (_post("a1", permalink="https://evil.example/"), "permalink"),
        (_post("a1", upvote_ratio=1.5), "upvote_ratio"),
        (_post("a1", created_utc=1e20), "created_utc"),
        (_post("a1", score="many"), "score"),
    ],
)
def test_broken_posts_are_named(child: dict[str, object], problem: str) -> None:
    with pytest.raises(FeedFormatError, match=rf"child 0 is not a post .*{problem}"):
        parse(_listing(child))


@pytest.mark.parametrize(
    "payload", [b"", b"{}", HTML_ERROR_PAGE, b'{"message": "Too Many Requests", "error": 429}']
)
def test_other_payloads_are_refused(payload: bytes) -> None:
    with pytest.raises(
        FeedFormatError, match=r"^reddit-worldnews: unrecognised payload: not a Reddit listing"
    ):
        parse(payload)


test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count_records, SAMPLE)


@FUZZ
@given(st.integers(0, len(SAMPLE.rstrip()) - 1))
def test_fuzz_truncated_sample_is_refused(end: int) -> None:
    assert parse_or_own_error(parse, NAME, count_records, SAMPLE[:end]) is None


def test_counts_beyond_json_integers_are_refused() -> None:
    listing = _listing(_post("a1", score=123456789)).replace(b"123456789", str(2**70).encode())
    with pytest.raises(FeedFormatError, match="score"):
        parse(listing)
