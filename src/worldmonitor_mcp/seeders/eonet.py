"""NASA EONET v3 open events (JSON) -> natural events from EONET (``natural:events:eonet:v1``).

Upstream: https://eonet.gsfc.nasa.gov/api/v3/events?status=open (documented at
https://eonet.gsfc.nasa.gov/docs/v3). NASA open data, no copyright restriction; cite NASA EONET.

Each event becomes one ``natural:events:v1`` item (see ``natural_events``) placed at its latest geometry,
as WorldMonitor does: the newest point of a storm track, the latest fire perimeter centroid EONET reports.
Also as WorldMonitor: events whose latest geometry is a Polygon are skipped (they have no single position),
and earthquakes are skipped (USGS is the earthquake source). ``merge_natural_events`` combines this feed
with GDACS into the key the natural-disasters tool reads.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._dates import iso_ms
from .base import Feed, FeedFormatError, ParsedFeed, describe_validation_error
from .natural_events import NaturalEvent, category_of, parsed_events
from .natural_events import count_records as count_records
from .sniff import payload_hint

NAME = "nasa-eonet"
DATA_KEY = "natural:events:eonet:v1"
UPSTREAM_URL = "https://eonet.gsfc.nasa.gov/api/v3/events?status=open&days=30"
SNAPSHOT_FILE = "nasa_eonet_events.json"
UPSTREAM_FILE_NAMES = ("eonet.json", "eonet_events.json")
CACHE_TTL_S = 18 * 3600
"""WorldMonitor keeps natural events 18 hours: six missed three-hourly runs."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class _Category(_Model):
    id: Annotated[str, Field(min_length=1)]
    title: str = ""


class _Source(_Model):
    id: str = ""
    url: str = ""


class _Geometry(_Model):
    type: str
    date: str
    coordinates: Any
    magnitudeValue: float | None = None
    magnitudeUnit: str | None = None

    @field_validator("date")
    @classmethod
    def _date(cls, value: str) -> str:
        iso_ms(value)
        return value


class _Point(_Model):
    type: Literal["Point"]
    coordinates: tuple[Annotated[float, Field(ge=-180, le=180)], Annotated[float, Field(ge=-90, le=90)]]


class _Event(_Model):
    id: Annotated[str, Field(min_length=1)]
    title: str
    description: str | None = None
    link: str = ""
    closed: str | None = None
    categories: Annotated[list[_Category], Field(min_length=1)]
    sources: list[_Source] = []
    geometry: Annotated[list[_Geometry], Field(min_length=1)]


class _Events(_Model):
    events: list[_Event]


def _event(event: _Event) -> NaturalEvent | None:
    category = event.categories[0]
    normalised = category_of(category.id)
    if normalised == "earthquakes":
        return None
    latest = max(event.geometry, key=lambda geometry: iso_ms(geometry.date))
    if latest.type != "Point":
        return None
    try:
        point = _Point.model_validate({"type": latest.type, "coordinates": latest.coordinates})
    except ValidationError as exc:
        raise FeedFormatError(
            NAME, f"event {event.id}: bad Point geometry ({describe_validation_error(exc)})"
        ) from exc
    longitude, latitude = point.coordinates
    source = event.sources[0] if event.sources else _Source()
    return NaturalEvent(
        id=event.id,
        title=event.title,
        description=event.description or "",
        category=normalised,
        categoryTitle=category.title,
        lat=latitude,
        lon=longitude,
        date=iso_ms(latest.date),
        magnitude=latest.magnitudeValue,
        magnitudeUnit=latest.magnitudeUnit or "",
        sourceUrl=source.url,
        sourceName=source.id,
        closed=event.closed is not None,
        alertLevel=None,
        country=None,
        source="eonet",
    )


def parse(payload: bytes) -> ParsedFeed:
    """Parse an EONET v3 events document; raise ``FeedFormatError`` on anything else."""
    try:
        document = _Events.model_validate_json(payload)
    except ValidationError as exc:
        raise FeedFormatError(
            NAME, f"not an EONET v3 events document ({describe_validation_error(exc)}){payload_hint(payload)}"
        ) from exc
    events = [item for item in (_event(event) for event in document.events) if item is not None]
    # EONET documents carry no generation time: the newest observation is the data's own time.
    return parsed_events(events, source_version="eonet-v3", published_at_ms=None)


FEED = Feed(
    name=NAME,
    domain="natural",
    resource="events-eonet",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=3600,
    licence="NASA open data, no copyright restriction (cite NASA EONET)",
)
