"""Open-Meteo forecast (JSON) -> daily forecast summaries (``weather:forecast:v1``, our key).

Upstream: https://api.open-meteo.com/v1/forecast?latitude=...&longitude=...&hourly=temperature_2m,
precipitation (one model, or several with ``&models=...``: then every variable is suffixed ``_<model>``);
documented at https://open-meteo.com/en/docs. Data CC BY 4.0 (attribute Open-Meteo); the free API is for
non-commercial use.

Why not ``climate:anomalies:v1``: WorldMonitor fills that key from the Open-Meteo *archive* API (daily
``temperature_2m_mean`` and ``precipitation_sum`` of past days, scripts/seed-climate-anomalies.mjs)
compared against WMO 1991-2020 normals. A forecast says nothing about how the recent past departed from
normal, so writing it there would be a false anomaly; no genuine archive response is in the samples (see
snapshot/SOURCES.md). The forecast goes under a key of its own, which no cache tool reads yet::

    {"latitude": 45.75, "longitude": 12.75, "elevation": 5.0, "timezone": "GMT",
     "models": {"ecmwf_ifs025": [{"date": "2025-11-24", "temperatureMin": 4.1, "temperatureMax": 11.9,
                                  "precipitationSum": 0.0, "hours": 24}, ...], ...}}

One entry per model and local day of ``hourly`` data: the lowest and highest ``temperature_2m`` and the sum
of ``precipitation`` over the hours the model has values for (``hours``), days being local to the response's
``timezone``; a model with no value at all
(Open-Meteo's unit ``"undefined"``, every value null) is left out, as is a day without any value. The data's
time is the first forecast hour, the start of the window Open-Meteo computed from.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ._dates import strptime_ms
from .base import Feed, FeedFormatError, ParsedFeed, describe_validation_error
from .sniff import payload_hint

NAME = "open-meteo-forecast"
DATA_KEY = "weather:forecast:v1"
UPSTREAM_URL = (
    "https://api.open-meteo.com/v1/forecast?latitude=45.75&longitude=12.75"
    "&hourly=temperature_2m,precipitation&timezone=GMT&forecast_days=7"
)
SNAPSHOT_FILE = "open_meteo_forecast.json"
UPSTREAM_FILE_NAMES = ("open-meteo.json", "forecast.json")
CACHE_TTL_S = 12 * 3600
TEMPERATURE = "temperature_2m"
PRECIPITATION = "precipitation"
DEFAULT_MODEL = "best_match"
"""The name a single-model response (variables without a suffix) is filed under: Open-Meteo's default."""
HOUR = "%Y-%m-%dT%H:%M"

_Reading = float | None


class _Hourly(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, allow_inf_nan=False)

    time: Annotated[list[str], Field(min_length=1)]

    @model_validator(mode="after")
    def _aligned(self) -> _Hourly:
        for stamp in self.time:
            strptime_ms(stamp, HOUR)
        for name, values in (self.model_extra or {}).items():
            if not isinstance(values, list) or len(values) != len(self.time):
                raise ValueError(f"hourly {name!r} is not a list as long as hourly 'time'")
        return self


class _Forecast(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)

    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    elevation: float | None = None
    timezone: str = "GMT"
    utc_offset_seconds: Annotated[int, Field(ge=-86400, le=86400)] = 0
    hourly: _Hourly


class _Series(BaseModel):
    model_config = ConfigDict(frozen=True, allow_inf_nan=False)
    values: list[_Reading]


def _models(hourly: _Hourly) -> dict[str, tuple[str, str | None]]:
    """Model name -> (temperature column, precipitation column or None)."""
    columns = set(hourly.model_extra or {})
    found: dict[str, tuple[str, str | None]] = {}
    for column in sorted(columns):
        if column == TEMPERATURE:
            found[DEFAULT_MODEL] = (column, PRECIPITATION if PRECIPITATION in columns else None)
        elif column.startswith(f"{TEMPERATURE}_"):
            model = column.removeprefix(f"{TEMPERATURE}_")
            rain = f"{PRECIPITATION}_{model}"
            found[model] = (column, rain if rain in columns else None)
    return found


def _series(hourly: _Hourly, column: str) -> list[_Reading]:
    return _Series.model_validate({"values": (hourly.model_extra or {})[column]}).values


def _days(
    times: list[str], temperatures: list[_Reading], rain: list[_Reading] | None
) -> list[dict[str, Any]]:
    days: dict[str, dict[str, Any]] = {}
    for index, stamp in enumerate(times):
        temperature = temperatures[index]
        if temperature is None:
            continue
        day = days.setdefault(
            stamp[:10], {"date": stamp[:10], "temperatureMin": temperature, "temperatureMax": temperature}
        )
        day["temperatureMin"] = min(day["temperatureMin"], temperature)
        day["temperatureMax"] = max(day["temperatureMax"], temperature)
        day["hours"] = day.get("hours", 0) + 1
        if rain is not None and rain[index] is not None:
            day["precipitationSum"] = round(day.get("precipitationSum", 0.0) + float(rain[index] or 0.0), 2)
    for day in days.values():
        day.setdefault("precipitationSum", None)
    return [
        {key: day[key] for key in ("date", "temperatureMin", "temperatureMax", "precipitationSum", "hours")}
        for day in days.values()
    ]


def count_records(data: Any) -> int:
    return sum(len(days) for days in data["models"].values())


def parse(payload: bytes) -> ParsedFeed:
    """Parse an Open-Meteo forecast with hourly ``temperature_2m``; raise ``FeedFormatError`` otherwise."""
    try:
        forecast = _Forecast.model_validate_json(payload)
    except ValidationError as exc:
        raise FeedFormatError(
            NAME, f"not an Open-Meteo forecast ({describe_validation_error(exc)}){payload_hint(payload)}"
        ) from exc
    models = _models(forecast.hourly)
    if not models:
        raise FeedFormatError(NAME, f"the forecast has no hourly {TEMPERATURE!r} for any model")
    summaries: dict[str, list[dict[str, Any]]] = {}
    for model, (temperature, rain) in models.items():
        try:
            temperatures = _series(forecast.hourly, temperature)
            rainfall = _series(forecast.hourly, rain) if rain is not None else None
        except ValidationError as exc:
            raise FeedFormatError(NAME, f"model {model}: {describe_validation_error(exc)}") from exc
        days = _days(forecast.hourly.time, temperatures, rainfall)
        if days:
            summaries[model] = days
    data = {
        "latitude": forecast.latitude,
        "longitude": forecast.longitude,
        "elevation": forecast.elevation,
        "timezone": forecast.timezone,
        "models": summaries,
    }
    # Hourly times are local to ``timezone``; utc_offset_seconds turns them into UTC.
    offset_ms = forecast.utc_offset_seconds * 1000
    hours = [strptime_ms(stamp, HOUR) - offset_ms for stamp in forecast.hourly.time]
    return ParsedFeed(
        data=data,
        record_count=count_records(data),
        source_version="open-meteo-forecast",
        published_at_ms=min(hours),
        newest_item_at_ms=max(hours),
        oldest_item_at_ms=min(hours),
    )


FEED = Feed(
    name=NAME,
    domain="weather",
    resource="forecast",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=3 * 3600,
    licence="Open-Meteo data CC BY 4.0 (attribute Open-Meteo); free API for non-commercial use",
)
