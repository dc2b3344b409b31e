"""NASA FIRMS active-fire CSV (MODIS or VIIRS) -> ``wildfire:fires:v1``.

Upstream: https://firms.modaps.eosdis.nasa.gov/data/active_fire/modis-c6.1/csv/MODIS_C6_1_Global_24h.csv, the
key-less global 24-hour file (the VIIRS files beside it, ``SUOMI_VIIRS_C2_Global_24h.csv`` and
``J1_VIIRS_C2_Global_24h.csv``, and the keyed area API https://firms.modaps.eosdis.nasa.gov/api/area/csv/...
WorldMonitor reads, have the same layout with ``bright_ti4``/``bright_ti5`` and l/n/h confidence). NASA open
data, no restriction; cite "NASA FIRMS" (LANCE).

The stored value has WorldMonitor's shape (scripts/wildfire/firms-area.mjs in koala73/worldmonitor)::

    {"fireDetections": [{"id": "1.49107-127.63165-2025-11-23-0043",
                         "location": {"latitude": 1.49107, "longitude": 127.63165},
                         "brightness": 306.9, "frp": 6.05, "confidence": "FIRE_CONFIDENCE_NOMINAL",
                         "satellite": "T", "detectedAt": 1763858580000, "region": "", "dayNight": "D",
                         "instrument": "MODIS", "confidencePercent": 51}]}

``id`` joins latitude, longitude, date and time exactly as the file writes them (WorldMonitor's id), and a
repeated id is kept once. MODIS confidence is a percentage; FIRMS documents its classes as low (< 30),
nominal (30-79) and high (>= 80), which become WorldMonitor's enum, and the percentage is kept in
``confidencePercent``. ``brightness`` is the fire-pixel brightness temperature in kelvin (MODIS
``brightness``, VIIRS ``bright_ti4``). ``region`` stays empty: WorldMonitor names the bounding box it queried,
and a global file has none. ``instrument`` is added.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._dates import matches_strptime, strptime_ms
from .base import Feed, FeedFormatError, ParsedFeed, describe_validation_error, newest_oldest
from .sniff import payload_hint

NAME = "nasa-firms"
DATA_KEY = "wildfire:fires:v1"
UPSTREAM_URL = (
    "https://firms.modaps.eosdis.nasa.gov/data/active_fire/modis-c6.1/csv/MODIS_C6_1_Global_24h.csv"
)
SNAPSHOT_FILE = "nasa_firms_modis_c6_1_global_24h.csv"
UPSTREAM_FILE_NAMES = (
    "MODIS_C6_1_Global_24h.csv",
    "SUOMI_VIIRS_C2_Global_24h.csv",
    "J1_VIIRS_C2_Global_24h.csv",
    "J2_VIIRS_C2_Global_24h.csv",
    "MODIS_C6_1_Global_48h.csv",
    "MODIS_C6_1_Global_7d.csv",
)
CACHE_TTL_S = 2 * 3600
"""WorldMonitor's TTL for this key: a dead fire feed should go visibly empty, not serve old fires."""

LOW_BELOW = 30
HIGH_FROM = 80
"""FIRMS' MODIS confidence classes: low 0-29 %, nominal 30-79 %, high 80-100 %."""

_VIIRS_CONFIDENCE = {
    "l": "FIRE_CONFIDENCE_LOW",
    "low": "FIRE_CONFIDENCE_LOW",
    "n": "FIRE_CONFIDENCE_NOMINAL",
    "nominal": "FIRE_CONFIDENCE_NOMINAL",
    "h": "FIRE_CONFIDENCE_HIGH",
    "high": "FIRE_CONFIDENCE_HIGH",
}
_REQUIRED = ("latitude", "longitude", "acq_date", "acq_time", "satellite", "confidence", "frp", "daynight")


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)

    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    brightness: float
    frp: float
    acq_date: Annotated[str, matches_strptime("%Y-%m-%d")]
    acq_time: Annotated[str, Field(pattern=r"^[0-9]{1,4}$")]
    satellite: str
    confidence: str
    daynight: Literal["D", "N"]

    @field_validator("acq_time")
    @classmethod
    def _time(cls, value: str) -> str:
        padded = value.zfill(4)
        if int(padded[:2]) > 23 or int(padded[2:]) > 59:
            raise ValueError("not an HHMM time of day")
        return value

    @field_validator("confidence")
    @classmethod
    def _confidence(cls, value: str) -> str:
        text = value.strip().lower()
        if text in _VIIRS_CONFIDENCE:
            return text
        if text.isdigit() and 0 <= int(text) <= 100:
            return text
        raise ValueError("neither a percentage 0-100 (MODIS) nor l/n/h (VIIRS)")

    def detected_at_ms(self) -> int:
        # acq_time is HHMM in UTC, written without leading zeros by some FIRMS endpoints ("43").
        return strptime_ms(f"{self.acq_date} {self.acq_time.zfill(4)}", "%Y-%m-%d %H%M")


def _confidence(value: str) -> tuple[str, int | None]:
    if value in _VIIRS_CONFIDENCE:
        return _VIIRS_CONFIDENCE[value], None
    percent = int(value)
    if percent < LOW_BELOW:
        return "FIRE_CONFIDENCE_LOW", percent
    if percent < HIGH_FROM:
        return "FIRE_CONFIDENCE_NOMINAL", percent
    return "FIRE_CONFIDENCE_HIGH", percent


def _rows(payload: bytes) -> tuple[list[dict[str, str]], str]:
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedFormatError(NAME, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise FeedFormatError(NAME, f"not readable as CSV ({exc})") from exc
    if not rows:
        raise FeedFormatError(NAME, f"no header row{payload_hint(payload)}")
    header = [name.strip() for name in rows[0]]
    missing = [name for name in _REQUIRED if name not in header]
    brightness = "brightness" if "brightness" in header else "bright_ti4" if "bright_ti4" in header else None
    if missing or brightness is None or len(set(header)) != len(header):
        raise FeedFormatError(
            NAME,
            f"not a FIRMS active-fire CSV: header {','.join(header)[:200]!r} lacks "
            f"{', '.join(missing) or 'brightness/bright_ti4'}{payload_hint(payload)}",
        )
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise FeedFormatError(NAME, f"line {number} has {len(row)} fields, the header {len(header)}")
        record = dict(zip(header, (value.strip() for value in row), strict=True))
        record["brightness"] = record[brightness]
        records.append(record)
    return records, "VIIRS" if brightness == "bright_ti4" else "MODIS"


def _detection(row: _Row, instrument: str, raw: dict[str, str]) -> dict[str, Any]:
    confidence, percent = _confidence(row.confidence)
    detection: dict[str, Any] = {
        "id": f"{raw['latitude']}-{raw['longitude']}-{raw['acq_date']}-{raw['acq_time']}",
        "location": {"latitude": row.latitude, "longitude": row.longitude},
        "brightness": row.brightness,
        "frp": row.frp,
        "confidence": confidence,
        "satellite": row.satellite,
        "detectedAt": row.detected_at_ms(),
        "region": "",
        "dayNight": row.daynight,
        "instrument": instrument,
    }
    if percent is not None:
        detection["confidencePercent"] = percent
    return detection


def count_records(data: Any) -> int:
    return len(data["fireDetections"])


def parse(payload: bytes) -> ParsedFeed:
    """Parse a FIRMS active-fire CSV; raise ``FeedFormatError`` on anything else."""
    records, instrument = _rows(payload)
    detections: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, raw in enumerate(records, start=2):
        try:
            row = _Row.model_validate(raw)
        except ValidationError as exc:
            raise FeedFormatError(
                NAME, f"data row {number - 1} does not validate ({describe_validation_error(exc)})"
            ) from exc
        detection = _detection(row, instrument, raw)
        if detection["id"] in seen:
            continue
        seen.add(detection["id"])
        detections.append(detection)
    newest, oldest = newest_oldest(detection["detectedAt"] for detection in detections)
    return ParsedFeed(
        data={"fireDetections": detections},
        record_count=len(detections),
        source_version=f"firms-{instrument.lower()}-csv",
        # The file carries no generation time: the newest detection is the data's own time.
        published_at_ms=None,
        newest_item_at_ms=newest,
        oldest_item_at_ms=oldest,
    )


FEED = Feed(
    name=NAME,
    domain="wildfire",
    resource="fires",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=1800,
    licence="NASA open data, no restriction (cite NASA FIRMS, LANCE)",
)
