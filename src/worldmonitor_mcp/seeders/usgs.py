"""USGS earthquake summary feed (GeoJSON) -> ``seismology:earthquakes:v1``.

Upstream: https://earthquake.usgs.gov/earthquakes/feed/v1.0/summary/4.5_week.geojson, one of the summary
feeds documented at https://earthquake.usgs.gov/earthquakes/feed/v1.0/geojson.php (any
``{significant,4.5,2.5,1.0,all}_{hour,day,week,month}.geojson`` has the same shape).

The stored value has WorldMonitor's shape (scripts/seed-earthquakes.mjs in koala73/worldmonitor)::

    {"earthquakes": [{"id": "us7000c93g", "place": "11 km WSW of Kerasochóri, Greece",
                      "magnitude": 4.8, "depthKm": 10.0,
                      "location": {"latitude": 38.9744, "longitude": 21.5078},
                      "occurredAt": 1604272175397,
                      "sourceUrl": "https://earthquake.usgs.gov/earthquakes/eventpage/us7000c93g"}]}

Two deliberate differences: an event USGS publishes without a magnitude gets ``"magnitude": null``, not
WorldMonitor's 0, which would read as a real value; and the nuclear-test-site proximity fields
(``nearTestSite``, ``concernScore``, ...) that WorldMonitor adds are not computed here.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .base import (
    Feed,
    FeedFormatError,
    ParsedFeed,
    describe_validation_error,
    newest_oldest,
)
from .sniff import payload_hint

NAME = "usgs-earthquakes"
DATA_KEY = "seismology:earthquakes:v1"
UPSTREAM_URL = "https://earthquake.usgs.gov/earthquakes/feed/v1.0/summary/4.5_week.geojson"
SNAPSHOT_FILE = "usgs_earthquakes_4.5_week.geojson"
CACHE_TTL_S = 6 * 3600
"""Six hourly refreshes may fail before the data expires (WorldMonitor uses the same TTL)."""
CADENCE_S = 300
"""USGS regenerates the summary feeds every minute; five minutes keeps the tool well inside its 30-minute
staleness budget, and conditional GET makes an unchanged feed cost a 304."""

_MAGNITUDES = ("significant", "4.5", "2.5", "1.0", "all")
_PERIODS = ("hour", "day", "week", "month")
UPSTREAM_FILE_NAME = "4.5_week.geojson"
UPSTREAM_FILE_NAMES = (
    UPSTREAM_FILE_NAME,
    *sorted({f"{mag}_{period}.geojson" for mag in _MAGNITUDES for period in _PERIODS} - {UPSTREAM_FILE_NAME}),
)
"""The names USGS serves its summary feeds under, ours first; ``seed_from_dir`` accepts any of them."""

_SUMMARY_NAME = re.compile(r"/summary/([A-Za-z0-9.]+_[a-z]+)\.geojson$")


class _Model(BaseModel):
    # Strict: a number sent as a string is schema drift worth hearing about. Extra fields are ignored
    # because USGS adds properties over time.
    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False, frozen=True)


MAX_EPOCH_MS = 253_402_300_799_999
"""9999-12-31T23:59:59.999Z: a later time is corrupt, and past 64 bits it would not even encode as JSON."""


class _Metadata(_Model):
    generated: Annotated[int, Field(ge=0, le=MAX_EPOCH_MS)]
    url: str | None = None


class _Properties(_Model):
    mag: float | None = None
    place: str | None = None
    time: Annotated[int, Field(ge=0, le=MAX_EPOCH_MS)]
    url: str | None = None


class _Point(_Model):
    type: Literal["Point"]
    coordinates: tuple[
        Annotated[float, Field(ge=-180, le=180)],
        Annotated[float, Field(ge=-90, le=90)],
        float,
    ]
    """GeoJSON order: longitude, latitude, depth in km."""


class _Feature(_Model):
    type: Literal["Feature"]
    id: str
    properties: _Properties
    geometry: _Point


class _FeatureCollection(_Model):
    type: Literal["FeatureCollection"]
    metadata: _Metadata
    features: list[_Feature]


def _earthquake(feature: _Feature) -> dict[str, object]:
    longitude, latitude, depth_km = feature.geometry.coordinates
    return {
        "id": feature.id,
        "place": feature.properties.place or "",
        "magnitude": feature.properties.mag,
        "depthKm": depth_km,
        "location": {"latitude": latitude, "longitude": longitude},
        "occurredAt": feature.properties.time,
        "sourceUrl": feature.properties.url or "",
    }


def _source_version(url: str | None) -> str:
    match = _SUMMARY_NAME.search(url or "")
    return f"usgs-{match.group(1).replace('_', '-')}" if match else "usgs-geojson"


def count_records(data: Any) -> int:
    return len(data["earthquakes"])


def parse(payload: bytes) -> ParsedFeed:
    """Parse a USGS summary GeoJSON document; raise ``FeedFormatError`` on anything else."""
    try:
        collection = _FeatureCollection.model_validate_json(payload)
    except ValidationError as exc:
        raise FeedFormatError(
            NAME,
            f"not a USGS GeoJSON FeatureCollection ({describe_validation_error(exc)}){payload_hint(payload)}",
        ) from exc
    earthquakes = [_earthquake(feature) for feature in collection.features]
    newest, oldest = newest_oldest(feature.properties.time for feature in collection.features)
    return ParsedFeed(
        data={"earthquakes": earthquakes},
        record_count=len(earthquakes),
        source_version=_source_version(collection.metadata.url),
        published_at_ms=collection.metadata.generated,
        newest_item_at_ms=newest,
        oldest_item_at_ms=oldest,
    )


FEED = Feed(
    name=NAME,
    domain="seismology",
    resource="earthquakes",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=CADENCE_S,
    licence="US Government work, public domain (credit: U.S. Geological Survey)",
)
