"""Reddit subreddit listing (JSON) -> ``intelligence:social:reddit:v1``.

Upstream: https://www.reddit.com/r/worldnews/hot.json?limit=50 (any ``/r/<name>[/hot|/new|/top].json``
listing has this shape). Reddit Data API terms; posts are user content, (C) their authors.

The stored value has WorldMonitor's shape for this key::

    {"posts": [{"id": "ifya7g", "title": "...", "subreddit": "worldnews",
                "url": "https://www.reddit.com/r/worldnews/comments/ifya7g/...",
                "score": 7776, "upvoteRatio": 0.98, "numComments": 169, "velocityScore": 130.6,
                "createdAt": 1598304377000, "link": "https://www.stuff.co.nz/...", "domain": "stuff.co.nz"}],
     "fetchedAt": 1598304377000}

``velocityScore`` here is engagement, ``10 * ln(1 + score) + 8 * ln(1 + comments)``, one decimal: WorldMonitor
also multiplies the score term by a six-hour recency decay, which needs the time of the fetch, and a parser
is a pure function of the payload. Posts are ranked by it, ``MAX_POSTS`` at most; stickied (moderator) posts
are left out. ``link`` (the shared article) and ``domain`` are added. ``fetchedAt`` is the newest post's
creation time, not the wall clock.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .base import Feed, FeedFormatError, ParsedFeed, describe_validation_error, newest_oldest
from .sniff import payload_hint

NAME = "reddit-worldnews"
DATA_KEY = "intelligence:social:reddit:v1"
UPSTREAM_URL = "https://www.reddit.com/r/worldnews/hot.json?limit=50&raw_json=1"
SNAPSHOT_FILE = "reddit_worldnews_listing.json"
UPSTREAM_FILE_NAMES = ("worldnews.json", "hot.json")
CACHE_TTL_S = 12 * 3600
MAX_POSTS = 50
REDDIT = "https://www.reddit.com"
MAX_EPOCH_S = 253402300799
MAX_COUNT = 2**53
"""No post has more votes or comments; a larger count is corrupt and would not survive JSON."""
"""9999-12-31T23:59:59Z: a later creation time is a corrupt field."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class _Post(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9]{1,16}$")]
    title: str
    subreddit: str
    permalink: Annotated[str, Field(pattern=r"^/r/")]
    url: str = ""
    domain: str = ""
    score: Annotated[int, Field(ge=-MAX_COUNT, le=MAX_COUNT)]
    upvote_ratio: Annotated[float, Field(ge=0, le=1)] = 0.0
    num_comments: Annotated[int, Field(ge=0, le=MAX_COUNT)] = 0
    created_utc: Annotated[float, Field(ge=0, le=MAX_EPOCH_S)]
    stickied: bool = False


class _Child(_Model):
    kind: str
    data: dict[str, Any]


class _ListingData(_Model):
    children: list[_Child]


class _Listing(_Model):
    kind: Literal["Listing"]
    data: _ListingData


def velocity(score: int, comments: int) -> float:
    return round(10 * math.log1p(max(score, 0)) + 8 * math.log1p(comments), 1)


def _post(post: _Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "title": post.title[:300],
        "subreddit": post.subreddit,
        "url": f"{REDDIT}{post.permalink}",
        "score": post.score,
        "upvoteRatio": post.upvote_ratio,
        "numComments": post.num_comments,
        "velocityScore": velocity(post.score, post.num_comments),
        "createdAt": int(post.created_utc * 1000),
        "link": post.url,
        "domain": post.domain,
    }


def count_records(data: Any) -> int:
    return len(data["posts"])


def parse(payload: bytes) -> ParsedFeed:
    """Parse a Reddit listing of posts; raise ``FeedFormatError`` on anything else."""
    try:
        listing = _Listing.model_validate_json(payload)
    except ValidationError as exc:
        raise FeedFormatError(
            NAME, f"not a Reddit listing ({describe_validation_error(exc)}){payload_hint(payload)}"
        ) from exc
    posts = []
    for position, child in enumerate(listing.data.children):
        if child.kind != "t3":  # comments (t1), more-children markers: not posts
            continue
        try:
            post = _Post.model_validate(child.data)
        except ValidationError as exc:
            raise FeedFormatError(
                NAME, f"child {position} is not a post ({describe_validation_error(exc)})"
            ) from exc
        if not post.stickied:
            posts.append(_post(post))
    posts.sort(key=lambda item: item["velocityScore"], reverse=True)
    posts = posts[:MAX_POSTS]
    newest, oldest = newest_oldest(item["createdAt"] for item in posts)
    return ParsedFeed(
        data={"posts": posts, "fetchedAt": newest},
        record_count=len(posts),
        source_version="reddit-listing",
        published_at_ms=newest,
        newest_item_at_ms=newest,
        oldest_item_at_ms=oldest,
    )


FEED = Feed(
    name=NAME,
    domain="intelligence",
    resource="social-reddit",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=900,
    licence="Reddit Data API terms; posts (C) their authors",
)
