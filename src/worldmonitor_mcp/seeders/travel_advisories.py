"""US State Department travel advisories (RSS) -> ``intelligence:advisories-bootstrap:v1``.

Upstream: https://travel.state.gov/_res/rss/TAsTWs.xml (US Government work, public domain, U.S. Department
of State).

The stored value has WorldMonitor's shape (scripts/seed-security-advisories.mjs in koala73/worldmonitor)::

    {"byCountry": {"SY": "do-not-travel", "BT": "reconsider", ...},
     "byCountryName": {"SY": "Syria", "BT": "Bhutan", ...},
     "advisories": [{"title": "Chad - Level 3: Reconsider Travel",
                     "link": "http://travel.state.gov/.../chad-travel-advisory.html",
                     "pubDate": "2021-02-22T00:00:00Z", "source": "US State Dept", "sourceCountry": "US",
                     "level": "reconsider", "country": "TD"}],
     "fetchedAt": "2021-02-22T00:00:00Z"}

``level`` is WorldMonitor's scale: Level 4 ``do-not-travel``, 3 ``reconsider``, 2 ``caution``, 1 ``normal``,
anything else (the Worldwide Caution) ``info``; it is read from the ``Threat-Level`` category, else from the
title. ``country`` is ISO 3166-1 alpha-2, from the country name before " - " in the title: the feed's own
``Country-Tag`` category is a FIPS 10-4 code (``SG`` is Senegal there, Singapore in ISO), so it is not
used. ``byCountry`` keeps the highest level per country, ``byCountryName`` names only the countries present
(WorldMonitor ships its whole name table). Advisories are newest first, deduplicated by title.
``fetchedAt`` is the feed's own time (channel date, else newest advisory), not the wall clock.

Both layouts the feed has used parse: the 2021 one of the genuine sample (single-quoted XML declaration,
``http://`` links, dates without a time such as ``Tue, 16 Feb 2021``) and the 2025-26 one (pretty-printed,
``https://`` links, a channel ``pubDate``/``dc:date``, other element order). WorldMonitor keeps 15 items per
feed; every advisory is kept here, since each is the current one for its country.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._country import alpha2_from_name, country_name
from ._dates import iso_utc, rfc822_ms
from ._rss import RssItem, read_rss
from .base import Feed, FeedFormatError, ParsedFeed, describe_validation_error, newest_oldest

NAME = "us-travel-advisories"
DATA_KEY = "intelligence:advisories-bootstrap:v1"
UPSTREAM_URL = "https://travel.state.gov/_res/rss/TAsTWs.xml"
SNAPSHOT_FILE = "state_dept_travel_advisories_rss.xml"
UPSTREAM_FILE_NAMES = ("TAsTWs.xml", "travel_advisories.xml", "advisories.xml")
CACHE_TTL_S = 3 * 3600
"""WorldMonitor's TTL for the advisories keys."""

SOURCE = "US State Dept"
SOURCE_COUNTRY = "US"
LEVELS = {"4": "do-not-travel", "3": "reconsider", "2": "caution", "1": "normal"}
RANK = {"do-not-travel": 4, "reconsider": 3, "caution": 2, "normal": 1}
_LEVEL = re.compile(r"\bLevel\s*([1-4])\b", re.IGNORECASE)


class _Advisory(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Annotated[str, Field(min_length=1)]
    link: Annotated[str, Field(pattern=r"^https?://\S+$")]
    pub_date: str
    threat_level: str

    @field_validator("pub_date")
    @classmethod
    def _date(cls, value: str) -> str:
        rfc822_ms(value)
        return value


def level_of(threat_level: str, title: str) -> str:
    match = _LEVEL.search(threat_level) or _LEVEL.search(title)
    return LEVELS[match.group(1)] if match else "info"


def country_of(title: str) -> str | None:
    """``Burma (Myanmar) - Level 4: Do Not Travel`` -> ``MM``; None for the Worldwide Caution."""
    name, separator, _ = title.partition(" - ")
    return alpha2_from_name(name) if separator else None


def _raw(item: RssItem) -> dict[str, Any]:
    threat = next((text for domain, text in item.categories if (domain or "").lower() == "threat-level"), "")
    return {
        "title": item.title or "",
        "link": item.link or "",
        "pub_date": item.pub_date or "",
        "threat_level": threat,
    }


def _advisory(advisory: _Advisory) -> dict[str, Any]:
    return {
        "title": advisory.title,
        "link": advisory.link,
        "pubDate": iso_utc(rfc822_ms(advisory.pub_date)),
        "source": SOURCE,
        "sourceCountry": SOURCE_COUNTRY,
        "level": level_of(advisory.threat_level, advisory.title),
        "country": country_of(advisory.title) or "",
    }


def count_records(data: Any) -> int:
    return len(data["advisories"])


def parse(payload: bytes) -> ParsedFeed:
    """Parse the State Department advisories RSS; raise ``FeedFormatError`` (``UnsafeXmlError``) otherwise."""
    channel = read_rss(NAME, payload, expected="the State Department travel advisories RSS")
    advisories: list[dict[str, Any]] = []
    seen: set[str] = set()
    for position, item in enumerate(channel.items):
        try:
            advisory = _Advisory.model_validate(_raw(item))
        except ValidationError as exc:
            raise FeedFormatError(
                NAME, f"item {position} is not an advisory ({describe_validation_error(exc)})"
            ) from exc
        key = advisory.title.strip().lower()
        if key not in seen:
            seen.add(key)
            advisories.append(_advisory(advisory))
    advisories.sort(key=lambda entry: entry["pubDate"], reverse=True)  # ISO UTC strings sort by time
    by_country: dict[str, str] = {}
    for entry in advisories:
        code, level = entry["country"], entry["level"]
        if code and level in RANK and RANK[level] > RANK.get(by_country.get(code, ""), 0):
            by_country[code] = level
    newest, oldest = newest_oldest(rfc822_ms(item.pub_date or "") for item in channel.items if item.pub_date)
    try:
        published = rfc822_ms(channel.published) if channel.published else newest
    except ValueError as exc:
        raise FeedFormatError(NAME, f"channel date: {exc}") from exc
    data = {
        "byCountry": dict(sorted(by_country.items())),
        "byCountryName": {code: country_name(code) or code for code in sorted(by_country)},
        "advisories": advisories,
        "fetchedAt": iso_utc(published) if published is not None else "",
    }
    return ParsedFeed(
        data=data,
        record_count=len(advisories),
        source_version="state-dept-tastws-rss",
        published_at_ms=published,
        newest_item_at_ms=newest,
        oldest_item_at_ms=oldest,
    )


FEED = Feed(
    name=NAME,
    domain="intelligence",
    resource="advisories",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=3600,
    licence="US Government work, public domain (U.S. Department of State)",
)
