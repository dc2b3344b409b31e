"""GDACS events GeoJSON -> natural events from GDACS (``natural:events:gdacs-geojson:v1``).

Upstream: https://www.gdacs.org/xml/gdacs.geojson (Global Disaster Alert and Coordination System). Not the
``gdacsapi/api/events/geteventlist/MAP`` endpoint WorldMonitor reads: here every property is a string
(``"latitude": "-50.5174"``), there is no ``severitydata``/``url`` object, and dates read
``27 May 2026 14:51:04`` (UTC). Copyright European Union; syndication allowed with acknowledgement.

The collection mixes event centroids (``Point``) with impact polygons, flood and drought areas and cyclone
tracks. Only the centroids are events; the rest are skipped, as WorldMonitor skips them. Each centroid
becomes a ``natural:events:v1`` item with the id ``gdacs-<type>-<eventid>``, the id the GDACS RSS feed
gives the same event. The feed carries no magnitude with a unit (its ``severity`` is a bare number whose
meaning depends on the hazard), so ``magnitude`` stays null.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._country import alpha2_from_alpha3, alpha2_from_name
from ._dates import matches_strptime, strptime_ms
from .base import Feed, FeedFormatError, ParsedFeed, describe_validation_error
from .natural_events import GDACS_CATEGORY, GDACS_TYPE_NAME, NaturalEvent, category_of, parsed_events
from .natural_events import count_records as count_records
from .sniff import payload_hint

NAME = "gdacs-geojson"
DATA_KEY = "natural:events:gdacs-geojson:v1"
UPSTREAM_URL = "https://www.gdacs.org/xml/gdacs.geojson"
SNAPSHOT_FILE = "gdacs_events.geojson"
UPSTREAM_FILE_NAMES = ("gdacs.geojson",)
CACHE_TTL_S = 18 * 3600

DATE_FORMAT = "%d %b %Y %H:%M:%S"
SOURCE_NAME = "GDACS"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class _Properties(_Model):
    eventtype: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    eventid: Annotated[str, Field(pattern=r"^[0-9]{1,12}$")]
    name: str = ""
    description: str = ""
    link: str = ""
    alertlevel: str = ""
    fromdate: Annotated[str, matches_strptime(DATE_FORMAT)]
    iso3: str = ""
    country: str = ""


class _Point(_Model):
    type: Literal["Point"]
    coordinates: Annotated[list[float], Field(min_length=2, max_length=3)]

    @field_validator("coordinates")
    @classmethod
    def _in_range(cls, value: list[float]) -> list[float]:
        if not (-180 <= value[0] <= 180 and -90 <= value[1] <= 90):
            raise ValueError("longitude/latitude out of range")
        return value


class _Feature(_Model):
    type: Literal["Feature"]
    properties: dict[str, Any]
    geometry: dict[str, Any] | None


class _FeatureCollection(_Model):
    type: Literal["FeatureCollection"]
    features: list[_Feature]


class _Centroid(_Model):
    properties: _Properties
    geometry: _Point


def _event(centroid: _Centroid) -> NaturalEvent:
    properties = centroid.properties
    longitude, latitude = centroid.geometry.coordinates[:2]
    # ``iso3`` names only the first country of a multi-country event; ``country`` lists them all.
    country = alpha2_from_alpha3(properties.iso3) or alpha2_from_name(properties.country)
    return NaturalEvent(
        id=f"gdacs-{properties.eventtype}-{properties.eventid}",
        title=properties.name,
        description=properties.description,
        category=category_of(GDACS_CATEGORY.get(properties.eventtype, "manmade")),
        categoryTitle=GDACS_TYPE_NAME.get(properties.eventtype, properties.eventtype),
        lat=latitude,
        lon=longitude,
        date=strptime_ms(properties.fromdate, DATE_FORMAT),
        magnitude=None,
        magnitudeUnit="",
        sourceUrl=properties.link,
        sourceName=SOURCE_NAME,
        closed=False,
        alertLevel=properties.alertlevel or None,
        country=country,
        source="gdacs",
    )


def parse(payload: bytes) -> ParsedFeed:
    """Parse the GDACS GeoJSON feed; raise ``FeedFormatError`` on anything else."""
    try:
        collection = _FeatureCollection.model_validate_json(payload)
    except ValidationError as exc:
        raise FeedFormatError(
            NAME,
            f"not a GeoJSON FeatureCollection ({describe_validation_error(exc)}){payload_hint(payload)}",
        ) from exc
    events = []
    for position, feature in enumerate(collection.features):
        if feature.geometry is None or feature.geometry.get("type") != "Point":
            continue
        try:
            events.append(_event(_Centroid.model_validate(feature.model_dump())))
        except ValidationError as exc:
            raise FeedFormatError(
                NAME, f"feature {position} is not a GDACS event centroid ({describe_validation_error(exc)})"
            ) from exc
    # The feed carries no generation time: the newest alert start is the data's own time.
    return parsed_events(events, source_version="gdacs-geojson", published_at_ms=None)


FEED = Feed(
    name=NAME,
    domain="natural",
    resource="events-gdacs-geojson",
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
