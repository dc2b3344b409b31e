"""RSS 2.0 documents (https://www.rssboard.org/rss-specification) read into plain records.

Shared by every RSS feed we read: news publishers, GDACS alerts, the State Department's travel advisories.
Publishers differ in ways a parser must shrug off, and all of these occur in the genuine samples: an XML
declaration or none (Al Jazeera starts with ``<rss``), a UTF-8 byte-order mark (GDACS), single-quoted
attributes, CDATA or escaped text, extension elements in any namespace, and any element order (the
State Department's 2025-26 layout reorders item children and adds a channel ``pubDate``/``dc:date``).
Items are therefore read by element name, never by position.

This module only reads the document; each feed validates the fields it needs with its own typed model
and decides what a missing or malformed field means.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ._xml import child_text, parse_xml
from .base import FeedFormatError

DC = "{http://purl.org/dc/elements/1.1/}"

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class RssItem:
    element: ET.Element
    """The ``<item>`` itself, for extension elements (``gdacs:*``, ``geo:Point``)."""
    title: str | None
    link: str | None
    guid: str | None
    description: str | None
    pub_date: str | None
    """``pubDate``, else ``dc:date``, as written (RFC 822 or ISO 8601)."""
    categories: tuple[tuple[str | None, str], ...]
    """``(domain attribute, text)`` of every ``<category>``."""


@dataclass(frozen=True, slots=True)
class RssChannel:
    title: str | None
    link: str | None
    published: str | None
    """``lastBuildDate``, else ``pubDate``, else ``dc:date``, as written."""
    items: tuple[RssItem, ...]


def _first_text(element: ET.Element, *tags: str) -> str | None:
    for tag in tags:
        value = child_text(element, tag)
        if value:
            return value
    return None


def _item(element: ET.Element) -> RssItem:
    return RssItem(
        element=element,
        title=child_text(element, "title"),
        link=child_text(element, "link"),
        guid=child_text(element, "guid"),
        description=child_text(element, "description"),
        pub_date=_first_text(element, "pubDate", f"{DC}date"),
        categories=tuple(
            (category.get("domain"), "".join(category.itertext()).strip())
            for category in element.findall("category")
        ),
    )


def read_rss(feed: str, payload: bytes, *, expected: str = "an RSS 2.0 document") -> RssChannel:
    """Parse an RSS 2.0 document; ``FeedFormatError`` when it is not one (``UnsafeXmlError`` for a DTD)."""
    root = parse_xml(feed, payload, expected=expected)
    if root.tag != "rss":
        raise FeedFormatError(feed, f"the root element is {root.tag!r}, expected <rss> ({expected})")
    channel = root.find("channel")
    if channel is None:
        raise FeedFormatError(feed, "<rss> has no <channel>")
    return RssChannel(
        title=child_text(channel, "title"),
        link=child_text(channel, "link"),
        published=_first_text(channel, "lastBuildDate", "pubDate", f"{DC}date"),
        items=tuple(_item(element) for element in channel.findall("item")),
    )


def html_to_text(fragment: str) -> str:
    """Markup stripped, entities decoded, whitespace collapsed: what a reader of the item would see."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()
