"""News RSS feeds (BBC World, Al Jazeera, NPR News) -> one publisher's stories (``news:feed:<name>:v1``).

Upstreams and terms:

- BBC News World, https://feeds.bbci.co.uk/news/world/rss.xml: (C) British Broadcasting Corporation; headline
  and link reuse under https://www.bbc.co.uk/usingthebbc/terms-of-use/#15metadataandrssfeeds.
- Al Jazeera, https://www.aljazeera.com/xml/rss/all.xml: (C) Al Jazeera Media Network; RSS reuse terms.
- NPR News (topic 1001), https://feeds.npr.org/1001/rss.xml: "Copyright NPR - For Personal Use Only".

One parser serves every publisher: any RSS 2.0 channel (see ``_rss`` for the layouts it accepts) becomes
stories in the ``news:insights:v1`` shape (see ``news``), which ``news.merge_news_insights`` combines across
publishers. An item needs a title, a link and a publication date; one without them is refused, since a
story that cannot be dated or opened is not news an agent can use.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._dates import rfc822_ms
from ._rss import RssChannel, html_to_text, read_rss
from .base import Feed, FeedFormatError, ParsedFeed, Parser, describe_validation_error
from .news import Story, parsed_insights, story
from .news import count_records as count_records

CACHE_TTL_S = 3 * 3600
CADENCE_S = 600
"""Publishers rebuild these feeds every few minutes (BBC's ttl is 15); ten minutes with conditional GET."""


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Annotated[str, Field(min_length=1)]
    link: Annotated[str, Field(pattern=r"^https?://\S+$")]
    pub_date: str
    description: str

    @field_validator("pub_date")
    @classmethod
    def _date(cls, value: str) -> str:
        rfc822_ms(value)
        return value


def _stories(feed: str, publisher: str, channel: RssChannel) -> list[Story]:
    stories = []
    for position, raw in enumerate(channel.items):
        try:
            item = _Item.model_validate(
                {
                    "title": raw.title or "",
                    "link": raw.link or "",
                    "pub_date": raw.pub_date or "",
                    "description": html_to_text(raw.description or ""),
                }
            )
        except ValidationError as exc:
            raise FeedFormatError(
                feed, f"item {position} is not a news story ({describe_validation_error(exc)})"
            ) from exc
        stories.append(
            story(
                title=html_to_text(item.title),
                source=publisher,
                link=item.link,
                published_ms=rfc822_ms(item.pub_date),
                description=item.description,
            )
        )
    return stories


def parser(feed: str, publisher: str) -> Parser:
    """The parser of one publisher's feed: ``publisher`` is the name its stories carry."""

    def parse(payload: bytes) -> ParsedFeed:
        channel = read_rss(feed, payload, expected=f"the {publisher} RSS feed")
        stories = _stories(feed, publisher, channel)
        try:
            published = None if channel.published is None else rfc822_ms(channel.published)
        except ValueError as exc:
            raise FeedFormatError(feed, f"channel date: {exc}") from exc
        return parsed_insights(stories, source_version=f"{feed}-rss", published_at_ms=published)

    parse.__doc__ = f"Parse the {publisher} RSS feed; raise ``FeedFormatError`` on anything else."
    return parse


def _feed(
    name: str, publisher: str, url: str, snapshot_file: str, names: tuple[str, ...], licence: str
) -> Feed:
    return Feed(
        name=name,
        domain="news",
        resource=f"feed-{name}",
        data_key=f"news:feed:{name}:v1",
        parse=parser(name, publisher),
        count_records=count_records,
        upstream_url=url,
        snapshot_file=snapshot_file,
        file_names=(snapshot_file, *names),
        cache_ttl_s=CACHE_TTL_S,
        cadence_s=CADENCE_S,
        licence=licence,
    )


BBC_WORLD = _feed(
    "bbc-world",
    "BBC News",
    "https://feeds.bbci.co.uk/news/world/rss.xml",
    "bbc_world_rss.xml",
    ("bbc_world.xml",),
    "(C) BBC; headline and link reuse only (BBC terms of use, RSS feeds)",
)
ALJAZEERA = _feed(
    "aljazeera",
    "Al Jazeera",
    "https://www.aljazeera.com/xml/rss/all.xml",
    "aljazeera_all_rss.xml",
    ("all.xml", "aljazeera.xml"),
    "(C) Al Jazeera Media Network; Al Jazeera RSS terms",
)
NPR_NEWS = _feed(
    "npr-news",
    "NPR",
    "https://feeds.npr.org/1001/rss.xml",
    "npr_news_rss.xml",
    ("npr.xml",),
    "Copyright NPR, for personal use only",
)
FEEDS = (BBC_WORLD, ALJAZEERA, NPR_NEWS)
"""In ``news.SOURCES`` order."""
