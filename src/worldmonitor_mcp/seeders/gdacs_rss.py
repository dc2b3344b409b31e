"""GDACS alerts RSS -> natural events from GDACS (``natural:events:gdacs-rss:v1``).

Upstream: https://www.gdacs.org/xml/rss.xml (Global Disaster Alert and Coordination System, a joint UN /
European Commission JRC service). The channel declares ``<copyright>public domain</copyright>``; GDACS
resources state "Copyright European Union. Syndication allowed, provided the source is acknowledged."

Each ``<item>`` is one alert; its ``gdacs:*`` extension elements carry the event identity
(``eventtype``/``eventid``), alert level, start date, severity and country, and ``geo:Point`` its position.
Items become ``natural:events:v1`` items (see ``natural_events``) with the id ``gdacs-<type>-<eventid>``, the
same id the GDACS GeoJSON feed gives the same event, so ``merge_natural_events`` keeps one of them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._country import alpha2_from_alpha3, alpha2_from_name
from ._dates import rfc822_ms
from ._rss import RssItem, html_to_text, read_rss
from ._xml import child_text
from .base import Feed, FeedFormatError, ParsedFeed, describe_validation_error
from .natural_events import GDACS_CATEGORY as GDACS_CATEGORY
from .natural_events import GDACS_TYPE_NAME, NaturalEvent, category_of, parsed_events
from .natural_events import count_records as count_records

NAME = "gdacs-rss"
DATA_KEY = "natural:events:gdacs-rss:v1"
UPSTREAM_URL = "https://www.gdacs.org/xml/rss.xml"
SNAPSHOT_FILE = "gdacs_rss.xml"
UPSTREAM_FILE_NAMES = ("rss.xml", "gdacs.xml", "rss_24h.xml", "rss_7d.xml")
CACHE_TTL_S = 18 * 3600

GDACS = "{http://www.gdacs.org}"
GEO = "{http://www.w3.org/2003/01/geo/wgs84_pos#}"
SOURCE_NAME = "GDACS"


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    title: str
    description: str
    link: str
    eventtype: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    eventid: Annotated[str, Field(pattern=r"^[0-9]{1,12}$")]
    alertlevel: str
    fromdate: str
    iscurrent: bool | None
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    severity_text: str
    severity_value: float | None
    severity_unit: str
    iso3: str
    country: str

    @field_validator("fromdate")
    @classmethod
    def _date(cls, value: str) -> str:
        rfc822_ms(value)
        return value


def _gdacs(element: ET.Element, name: str) -> str | None:
    return child_text(element, f"{GDACS}{name}")


def _raw(item: RssItem) -> dict[str, Any]:
    element = item.element
    point = element.find(f"{GEO}Point")
    severity = element.find(f"{GDACS}severity")
    current = _gdacs(element, "iscurrent")
    value = None if severity is None else severity.get("value")
    return {
        "title": item.title or "",
        "description": html_to_text(item.description or ""),
        "link": item.link or "",
        "eventtype": _gdacs(element, "eventtype"),
        "eventid": _gdacs(element, "eventid"),
        "alertlevel": _gdacs(element, "alertlevel") or "",
        "fromdate": _gdacs(element, "fromdate") or item.pub_date,
        "iscurrent": None if current is None else current.lower(),
        "lat": None if point is None else child_text(point, f"{GEO}lat"),
        "lon": None if point is None else child_text(point, f"{GEO}long"),
        "severity_text": "" if severity is None else "".join(severity.itertext()).strip(),
        "severity_value": value if value not in (None, "") else None,
        "severity_unit": "" if severity is None else severity.get("unit", ""),
        "iso3": _gdacs(element, "iso3") or "",
        "country": _gdacs(element, "country") or "",
    }


def _event(item: _Item) -> NaturalEvent:
    country = alpha2_from_alpha3(item.iso3) or alpha2_from_name(item.country)
    return NaturalEvent(
        id=f"gdacs-{item.eventtype}-{item.eventid}",
        title=item.title,
        description=item.description,
        category=category_of(GDACS_CATEGORY.get(item.eventtype, "manmade")),
        categoryTitle=GDACS_TYPE_NAME.get(item.eventtype, item.eventtype),
        lat=item.lat,
        lon=item.lon,
        date=rfc822_ms(item.fromdate),
        magnitude=item.severity_value,
        magnitudeUnit=item.severity_unit if item.severity_value is not None else "",
        sourceUrl=item.link,
        sourceName=SOURCE_NAME,
        closed=item.iscurrent is False,
        alertLevel=item.alertlevel or None,
        country=country,
        source="gdacs",
    )


def parse(payload: bytes) -> ParsedFeed:
    """Parse the GDACS RSS feed; raise ``FeedFormatError`` (``UnsafeXmlError`` for a DTD) on anything else."""
    channel = read_rss(NAME, payload, expected="the GDACS RSS feed")
    events = []
    for position, item in enumerate(channel.items):
        try:
            events.append(_event(_Item.model_validate(_raw(item))))
        except ValidationError as exc:
            raise FeedFormatError(
                NAME, f"item {position} is not a GDACS alert ({describe_validation_error(exc)})"
            ) from exc
    try:
        published = None if channel.published is None else rfc822_ms(channel.published)
    except ValueError as exc:
        raise FeedFormatError(NAME, f"channel date: {exc}") from exc
    return parsed_events(events, source_version="gdacs-rss", published_at_ms=published)


FEED = Feed(
    name=NAME,
    domain="natural",
    resource="events-gdacs-rss",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=900,
    licence="(C) European Union (GDACS/JRC); syndication allowed with acknowledgement",
)
