"""GDELT DOC 2.0 article list (JSON) -> ``intelligence:gdelt-intel:v1``.

Upstream: https://api.gdeltproject.org/api/v2/doc/doc?mode=artlist&format=json&query=... (documented at
https://blog.gdeltproject.org/gdelt-doc-2-0-api-debuts/). GDELT: open data, free use with citation of the
GDELT Project; article titles belong to their publishers.

The stored value has WorldMonitor's shape (scripts/seed-gdelt-intel.mjs in koala73/worldmonitor): topics of
articles::

    {"topics": [{"id": "gdelt-doc", "articles": [{"title": "...", "url": "https://...",
                 "source": "thehindubusinessline.com", "date": "20260122T090000Z", "image": "https://...",
                 "language": "English", "tone": null, "sourceCountry": "IN"}],
                 "fetchedAt": "2026-01-22T09:00:00Z"}],
     "fetchedAt": "2026-01-22T09:00:00Z"}

WorldMonitor runs six fixed queries (military, cyber, nuclear, ...) and files each under its topic id. An
artlist response does not echo its query, so one document is one topic, ``TOPIC_ID`` unless the parser is
made for a named topic (``parser_for``). As WorldMonitor does: articles without an http(s) URL are dropped,
titles are cut at 500 characters, an image that is not an http(s) URL becomes "". Differences: ``tone`` is
null where the artlist gives none (WorldMonitor writes 0, which reads as neutral), ``sourceCountry`` (ISO
alpha-2, from GDELT's country name) is added, titles are trimmed of GDELT's padding, an article listed twice
(same URL) is kept once, and ``fetchedAt`` is the newest ``seendate``, not the wall clock.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ._country import alpha2_from_name
from ._dates import iso_utc, matches_strptime, strptime_ms
from .base import Feed, FeedFormatError, ParsedFeed, Parser, describe_validation_error, newest_oldest
from .sniff import payload_hint

NAME = "gdelt-doc"
DATA_KEY = "intelligence:gdelt-intel:v1"
TOPIC_ID = "gdelt-doc"
UPSTREAM_URL = (
    "https://api.gdeltproject.org/api/v2/doc/doc?query=(military%20exercise%20OR%20airstrike)%20sourcelang:eng"
    "&mode=artlist&maxrecords=50&format=json&sort=date&timespan=24h"
)
SNAPSHOT_FILE = "gdelt_doc_artlist.json"
UPSTREAM_FILE_NAMES = ("gdelt_response.json", "artlist.json")
CACHE_TTL_S = 24 * 3600
"""WorldMonitor's TTL: GDELT rate-limits hard, so the last good articles are kept a day."""

MAX_TITLE = 500
SEEN_DATE = "%Y%m%dT%H%M%SZ"
_HTTP = re.compile(r"^https?://\S+$", re.IGNORECASE)


class _Article(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)

    url: str = ""
    title: str = ""
    seendate: Annotated[str, matches_strptime(SEEN_DATE)]
    socialimage: str = ""
    domain: str = ""
    language: str = ""
    sourcecountry: str = ""
    tone: float | None = None


class _ArtList(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    articles: list[_Article]


def _article(article: _Article) -> dict[str, Any]:
    return {
        "title": article.title.strip()[:MAX_TITLE],
        "url": article.url,
        "source": article.domain,
        "date": article.seendate,
        "image": article.socialimage if _HTTP.match(article.socialimage) else "",
        "language": article.language,
        "tone": article.tone,
        "sourceCountry": alpha2_from_name(article.sourcecountry) if article.sourcecountry else None,
    }


def count_records(data: Any) -> int:
    return sum(len(topic["articles"]) for topic in data["topics"])


def parser_for(topic_id: str, feed: str = NAME) -> Parser:
    """The parser of an artlist fetched for one topic (WorldMonitor's ``military``, ``cyber``, ...)."""

    def parse(payload: bytes) -> ParsedFeed:
        try:
            document = _ArtList.model_validate_json(payload)
        except ValidationError as exc:
            raise FeedFormatError(
                feed, f"not a GDELT DOC artlist ({describe_validation_error(exc)}){payload_hint(payload)}"
            ) from exc
        articles: list[dict[str, Any]] = []
        seen: set[str] = set()
        for article in document.articles:
            if _HTTP.match(article.url) and article.url not in seen:
                seen.add(article.url)
                articles.append(_article(article))
        newest, oldest = newest_oldest(strptime_ms(item["date"], SEEN_DATE) for item in articles)
        stamp = iso_utc(newest) if newest is not None else ""
        return ParsedFeed(
            data={"topics": [{"id": topic_id, "articles": articles, "fetchedAt": stamp}], "fetchedAt": stamp},
            record_count=len(articles),
            source_version="gdelt-doc-artlist",
            published_at_ms=newest,
            newest_item_at_ms=newest,
            oldest_item_at_ms=oldest,
        )

    parse.__doc__ = f"Parse a GDELT DOC artlist as topic {topic_id!r}; raise ``FeedFormatError`` otherwise."
    return parse


parse = parser_for(TOPIC_ID)

FEED = Feed(
    name=NAME,
    domain="intelligence",
    resource="gdelt-intel",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=4 * 3600,
    licence="GDELT open data: free use, cite the GDELT Project; titles belong to their publishers",
)
