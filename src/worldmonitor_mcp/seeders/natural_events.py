"""The shape of ``natural:events:v1`` and the merge of its sources (NASA EONET, GDACS, ReliefWeb).

The stored value has WorldMonitor's shape (scripts/seed-natural-events.mjs in koala73/worldmonitor)::

    {"events": [{"id": "gdacs-EQ-1457082", "title": "...", "description": "...",
                 "category": "earthquakes", "categoryTitle": "Earthquake",
                 "lat": 51.1125, "lon": -177.2133, "date": 1733853875000,
                 "magnitude": 5.8, "magnitudeUnit": "M", "sourceUrl": "https://www.gdacs.org/...",
                 "sourceName": "GDACS", "closed": false,
                 "alertLevel": "Green", "country": "US", "source": "gdacs"}]}

Each source feed (``eonet``, ``gdacs_rss``, ``gdacs_geojson``, ``reliefweb``) writes its own items in this
shape under its own key, and ``merge_natural_events`` combines them into the key the natural-disasters tool
reads. Differences from WorldMonitor, all deliberate:

- ``magnitude`` is ``null`` when the source has none (WorldMonitor writes 0, which reads as a value);
- ``alertLevel`` (GDACS Green/Orange/Red), ``country`` (ISO 3166-1 alpha-2) and ``source`` are added;
- Green GDACS alerts are kept (WorldMonitor drops them): they are most of what GDACS publishes, and the
  ``alertLevel`` field lets a reader filter;
- ``lat``/``lon`` are ``null`` for ReliefWeb disasters, which carry no coordinates;
- no clock-dependent filter (WorldMonitor drops EONET wildfires older than 48 hours at fetch time): a
  parser is a pure function of the payload, so age is judged by whoever reads ``date``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .base import FeedFormatError, ParsedFeed, describe_validation_error, newest_oldest
from .composite import Composite

DATA_KEY = "natural:events:v1"
MERGE_NAME = "natural-events"
SOURCES = ("gdacs-rss", "gdacs-geojson", "nasa-eonet", "reliefweb-disasters")
"""The source feeds in order of preference (see ``merge_natural_events``)."""
CACHE_TTL_S = 18 * 3600
"""WorldMonitor keeps natural events 18 hours: six missed three-hourly runs."""

Category = Literal[
    "severeStorms",
    "wildfires",
    "volcanoes",
    "earthquakes",
    "floods",
    "landslides",
    "drought",
    "dustHaze",
    "snow",
    "tempExtremes",
    "seaLakeIce",
    "waterColor",
    "manmade",
]
CATEGORIES: frozenset[str] = frozenset(Category.__args__)  # type: ignore[attr-defined]
"""EONET's category ids, which WorldMonitor also uses for GDACS events; anything else is ``manmade``."""

GDACS_CATEGORY: dict[str, str] = {
    "EQ": "earthquakes",
    "FL": "floods",
    "TC": "severeStorms",
    "VO": "volcanoes",
    "WF": "wildfires",
    "DR": "drought",
}
GDACS_TYPE_NAME: dict[str, str] = {
    "EQ": "Earthquake",
    "FL": "Flood",
    "TC": "Tropical Cyclone",
    "VO": "Volcano",
    "WF": "Wildfire",
    "DR": "Drought",
}

Source = Literal["eonet", "gdacs", "reliefweb"]

MAX_EPOCH_MS = 253402300799999
"""9999-12-31T23:59:59.999Z, the last instant the date parsers accept."""
LOCATION_DECIMALS = 1
"""Two events of one category within ~0.1 degree (about 11 km) are one event seen by two agencies; the
same rule WorldMonitor applies."""


class NaturalEvent(BaseModel):
    """One item of ``natural:events:v1``; ``model_dump()`` gives the stored JSON object."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)

    id: Annotated[str, Field(min_length=1)]
    title: str
    description: str
    category: Category
    categoryTitle: str
    lat: Annotated[float, Field(ge=-90, le=90)] | None
    lon: Annotated[float, Field(ge=-180, le=180)] | None
    date: Annotated[int, Field(ge=0, le=MAX_EPOCH_MS)]
    """Epoch milliseconds of the latest observation (EONET), alert start (GDACS) or disaster (ReliefWeb)."""
    magnitude: float | None
    magnitudeUnit: str
    sourceUrl: str
    sourceName: str
    closed: bool
    alertLevel: str | None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None
    source: Source


class _Stored(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    events: list[NaturalEvent]


_STORED = TypeAdapter(_Stored)


def category_of(identifier: str) -> Category:
    return cast(Category, identifier) if identifier in CATEGORIES else "manmade"


def count_records(data: Any) -> int:
    return len(data["events"])


def parsed_events(
    events: list[NaturalEvent], *, source_version: str, published_at_ms: int | None
) -> ParsedFeed:
    """The ``ParsedFeed`` of one source: its events newest first, in the stored shape."""
    ordered = sorted(events, key=lambda event: event.date, reverse=True)
    newest, oldest = newest_oldest(event.date for event in ordered)
    return ParsedFeed(
        data={"events": [event.model_dump() for event in ordered]},
        record_count=len(ordered),
        source_version=source_version,
        published_at_ms=published_at_ms,
        newest_item_at_ms=newest,
        oldest_item_at_ms=oldest,
    )


def _location_key(event: NaturalEvent) -> tuple[float, float, str] | None:
    if event.lat is None or event.lon is None:
        return None
    return (round(event.lat, LOCATION_DECIMALS), round(event.lon, LOCATION_DECIMALS), event.category)


def _validated(source: Any, position: int) -> list[NaturalEvent]:
    try:
        return _STORED.validate_python(source).events
    except ValidationError as exc:
        raise FeedFormatError(
            MERGE_NAME,
            f"source {position} is not a natural:events:v1 value ({describe_validation_error(exc)})",
        ) from exc


def merge_natural_events(*sources: Any) -> dict[str, object]:
    """Merge per-source values (``{"events": [...]}``, or None for a source with no data) into one.

    Pass the sources in order of preference: GDACS before EONET (GDACS rates the alert; WorldMonitor uses
    the same order), then ReliefWeb. An event is dropped when an earlier one has the same ``id`` (GDACS's
    RSS and GeoJSON feeds describe the same events), or the same category at the same place rounded to
    ``LOCATION_DECIMALS``. The result is newest first. Raises ``FeedFormatError`` for a value that is not
    in the ``natural:events:v1`` shape.
    """
    seen_ids: set[str] = set()
    seen_places: set[tuple[float, float, str]] = set()
    merged: list[NaturalEvent] = []
    for position, source in enumerate(sources):
        if source is None:
            continue
        for event in _validated(source, position):
            place = _location_key(event)
            if event.id in seen_ids or (place is not None and place in seen_places):
                continue
            seen_ids.add(event.id)
            if place is not None:
                seen_places.add(place)
            merged.append(event)
    merged.sort(key=lambda event: event.date, reverse=True)
    return {"events": [event.model_dump() for event in merged]}


def merge_parsed(parsed: Iterable[ParsedFeed]) -> ParsedFeed:
    """``merge_natural_events`` over parsed sources, with the merged value's counts and times."""
    sources = list(parsed)
    data = merge_natural_events(*(item.data for item in sources))
    dates = [event["date"] for event in data["events"]]  # type: ignore[attr-defined]
    newest, oldest = newest_oldest(dates)
    published = [item.published_at_ms for item in sources if item.published_at_ms is not None]
    return ParsedFeed(
        data=data,
        record_count=len(dates),
        source_version="+".join(item.source_version for item in sources),
        published_at_ms=min(published) if published else None,
        newest_item_at_ms=newest,
        oldest_item_at_ms=oldest,
    )


def _counted(data: dict[str, object], source_version: str) -> ParsedFeed:
    dates = [event["date"] for event in data["events"]]  # type: ignore[attr-defined]
    newest, oldest = newest_oldest(dates)
    return ParsedFeed(data, len(dates), source_version, None, newest, oldest)


def merge_composite(sources: Mapping[str, Any]) -> ParsedFeed:
    """The ``Composite`` merge: feed name -> stored value, merged in ``SOURCES`` order.

    ``published_at_ms`` is None: the composite's seed-meta takes ``fetchedAt`` from its oldest source."""
    present = [name for name in SOURCES if name in sources]
    data = merge_natural_events(*(sources[name] for name in present))
    return _counted(data, "+".join(present))


COMPOSITE = Composite(
    name=MERGE_NAME,
    domain="natural",
    resource="events",
    data_key=DATA_KEY,
    sources=SOURCES,
    merge=merge_composite,
    cache_ttl_s=CACHE_TTL_S,
)
