"""US National Weather Service active alerts (GeoJSON) -> ``weather:alerts:v1``.

Upstream: https://api.weather.gov/alerts/active (documented at https://www.weather.gov/documentation/services-web-api;
the API requires a User-Agent naming the application). US Government work, public domain (NOAA/NWS).

The stored value has WorldMonitor's shape (scripts/seed-weather-alerts.mjs and _weather-alert-select.mjs in
koala73/worldmonitor)::

    {"alerts": [{"id": "https://api.weather.gov/alerts/urn:oid:...", "event": "Red Flag Warning",
                 "severity": "Severe", "headline": "...", "description": "... (500 characters at most)",
                 "areaDesc": "...", "onset": "2025-03-17T11:00:00-06:00", "expires": "...",
                 "coordinates": [[-104.1, 32.0], ...], "centroid": [-104.5, 32.4],
                 "sent": "2025-03-17T...", "status": "Actual"}]}

As WorldMonitor does: only alerts with a known severity (Extreme, Severe, Moderate, Minor) are kept, most
severe first (issuance order within one severity), at most ``MAX_ALERTS``; ``coordinates`` is the outer
ring of a Polygon (the first polygon of a MultiPolygon), ``[]`` for the many alerts NWS publishes without
geometry, and ``centroid`` the mean of the ring's distinct points (WorldMonitor also averages the repeated
closing point), absent without geometry. Added: ``sent`` and ``status``; alerts whose status is not
``Actual`` (tests, exercises, drafts) are dropped.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._dates import iso_ms
from .base import Feed, FeedFormatError, ParsedFeed, describe_validation_error, newest_oldest
from .sniff import payload_hint

NAME = "nws-alerts"
DATA_KEY = "weather:alerts:v1"
UPSTREAM_URL = "https://api.weather.gov/alerts/active"
SNAPSHOT_FILE = "nws_alerts_active.geojson"
UPSTREAM_FILE_NAMES = ("active.geojson", "alerts_active.json", "weather_alerts.json")
CACHE_TTL_S = 15 * 60
"""WorldMonitor's TTL: a weather warning older than a quarter of an hour should not be served as current."""

MAX_ALERTS = 50
MAX_DESCRIPTION = 500
SEVERITY_RANK = {"Extreme": 0, "Severe": 1, "Moderate": 2, "Minor": 3}

_Longitude = Annotated[float, Field(ge=-180, le=180)]
_Latitude = Annotated[float, Field(ge=-90, le=90)]
_Position = Annotated[list[float], Field(min_length=2)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class _Properties(_Model):
    # Every NWS alert (a CAP message) carries these; a feature without them is not an alert.
    event: str
    severity: str
    status: str
    areaDesc: str
    sent: str
    headline: str | None = None
    description: str | None = None
    onset: str | None = None
    expires: str | None = None

    @field_validator("onset", "expires", "sent")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        if value is not None:
            iso_ms(value)
        return value


class _Geometry(_Model):
    type: str
    coordinates: Any = None


class _Feature(_Model):
    id: Annotated[str, Field(min_length=1)]
    type: Literal["Feature"]
    properties: _Properties
    geometry: _Geometry | None = None


class _Collection(_Model):
    type: Literal["FeatureCollection"]
    updated: str | None = None
    features: list[_Feature]

    @field_validator("updated")
    @classmethod
    def _updated(cls, value: str | None) -> str | None:
        if value:
            iso_ms(value)
        return value


class _Ring(_Model):
    points: list[_Position]

    @field_validator("points")
    @classmethod
    def _in_range(cls, value: list[list[float]]) -> list[list[float]]:
        for longitude, latitude, *_ in value:
            if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
                raise ValueError(f"position {longitude}, {latitude} is out of range")
        return value


def _ring(geometry: _Geometry | None) -> list[list[float]]:
    if geometry is None:
        return []
    coordinates = geometry.coordinates
    if geometry.type == "Polygon":
        outer = coordinates[0] if isinstance(coordinates, list) and coordinates else []
    elif geometry.type == "MultiPolygon":
        first = coordinates[0] if isinstance(coordinates, list) and coordinates else []
        outer = first[0] if isinstance(first, list) and first else []
    else:
        return []
    ring = _Ring.model_validate({"points": outer}).points
    return [[point[0], point[1]] for point in ring]


def _centroid(ring: list[list[float]]) -> list[float] | None:
    points = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring
    if not points:
        return None
    return [sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)]


def _alert(feature: _Feature) -> dict[str, Any]:
    properties = feature.properties
    ring = _ring(feature.geometry)
    alert: dict[str, Any] = {
        "id": feature.id,
        "event": properties.event,
        "severity": properties.severity,
        "headline": properties.headline or "",
        "description": (properties.description or "")[:MAX_DESCRIPTION],
        "areaDesc": properties.areaDesc,
        "onset": properties.onset or "",
        "expires": properties.expires or "",
        "coordinates": ring,
        "sent": properties.sent,
        "status": properties.status,
    }
    centroid = _centroid(ring)
    if centroid is not None:
        alert["centroid"] = centroid
    return alert


def count_records(data: Any) -> int:
    return len(data["alerts"])


def parse(payload: bytes) -> ParsedFeed:
    """Parse the NWS active-alerts GeoJSON; raise ``FeedFormatError`` on anything else."""
    try:
        collection = _Collection.model_validate_json(payload)
    except ValidationError as exc:
        raise FeedFormatError(
            NAME,
            f"not an NWS alerts FeatureCollection ({describe_validation_error(exc)}){payload_hint(payload)}",
        ) from exc
    eligible = [
        feature
        for feature in collection.features
        if feature.properties.severity in SEVERITY_RANK and feature.properties.status == "Actual"
    ]
    eligible.sort(key=lambda feature: SEVERITY_RANK[feature.properties.severity])  # stable: issuance order
    alerts = []
    for feature in eligible[:MAX_ALERTS]:
        try:
            alerts.append(_alert(feature))
        except ValidationError as exc:
            raise FeedFormatError(
                NAME, f"alert {feature.id}: bad geometry ({describe_validation_error(exc)})"
            ) from exc
    newest, oldest = newest_oldest(iso_ms(alert["sent"]) for alert in alerts)
    return ParsedFeed(
        data={"alerts": alerts},
        record_count=len(alerts),
        source_version="nws-active",
        published_at_ms=iso_ms(collection.updated) if collection.updated else None,
        newest_item_at_ms=newest,
        oldest_item_at_ms=oldest,
    )


FEED = Feed(
    name=NAME,
    domain="weather",
    resource="alerts",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=300,
    licence="US Government work, public domain (NOAA/NWS)",
)
