"""The shape of ``news:insights:v1`` and the merge of its sources (news RSS feeds of several publishers).

The stored value has WorldMonitor's shape (scripts/seed-insights.mjs in koala73/worldmonitor), written the
way WorldMonitor writes it when no language model is available (``status: "degraded"``): the brief is built
from the headlines themselves, never invented::

    {"worldBrief": "Putin can no longer claim victory in Ukraine, Nobel Peace Prize winner says. ...",
     "briefProvider": "headlines", "briefModel": "none", "status": "degraded",
     "confidenceLevel": "low", "verificationNote": "...",
     "topStories": [{"primaryTitle": "...", "primarySource": "BBC News", "primaryLink": "https://...",
                     "pubDate": "2026-08-13T04:55:58Z", "sourceCount": 1, "importanceScore": 40,
                     "velocity": {"level": "normal", "sourcesPerHour": 0}, "isAlert": false,
                     "category": "conflict", "threatLevel": "critical",
                     "description": "...", "sources": ["BBC News"]}],
     "generatedAt": "2026-08-22T12:50:39Z", "clusterCount": 67, "multiSourceCount": 0,
     "fastMovingCount": 0}

Each publisher's feed (``news_rss``) writes its stories in this shape under its own key;
``merge_news_insights`` combines them into the key the news tool reads. A story two publishers carry is one
story: the same link (query and fragment ignored: BBC tags links ``?at_medium=RSS``) or the same headline
once case and punctuation are folded; its ``sourceCount`` and ``sources`` name every publisher. Stories are
ranked by how many publishers carry them, then by threat level, then newest first, ``MAX_STORIES`` at most.

``category`` and ``threatLevel`` come from keywords in the headline, as in WorldMonitor's
``categorizeStory`` (our own word lists). ``importanceScore`` is ours: ten points per threat step
(moderate 10 ... critical 40) plus fifteen per additional publisher. ``description`` (the feed's summary, 300
characters at most) and ``sources`` are added. ``generatedAt`` is the newest story's time, not the wall
clock: the merge is a pure function of its sources.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from ._dates import iso_ms, iso_utc
from .base import FeedFormatError, ParsedFeed, describe_validation_error, newest_oldest
from .composite import Composite

DATA_KEY = "news:insights:v1"
MERGE_NAME = "news-insights"
SOURCES = ("bbc-world", "aljazeera", "npr-news")
"""The publisher feeds in order of preference: the first publisher of a shared story is its primary."""
CACHE_TTL_S = 3 * 3600
"""WorldMonitor's TTL for the insights key: one missed run survives."""

MAX_STORIES = 100
MAX_SOURCES = 10_000
MAX_SCORE = 1_000_000
"""Bounds for values read back from the store: far above real ones, and within JSON's 64-bit integers."""
MAX_DESCRIPTION = 300
BRIEF_HEADLINES = 2

_CATEGORIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "conflict",
        "critical",
        ("war", "attack", "missile", "troops", "airstrike", "combat", "military", "drone"),
    ),
    ("violence", "high", ("killed", "dead", "casualties", "massacre", "shooting", "bomb")),
    ("unrest", "high", ("protest", "uprising", "riot", "unrest", "coup")),
    ("geopolitical", "elevated", ("sanctions", "tensions", "escalation", "threat", "ceasefire", "summit")),
    ("crisis", "high", ("crisis", "emergency", "disaster", "collapse", "famine")),
    ("natural_disaster", "elevated", ("earthquake", "flood", "hurricane", "wildfire", "tsunami", "typhoon")),
    ("political", "moderate", ("election", "vote", "parliament", "legislation", "president", "minister")),
    ("economic", "moderate", ("market", "economy", "trade", "tariff", "inflation", "rates")),
)
"""(category, threat level, headline words), first match wins; the idea and most words are WorldMonitor's."""
THREAT_POINTS = {"critical": 40, "high": 30, "elevated": 20, "moderate": 10}
EXTRA_SOURCE_POINTS = 15

_WORD = re.compile(r"[a-z0-9]+")


class Velocity(BaseModel):
    """WorldMonitor's velocity block; without a history of sightings it is always ``normal``, 0 per hour."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    level: str
    sourcesPerHour: Annotated[float, Field(ge=0, le=MAX_SOURCES)]


class Story(BaseModel):
    """One item of ``topStories``; ``model_dump()`` gives the stored JSON object."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    primaryTitle: Annotated[str, Field(min_length=1)]
    primarySource: str
    primaryLink: str
    pubDate: str
    sourceCount: Annotated[int, Field(ge=1, le=MAX_SOURCES)]
    importanceScore: Annotated[int, Field(ge=0, le=MAX_SCORE)]
    velocity: Velocity
    isAlert: bool
    category: str
    threatLevel: str
    description: str
    sources: list[str]

    @field_validator("pubDate")
    @classmethod
    def _date(cls, value: str) -> str:
        iso_ms(value)
        return value


class _Stored(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    topStories: list[Story]


_STORED = TypeAdapter(_Stored)


def categorise(title: str) -> tuple[str, str]:
    """(category, threat level) from whole words of the headline, singular or plural ("markets").

    WorldMonitor matches substrings, so "software" reads as war; whole words avoid that."""
    words = set(_WORD.findall(title.lower()))
    words |= {word[:-1] for word in words if word.endswith("s")}
    for category, threat, keywords in _CATEGORIES:
        if words.intersection(keywords):
            return category, threat
    return "general", "moderate"


def story(*, title: str, source: str, link: str, published_ms: int, description: str) -> Story:
    """A one-publisher story (raises ``ValidationError`` on an empty title)."""
    category, threat = categorise(title)
    return Story.model_validate(
        {
            "primaryTitle": title,
            "primarySource": source,
            "primaryLink": link,
            "pubDate": iso_utc(published_ms),
            "sourceCount": 1,
            "importanceScore": THREAT_POINTS.get(threat, 0),
            "velocity": {"level": "normal", "sourcesPerHour": 0},
            "isAlert": False,
            "category": category,
            "threatLevel": threat,
            "description": description[:MAX_DESCRIPTION],
            "sources": [source],
        }
    )


def link_key(link: str) -> str:
    """``https://www.bbc.co.uk/news/x?at_medium=RSS#0`` -> ``www.bbc.co.uk/news/x``."""
    without_scheme = re.sub(r"^[a-z][a-z0-9+.-]*://", "", link.strip(), flags=re.IGNORECASE)
    return re.split(r"[?#]", without_scheme, maxsplit=1)[0].rstrip("/").lower()


def title_key(title: str) -> str:
    return " ".join(_WORD.findall(title.lower()))


def _rank(item: Story) -> tuple[int, int, int]:
    return (item.sourceCount, THREAT_POINTS.get(item.threatLevel, 0), iso_ms(item.pubDate))


def insights(stories: list[Story]) -> dict[str, Any]:
    """The whole ``news:insights:v1`` value around ranked stories."""
    ranked = sorted(stories, key=_rank, reverse=True)[:MAX_STORIES]
    newest, _ = newest_oldest(iso_ms(item.pubDate) for item in ranked)
    lead = [item.primaryTitle.rstrip(".") + "." for item in ranked[:BRIEF_HEADLINES]]
    return {
        "worldBrief": " ".join(lead),
        "briefProvider": "headlines",
        "briefModel": "none",
        "status": "degraded",
        "confidenceLevel": "low",
        "verificationNote": "No model summary: the brief repeats the top headlines verbatim.",
        "topStories": [item.model_dump() for item in ranked],
        "generatedAt": iso_utc(newest) if newest is not None else "",
        "clusterCount": len(ranked),
        "multiSourceCount": sum(1 for item in ranked if item.sourceCount > 1),
        "fastMovingCount": 0,
    }


def count_records(data: Any) -> int:
    return len(data["topStories"])


def parsed_insights(stories: list[Story], *, source_version: str, published_at_ms: int | None) -> ParsedFeed:
    """The ``ParsedFeed`` of one publisher (its stories deduplicated like a merge of one)."""
    data = merge_news_insights({"topStories": [item.model_dump() for item in stories]})
    newest, oldest = newest_oldest(iso_ms(item["pubDate"]) for item in data["topStories"])
    return ParsedFeed(data, count_records(data), source_version, published_at_ms, newest, oldest)


def _validated(source: Any, position: int) -> list[Story]:
    try:
        return _STORED.validate_python(source).topStories
    except ValidationError as exc:
        raise FeedFormatError(
            MERGE_NAME,
            f"source {position} is not a news:insights:v1 value ({describe_validation_error(exc)})",
        ) from exc


def _combined(first: Story, other: Story) -> Story:
    sources = first.sources + [name for name in other.sources if name not in first.sources]
    extra = len(sources) - 1
    return first.model_copy(
        update={
            "sources": sources,
            "sourceCount": len(sources),
            "importanceScore": THREAT_POINTS.get(first.threatLevel, 0) + EXTRA_SOURCE_POINTS * extra,
        }
    )


def merge_news_insights(*sources: Any) -> dict[str, Any]:
    """Merge per-publisher values (or None for a publisher without data) into one ``news:insights:v1``.

    Raises ``FeedFormatError`` for a value that is not in that shape."""
    merged: list[Story] = []
    by_link: dict[str, int] = {}
    by_title: dict[str, int] = {}
    for position, source in enumerate(sources):
        if source is None:
            continue
        for item in _validated(source, position):
            keys = (link_key(item.primaryLink), title_key(item.primaryTitle))
            index = by_link.get(keys[0]) if keys[0] else None
            if index is None:
                index = by_title.get(keys[1])
            if index is None:
                if keys[0]:
                    by_link[keys[0]] = len(merged)
                by_title[keys[1]] = len(merged)
                merged.append(item)
            else:
                merged[index] = _combined(merged[index], item)
    return insights(merged)


def merge_composite(sources: Mapping[str, Any]) -> ParsedFeed:
    """The ``Composite`` merge: feed name -> stored value, merged in ``SOURCES`` order."""
    present = [name for name in SOURCES if name in sources]
    data = merge_news_insights(*(sources[name] for name in present))
    newest, oldest = newest_oldest(iso_ms(item["pubDate"]) for item in data["topStories"])
    return ParsedFeed(data, count_records(data), "+".join(present), None, newest, oldest)


COMPOSITE = Composite(
    name=MERGE_NAME,
    domain="news",
    resource="insights",
    data_key=DATA_KEY,
    sources=SOURCES,
    merge=merge_composite,
    cache_ttl_s=CACHE_TTL_S,
)
