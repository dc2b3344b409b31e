"""FRED series observations (JSON) for the federal funds rate -> ``economic:fred:v1:FEDFUNDS:0``.

Upstream: https://api.stlouisfed.org/fred/series/observations?series_id=FEDFUNDS&file_type=json (needs a free
API key: ``WORLDMONITOR_FEED_FRED_KEY``; documented at https://fred.stlouisfed.org/docs/api/fred/). FRED API
Terms of Use: "This product uses the FRED® API but is not endorsed or certified by the Federal Reserve Bank
of St. Louis"; the series itself (Board of Governors of the Federal Reserve System) is public domain.

The stored value has WorldMonitor's per-series shape (scripts/_fred-seeder.mjs in koala73/worldmonitor; its
readers accept ``{"series": {"observations": ...}}``)::

    {"series": {"seriesId": "FEDFUNDS", "title": "Federal Funds Effective Rate", "units": "Percent",
                "frequency": "Monthly", "observations": [{"date": "2016-08-01", "value": 0.4}, ...]}}

The observations document does not name its series, so this feed is FEDFUNDS's: title, units and frequency
are that series' description on FRED. Observations are oldest first, the newest ``MAX_OBSERVATIONS`` (the
number WorldMonitor requests); FRED's ``"."`` (no value for that date) is skipped, as WorldMonitor does.
Values are numbers (``"3.6300000000"`` and ``"3.63"`` are both 3.63). The data's own time is the response's
``realtime_start``: the vintage of the values, which FRED may revise.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ._dates import matches_strptime, strptime_ms
from .base import Feed, FeedFormatError, ParsedFeed, UpstreamRequest, describe_validation_error
from .sniff import payload_hint

NAME = "fred-fedfunds"
SERIES_ID = "FEDFUNDS"
DATA_KEY = f"economic:fred:v1:{SERIES_ID}:0"
OBSERVATIONS_URL = "https://api.stlouisfed.org/fred/series/observations"
UPSTREAM_URL = f"{OBSERVATIONS_URL}?series_id={SERIES_ID}&file_type=json&sort_order=desc&limit=120"
SNAPSHOT_FILE = "fred_fedfunds_observations.json"
UPSTREAM_FILE_NAMES = ("FEDFUNDS.json", "fedfunds.json")
CACHE_TTL_S = 26 * 3600
"""WorldMonitor's TTL for FRED keys: a daily refresh survives scheduling drift."""
MAX_OBSERVATIONS = 120
MISSING = "."

TITLE = "Federal Funds Effective Rate"
UNITS = "Percent"
FREQUENCY = "Monthly"
DATE = "%Y-%m-%d"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Observation(_Model):
    date: Annotated[str, matches_strptime(DATE)]
    value: str

    @field_validator("value")
    @classmethod
    def _value(cls, value: str) -> str:
        if value != MISSING:
            try:
                number = Decimal(value)
            except InvalidOperation as exc:
                raise ValueError(f"not a number: {value[:30]!r}") from exc
            if not number.is_finite() or not math.isfinite(float(number)):
                raise ValueError("not a finite number")
        return value


class _Response(_Model):
    realtime_start: Annotated[str, matches_strptime(DATE)]
    observations: list[_Observation]
    units: str = "lin"

    @field_validator("units")
    @classmethod
    def _levels(cls, value: str) -> str:
        if value != "lin":
            raise ValueError(f"units {value!r} transform the series; only levels ('lin') are this key's data")
        return value


def count_records(data: Any) -> int:
    return len(data["series"]["observations"])


def request(key: str | None) -> UpstreamRequest:
    """The live request; the key goes into the query string, never into the logged URL."""
    return UpstreamRequest(
        UPSTREAM_URL.split("?", 1)[0],
        params={
            "series_id": SERIES_ID,
            "file_type": "json",
            "sort_order": "desc",
            "limit": str(MAX_OBSERVATIONS),
            "api_key": key or "",
        },
    )


def parse(payload: bytes) -> ParsedFeed:
    """Parse a FRED observations response; raise ``FeedFormatError`` on anything else."""
    try:
        response = _Response.model_validate_json(payload)
    except ValidationError as exc:
        raise FeedFormatError(
            NAME,
            f"not a FRED observations response ({describe_validation_error(exc)}){payload_hint(payload)}",
        ) from exc
    present = sorted(
        (item for item in response.observations if item.value != MISSING), key=lambda item: item.date
    )[-MAX_OBSERVATIONS:]
    observations = [{"date": item.date, "value": float(Decimal(item.value))} for item in present]
    dates = [strptime_ms(item.date, DATE) for item in present]
    return ParsedFeed(
        data={
            "series": {
                "seriesId": SERIES_ID,
                "title": TITLE,
                "units": UNITS,
                "frequency": FREQUENCY,
                "observations": observations,
            }
        },
        record_count=len(observations),
        source_version="fred-observations",
        published_at_ms=strptime_ms(response.realtime_start, DATE),
        newest_item_at_ms=max(dates, default=None),
        oldest_item_at_ms=min(dates, default=None),
    )


FEED = Feed(
    name=NAME,
    domain="economic",
    resource="fred-FEDFUNDS",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=6 * 3600,
    needs_key="FRED",
    build_request=request,
    licence="FRED API terms (not endorsed by the Federal Reserve Bank of St. Louis); series public domain",
)
