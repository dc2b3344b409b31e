"""ReliefWeb disasters API (v1 or v2 JSON) -> natural events from ReliefWeb (``natural:events:reliefweb:v1``).

Upstream: https://api.reliefweb.int/v2/disasters?appname=<registered name>&preset=external (v1, the genuine
sample's version, has the same envelope under ``/v1/``; see https://apidoc.reliefweb.int). ReliefWeb API
terms (UN OCHA): free reuse with attribution to ReliefWeb and the original sources.

WorldMonitor has no ReliefWeb seeder; its disasters belong with the natural events the natural-disasters
tool reads, so each one becomes a ``natural:events:v1`` item (see ``natural_events``) merged after GDACS and
EONET. The default field set (``preset=external``) is small: ``id``, ``name``, ``status`` and the GLIDE number
(``FL-2024-000139-TCD``: hazard, year, sequence, ISO alpha-3 country). From those:

- ``category``: the GLIDE hazard code mapped to EONET's categories (``manmade`` for epidemics and other
  hazards EONET has no category for), ``categoryTitle`` the hazard's GLIDE name;
- ``country``: the GLIDE country, else the ``Country:`` prefix of the name;
- ``date``: ``date.created`` where the response includes it (v2 with the ``date`` field), else the first
  day of the month the name ends with (``- Aug 2024``), else 1 January of the GLIDE year;
- ``lat``/``lon``: null: the API carries no coordinates for a disaster;
- ``closed``: true for ``past`` and ``alert-archive`` disasters; the status and the GLIDE number are also in
  ``description``. ``alertLevel`` (a GDACS notion) stays null.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ._country import alpha2_from_alpha3, alpha2_from_name
from ._dates import iso_ms, strptime_ms
from .base import Feed, FeedFormatError, ParsedFeed, describe_validation_error
from .natural_events import NaturalEvent, category_of, parsed_events
from .natural_events import count_records as count_records
from .sniff import payload_hint

NAME = "reliefweb-disasters"
DATA_KEY = "natural:events:reliefweb:v1"
UPSTREAM_URL = "https://api.reliefweb.int/v2/disasters?appname=worldmonitor-mcp&preset=external&limit=100"
SNAPSHOT_FILE = "reliefweb_disasters_v1.json"
UPSTREAM_FILE_NAMES = ("disasters.json", "reliefweb_disasters.json", "reliefweb_disasters_v2.json")
CACHE_TTL_S = 2 * 86400
"""ReliefWeb curates disasters by hand, a few a day; two days survive a long outage."""

SOURCE_NAME = "ReliefWeb"
CLOSED_STATUSES = frozenset({"past", "alert-archive"})

GLIDE_HAZARDS: dict[str, tuple[str, str]] = {
    "EQ": ("earthquakes", "Earthquake"),
    "FL": ("floods", "Flood"),
    "FF": ("floods", "Flash Flood"),
    "SS": ("floods", "Storm Surge"),
    "TS": ("floods", "Tsunami"),
    "TC": ("severeStorms", "Tropical Cyclone"),
    "EC": ("severeStorms", "Extratropical Cyclone"),
    "ST": ("severeStorms", "Severe Local Storm"),
    "VO": ("volcanoes", "Volcano"),
    "WF": ("wildfires", "Wild Fire"),
    "FR": ("wildfires", "Fire"),
    "DR": ("drought", "Drought"),
    "LS": ("landslides", "Land Slide"),
    "MS": ("landslides", "Mud Slide"),
    "AV": ("snow", "Snow Avalanche"),
    "CW": ("tempExtremes", "Cold Wave"),
    "HT": ("tempExtremes", "Heat Wave"),
    "EP": ("manmade", "Epidemic"),
    "IN": ("manmade", "Insect Infestation"),
    "CE": ("manmade", "Complex Emergency"),
    "AC": ("manmade", "Technological Disaster"),
    "OT": ("manmade", "Other"),
}
"""GLIDE hazard codes (https://glidenumber.net) -> (EONET category, GLIDE's name for the hazard)."""

_GLIDE = re.compile(r"^([A-Z]{2})-([0-9]{4})-[0-9]{6}-([A-Z0-9]{3})$")
_NAME_MONTH = re.compile(r"-\s*([A-Z][a-z]{2} [0-9]{4})\s*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class _Date(_Model):
    created: str | None = None


class _Named(_Model):
    name: str = ""
    iso3: str = ""


class _Fields(_Model):
    name: Annotated[str, Field(min_length=1)]
    status: str = ""
    glide: str = ""
    date: _Date | None = None
    primary_country: _Named | None = None
    type: list[_Named] = []
    url: str = ""


class _Disaster(_Model):
    id: Annotated[str, Field(pattern=r"^[0-9]{1,12}$")]
    href: str = ""
    fields: _Fields


class _Response(_Model):
    href: Annotated[str, Field(pattern=r"^https://api\.reliefweb\.int/v[0-9]+/disasters")]
    data: list[_Disaster]


def _date_ms(fields: _Fields, glide: re.Match[str] | None) -> int:
    if fields.date is not None and fields.date.created:
        return iso_ms(fields.date.created)
    month = _NAME_MONTH.search(fields.name)
    if month:
        return strptime_ms(month.group(1), "%b %Y")
    if glide:
        return strptime_ms(glide.group(2), "%Y")
    raise ValueError("no date: neither date.created, a '- Mon YYYY' name suffix, nor a GLIDE number")


def _country(fields: _Fields, glide: re.Match[str] | None) -> str | None:
    if fields.primary_country is not None and fields.primary_country.iso3:
        found = alpha2_from_alpha3(fields.primary_country.iso3)
        if found:
            return found
    if glide:
        found = alpha2_from_alpha3(glide.group(3))
        if found:
            return found
    prefix, colon, _ = fields.name.partition(":")
    return alpha2_from_name(prefix) if colon else None


def _description(fields: _Fields) -> str:
    parts = [
        f"ReliefWeb status: {fields.status}." if fields.status else "",
        f"GLIDE {fields.glide}." if fields.glide else "",
    ]
    return " ".join(part for part in parts if part)


def _event(disaster: _Disaster) -> NaturalEvent:
    fields = disaster.fields
    glide = _GLIDE.match(fields.glide.strip().upper())
    category, hazard = GLIDE_HAZARDS.get(glide.group(1), ("manmade", "Other")) if glide else ("manmade", "")
    if not glide and fields.type:
        hazard = fields.type[0].name
    return NaturalEvent(
        id=f"reliefweb-{disaster.id}",
        title=fields.name,
        description=_description(fields),
        category=category_of(category),
        categoryTitle=hazard,
        lat=None,
        lon=None,
        date=_date_ms(fields, glide),
        magnitude=None,
        magnitudeUnit="",
        sourceUrl=fields.url or disaster.href,
        sourceName=SOURCE_NAME,
        closed=fields.status in CLOSED_STATUSES,
        alertLevel=None,
        country=_country(fields, glide),
        source="reliefweb",
    )


def parse(payload: bytes) -> ParsedFeed:
    """Parse a ReliefWeb ``/disasters`` response; raise ``FeedFormatError`` on anything else."""
    try:
        response = _Response.model_validate_json(payload)
    except ValidationError as exc:
        raise FeedFormatError(
            NAME,
            f"not a ReliefWeb disasters response ({describe_validation_error(exc)}){payload_hint(payload)}",
        ) from exc
    events = []
    for disaster in response.data:
        try:
            events.append(_event(disaster))
        except (ValueError, ValidationError) as exc:
            # ValidationError is a ValueError; both name the disaster so the operator can look it up.
            raise FeedFormatError(NAME, f"disaster {disaster.id}: {exc}") from exc
    version = "reliefweb-v1" if "/v1/" in response.href else "reliefweb-v2"
    return parsed_events(events, source_version=version, published_at_ms=None)


FEED = Feed(
    name=NAME,
    domain="natural",
    resource="events-reliefweb",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=3 * 3600,
    licence="ReliefWeb API terms (UN OCHA); attribute ReliefWeb and the original sources",
)
