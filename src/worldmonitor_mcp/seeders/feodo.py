"""abuse.ch Feodo Tracker botnet C2 IP blocklist (CSV) -> ``cyber:threats-bootstrap:v2``.

Upstream: https://feodotracker.abuse.ch/downloads/ipblocklist.csv (the same list as ``ipblocklist.json``,
which WorldMonitor reads; see https://feodotracker.abuse.ch/blocklist/). abuse.ch publishes Feodo Tracker
data for free use under CC0, subject to its terms of use (linked in the file header).

The stored value has WorldMonitor's threat shape (``toProto`` in scripts/seed-cyber-threats.mjs in
koala73/worldmonitor)::

    {"threats": [{"id": "feodo:192.9.135.73", "type": "CYBER_THREAT_TYPE_C2_SERVER",
                  "source": "CYBER_THREAT_SOURCE_FEODO", "indicator": "192.9.135.73",
                  "indicatorType": "CYBER_THREAT_INDICATOR_TYPE_IP", "country": "",
                  "severity": "CRITICALITY_LEVEL_HIGH", "malwareFamily": "Pikabot",
                  "tags": ["botnet", "c2"], "firstSeenAt": 1684864304000, "lastSeenAt": 1711929600000,
                  "port": 1194}]}

Severity follows WorldMonitor: an online C2 of a family known for follow-on ransomware (Emotet, QakBot,
TrickBot, Dridex) is critical, any other online C2 high, an offline one medium; the list is ordered by
severity, then most recently seen. The CSV has no location or country (the JSON variant does): ``location``
is absent and ``country`` empty, as WorldMonitor leaves them before its GeoIP step, which is a network
lookup and not part of parsing. ``port`` is added. WorldMonitor's 14-day cut-off is applied at fetch time
against the clock; this parser keeps every row of the file.

The file ends with ``# END <n> entries``; a count that does not match the rows read means the download was
cut short, and the payload is refused.
"""

from __future__ import annotations

import csv
import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._dates import matches_strptime, strptime_ms
from .base import Feed, FeedFormatError, ParsedFeed, describe_validation_error, newest_oldest
from .sniff import payload_hint

NAME = "abusech-feodo"
DATA_KEY = "cyber:threats-bootstrap:v2"
UPSTREAM_URL = "https://feodotracker.abuse.ch/downloads/ipblocklist.csv"
SNAPSHOT_FILE = "feodo_ipblocklist.csv"
UPSTREAM_FILE_NAMES = ("ipblocklist.csv", "ipblocklist_recommended.csv")
CACHE_TTL_S = 3 * 3600
"""WorldMonitor's TTL for the threat keys: one missed two-hourly run."""

HEADER = ("first_seen_utc", "dst_ip", "dst_port", "c2_status", "last_online", "malware")
SEVERITY_RANK = {
    "CRITICALITY_LEVEL_CRITICAL": 4,
    "CRITICALITY_LEVEL_HIGH": 3,
    "CRITICALITY_LEVEL_MEDIUM": 2,
    "CRITICALITY_LEVEL_LOW": 1,
}
_CRITICAL_FAMILIES = re.compile(r"emotet|qakbot|trickbot|dridex|ransom", re.IGNORECASE)
_LAST_UPDATED = re.compile(
    r"^#\s*Last updated:\s*([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2})\s*UTC"
)
_END = re.compile(r"^#\s*END\s+([0-9]+)\s+entries\s*$")
_DATE_TIME = "%Y-%m-%d %H:%M:%S"


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    first_seen_utc: Annotated[str, matches_strptime(_DATE_TIME)]
    dst_ip: str
    dst_port: Annotated[int, Field(ge=0, le=65535)]
    c2_status: Literal["online", "offline", ""]
    last_online: str
    malware: str

    @field_validator("last_online")
    @classmethod
    def _last_online(cls, value: str) -> str:
        if value:
            strptime_ms(value, "%Y-%m-%d")
        return value

    @field_validator("dst_ip")
    @classmethod
    def _ip(cls, value: str) -> str:
        return str(ipaddress.ip_address(value))


def _severity(row: _Row) -> str:
    if row.c2_status == "online":
        return (
            "CRITICALITY_LEVEL_CRITICAL"
            if _CRITICAL_FAMILIES.search(row.malware)
            else "CRITICALITY_LEVEL_HIGH"
        )
    return "CRITICALITY_LEVEL_MEDIUM"


def _threat(row: _Row) -> dict[str, Any]:
    first_seen = strptime_ms(row.first_seen_utc, _DATE_TIME)
    last_seen = strptime_ms(row.last_online, "%Y-%m-%d") if row.last_online else first_seen
    return {
        "id": f"feodo:{row.dst_ip}",
        "type": "CYBER_THREAT_TYPE_C2_SERVER",
        "source": "CYBER_THREAT_SOURCE_FEODO",
        "indicator": row.dst_ip,
        "indicatorType": "CYBER_THREAT_INDICATOR_TYPE_IP",
        "country": "",
        "severity": _severity(row),
        "malwareFamily": row.malware,
        "tags": ["botnet", "c2"],
        "firstSeenAt": first_seen,
        "lastSeenAt": last_seen,
        "port": row.dst_port,
    }


def _read(payload: bytes) -> tuple[list[list[str]], int | None, int | None]:
    """(data rows, "Last updated" in epoch ms, the END line's count)."""
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedFormatError(NAME, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    updated_ms = end_count = None
    data_lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            updated = _LAST_UPDATED.match(stripped)
            if updated:
                try:
                    updated_ms = strptime_ms(updated.group(1), _DATE_TIME)
                except ValueError as exc:
                    raise FeedFormatError(NAME, f"'Last updated' header: {exc}") from exc
            end = _END.match(stripped)
            if end:
                end_count = int(end.group(1))
        elif stripped:
            data_lines.append(line)
    try:
        rows = list(csv.reader(data_lines))
    except csv.Error as exc:
        raise FeedFormatError(NAME, f"not readable as CSV ({exc})") from exc
    if not rows or tuple(name.strip() for name in rows[0]) != HEADER:
        found = ",".join(rows[0])[:200] if rows else "nothing"
        raise FeedFormatError(
            NAME,
            f"not a Feodo Tracker CSV blocklist: expected the header {','.join(HEADER)}, found {found!r}"
            f"{payload_hint(payload)}",
        )
    return rows[1:], updated_ms, end_count


def count_records(data: Any) -> int:
    return len(data["threats"])


def parse(payload: bytes) -> ParsedFeed:
    """Parse the Feodo Tracker CSV blocklist; raise ``FeedFormatError`` on anything else or a cut-off file."""
    rows, updated_ms, end_count = _read(payload)
    if end_count is None:
        raise FeedFormatError(NAME, "no '# END <n> entries' line: the file was cut short")
    if end_count != len(rows):
        raise FeedFormatError(NAME, f"the file announces {end_count} entries but holds {len(rows)}")
    threats: dict[str, dict[str, Any]] = {}
    for number, fields in enumerate(rows, start=1):
        try:
            row = _Row.model_validate(dict(zip(HEADER, fields, strict=True)))
        except (ValidationError, ValueError) as exc:
            # zip(strict=True) raises ValueError for a row with the wrong number of fields.
            detail = describe_validation_error(exc) if isinstance(exc, ValidationError) else str(exc)
            raise FeedFormatError(NAME, f"entry {number} does not validate ({detail})") from exc
        threat = _threat(row)
        previous = threats.get(threat["id"])
        # One indicator listed twice (two ports): keep the most recently seen, as WorldMonitor's dedupe does.
        if previous is None or threat["lastSeenAt"] >= previous["lastSeenAt"]:
            threats[threat["id"]] = threat
    ordered = sorted(
        threats.values(), key=lambda item: (-SEVERITY_RANK[item["severity"]], -item["lastSeenAt"])
    )
    newest, oldest = newest_oldest(item["lastSeenAt"] for item in ordered)
    return ParsedFeed(
        data={"threats": ordered},
        record_count=len(ordered),
        source_version="feodo-ipblocklist-csv",
        published_at_ms=updated_ms,
        newest_item_at_ms=newest,
        oldest_item_at_ms=oldest,
    )


FEED = Feed(
    name=NAME,
    domain="cyber",
    resource="threats",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=3600,
    licence="abuse.ch terms of use; data published under CC0",
)
