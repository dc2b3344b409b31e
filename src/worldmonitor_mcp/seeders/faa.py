"""FAA NAS airport status (XML) -> ``aviation:delays-bootstrap:v1``.

Upstream: https://nasstatus.faa.gov/api/airport-status-information (schema: AirportStatus.dtd v2.2). US
Government work, public domain (FAA).

The stored value has WorldMonitor's shape (scripts/seed-airport-delays.mjs in koala73/worldmonitor), one alert
per airport::

    {"alerts": [{"id": "faa-SFO", "iata": "SFO", "icao": "", "name": "SFO", "city": "", "country": "US",
                 "location": null, "region": "AIRPORT_REGION_AMERICAS",
                 "delayType": "FLIGHT_DELAY_TYPE_GROUND_DELAY", "severity": "FLIGHT_DELAY_SEVERITY_MODERATE",
                 "avgDelayMinutes": 36, "delayedFlightsPct": 0, "cancelledFlights": 0, "totalFlights": 0,
                 "reason": "low ceilings", "source": "FLIGHT_DELAY_SOURCE_FAA", "updatedAt": 1786822726000,
                 "details": [{"kind": "ground_delay", "reason": "low ceilings", "avgMinutes": 36,
                              "maxMinutes": 95}, ...]}]}

An airport's alert takes its most disruptive entry: a ground stop, then a ground delay programme, then an
arrival/departure delay, then a closure; ``details`` lists every entry the FAA gives for the airport. The
delay of a ground delay programme is its ``Avg``, of an arrival/departure delay the midpoint of ``Min`` and
``Max``, of a ground stop 60 minutes (WorldMonitor's figure; the FAA gives only an end time). Durations are
read whole (``1 hour and 35 minutes`` is 95; WorldMonitor's ``parseInt`` reads 1).

Differences from WorldMonitor: every airport in the document is kept (WorldMonitor keeps 30 large ones);
``country`` is ISO alpha-2 ``US``; ``location`` is null where WorldMonitor writes 0, 0; and a NOTAM closure is
its own ``FLIGHT_DELAY_TYPE_CLOSURE`` with no delay and ``FLIGHT_DELAY_SEVERITY_UNSPECIFIED`` (WorldMonitor
calls it a 120-minute ground stop), because most closures the FAA lists are partial (general aviation,
certain hours: "CLSD TO NON SKED TRANSIENT GA ACFT") and imply no delay for airline passengers.
``updatedAt`` is the document's ``Update_Time``, not the wall clock.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from ._dates import strptime_ms
from ._xml import child_text, parse_xml
from .base import Feed, FeedFormatError, ParsedFeed

NAME = "faa-airport-status"
DATA_KEY = "aviation:delays-bootstrap:v1"
UPSTREAM_URL = "https://nasstatus.faa.gov/api/airport-status-information"
SNAPSHOT_FILE = "faa_nas_airport_status.xml"
UPSTREAM_FILE_NAMES = ("airport-status-information.xml", "airport-status-information", "nas_status.xml")
CACHE_TTL_S = 2 * 3600
"""WorldMonitor's TTL for the FAA key."""

ROOT = "AIRPORT_STATUS_INFORMATION"
UPDATE_TIME_FORMAT = "%a %b %d %H:%M:%S %Y GMT"
GROUND_STOP_MINUTES = 60
PRECEDENCE = {"ground_stop": 4, "ground_delay": 3, "departure_delay": 2, "arrival_delay": 2, "closure": 1}
_DELAY_TYPE = {
    "ground_stop": "FLIGHT_DELAY_TYPE_GROUND_STOP",
    "ground_delay": "FLIGHT_DELAY_TYPE_GROUND_DELAY",
    "departure_delay": "FLIGHT_DELAY_TYPE_DEPARTURE_DELAY",
    "arrival_delay": "FLIGHT_DELAY_TYPE_ARRIVAL_DELAY",
    "closure": "FLIGHT_DELAY_TYPE_CLOSURE",
}
_AIRPORT = re.compile(r"^[A-Z0-9]{3,4}$")
_HOURS = re.compile(r"(?<!\d)(\d{1,4})\s*hours?", re.IGNORECASE)
_MINUTES = re.compile(r"(?<!\d)(\d{1,5})\s*min", re.IGNORECASE)
"""A few digits: a delay of 10,000 hours is a corrupt field, not a value to carry into JSON."""


def minutes(text: str) -> int:
    """``36 minutes``, ``1 hour and 35 minutes``, ``2 hours`` -> minutes; ``ValueError`` otherwise."""
    hours, mins = _HOURS.search(text), _MINUTES.search(text)
    if hours is None and mins is None:
        raise ValueError(f"not a duration: {text[:40]!r}")
    return (int(hours.group(1)) * 60 if hours else 0) + (int(mins.group(1)) if mins else 0)


def severity(avg_minutes: int | None) -> str:
    """WorldMonitor's thresholds: 90 severe, 60 major, 30 moderate, 15 minor."""
    if avg_minutes is None:
        return "FLIGHT_DELAY_SEVERITY_UNSPECIFIED"
    for floor, label in ((90, "SEVERE"), (60, "MAJOR"), (30, "MODERATE"), (15, "MINOR")):
        if avg_minutes >= floor:
            return f"FLIGHT_DELAY_SEVERITY_{label}"
    return "FLIGHT_DELAY_SEVERITY_NORMAL"


def _required(element: ET.Element, tag: str, where: str) -> str:
    value = child_text(element, tag)
    if not value:
        raise FeedFormatError(NAME, f"{where} has no <{tag}>")
    return value


def _airport(element: ET.Element, where: str) -> str:
    code = _required(element, "ARPT", where)
    if not _AIRPORT.match(code):
        raise FeedFormatError(NAME, f"{where}: {code[:20]!r} is not an airport code")
    return code


def _duration(element: ET.Element, tag: str, where: str) -> int:
    try:
        return minutes(_required(element, tag, where))
    except ValueError as exc:
        raise FeedFormatError(NAME, f"{where} <{tag}>: {exc}") from exc


def _entries(root: ET.Element) -> list[tuple[str, dict[str, Any]]]:
    """(airport, detail) for every ground stop, ground delay, arrival/departure delay and closure."""
    entries: list[tuple[str, dict[str, Any]]] = []
    for program in root.iterfind("Delay_type/Ground_Stop_List/Program"):
        code = _airport(program, "a ground stop")
        detail = {"kind": "ground_stop", "reason": child_text(program, "Reason") or ""}
        detail["endTime"] = child_text(program, "End_Time") or ""
        entries.append((code, detail))
    for delay in root.iterfind("Delay_type/Ground_Delay_List/Ground_Delay"):
        code = _airport(delay, "a ground delay")
        where = f"the ground delay at {code}"
        entries.append(
            (
                code,
                {
                    "kind": "ground_delay",
                    "reason": child_text(delay, "Reason") or "",
                    "avgMinutes": _duration(delay, "Avg", where),
                    "maxMinutes": _duration(delay, "Max", where),
                },
            )
        )
    for delay in root.iterfind("Delay_type/Arrival_Departure_Delay_List/Delay"):
        code = _airport(delay, "an arrival/departure delay")
        for direction in delay.findall("Arrival_Departure"):
            kind = {"Arrival": "arrival_delay", "Departure": "departure_delay"}.get(direction.get("Type", ""))
            if kind is None:
                raise FeedFormatError(NAME, f"the delay at {code} has Type {direction.get('Type')!r}")
            where = f"the {kind.replace('_', ' ')} at {code}"
            low, high = _duration(direction, "Min", where), _duration(direction, "Max", where)
            entries.append(
                (
                    code,
                    {
                        "kind": kind,
                        "reason": child_text(delay, "Reason") or "",
                        "minMinutes": low,
                        "maxMinutes": high,
                        "trend": child_text(direction, "Trend") or "",
                    },
                )
            )
    for closure in root.iterfind("Delay_type/Airport_Closure_List/Airport"):
        code = _airport(closure, "a closure")
        entries.append(
            (
                code,
                {
                    "kind": "closure",
                    "reason": child_text(closure, "Reason") or "",
                    "start": child_text(closure, "Start") or "",
                    "reopen": child_text(closure, "Reopen") or "",
                },
            )
        )
    return entries


def _delay_minutes(detail: dict[str, Any]) -> int | None:
    kind = detail["kind"]
    if kind == "ground_stop":
        return GROUND_STOP_MINUTES
    if kind == "ground_delay":
        return int(detail["avgMinutes"])
    if kind in ("arrival_delay", "departure_delay"):
        return round((int(detail["minMinutes"]) + int(detail["maxMinutes"])) / 2)
    return None


def _alert(code: str, details: list[dict[str, Any]], updated_ms: int) -> dict[str, Any]:
    primary = max(details, key=lambda detail: PRECEDENCE[detail["kind"]])  # first of equals wins
    delay = _delay_minutes(primary)
    return {
        "id": f"faa-{code}",
        "iata": code,
        "icao": "",
        "name": code,
        "city": "",
        "country": "US",
        "location": None,
        "region": "AIRPORT_REGION_AMERICAS",
        "delayType": _DELAY_TYPE[primary["kind"]],
        "severity": severity(delay),
        "avgDelayMinutes": delay,
        "delayedFlightsPct": 0,
        "cancelledFlights": 0,
        "totalFlights": 0,
        "reason": primary["reason"],
        "source": "FLIGHT_DELAY_SOURCE_FAA",
        "updatedAt": updated_ms,
        "details": details,
    }


def count_records(data: Any) -> int:
    return len(data["alerts"])


def parse(payload: bytes) -> ParsedFeed:
    """Parse the FAA airport status XML; raise ``FeedFormatError`` (``UnsafeXmlError``) on anything else."""
    root = parse_xml(NAME, payload, expected="FAA airport status XML")
    if root.tag != ROOT:
        raise FeedFormatError(NAME, f"the root element is {root.tag!r}, expected <{ROOT}>")
    try:
        updated_ms = strptime_ms(_required(root, "Update_Time", f"<{ROOT}>"), UPDATE_TIME_FORMAT)
    except ValueError as exc:
        raise FeedFormatError(NAME, f"Update_Time: {exc}") from exc
    by_airport: dict[str, list[dict[str, Any]]] = {}
    for code, detail in _entries(root):
        by_airport.setdefault(code, []).append(detail)
    alerts = [_alert(code, details, updated_ms) for code, details in by_airport.items()]
    rank = {_DELAY_TYPE[kind]: value for kind, value in PRECEDENCE.items()}
    alerts.sort(key=lambda alert: (-rank[alert["delayType"]], -(alert["avgDelayMinutes"] or 0)))
    return ParsedFeed(
        data={"alerts": alerts},
        record_count=len(alerts),
        source_version="faa-nas-airport-status",
        published_at_ms=updated_ms,
        newest_item_at_ms=updated_ms,
        oldest_item_at_ms=updated_ms,
    )


FEED = Feed(
    name=NAME,
    domain="aviation",
    resource="faa",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=600,
    licence="US Government work, public domain (FAA)",
)
