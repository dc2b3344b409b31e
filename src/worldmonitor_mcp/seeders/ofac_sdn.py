"""OFAC Specially Designated Nationals list, legacy CSV -> ``sanctions:entities:v1``.

Upstream: https://www.treasury.gov/ofac/downloads/sdn.csv (the legacy flat file; its layout is documented at
https://ofac.treasury.gov/specially-designated-nationals-list-data-formats-data-schemas). US Government work,
public domain (OFAC).

The stored value has WorldMonitor's entity-index shape (written beside ``sanctions:pressure:v1`` by
scripts/seed-sanctions-pressure.mjs in koala73/worldmonitor), a flat list built for name lookup::

    [{"id": "SDN:36", "name": "AEROCARIBBEAN AIRLINES", "et": "entity", "cc": ["CU"], "pr": ["CUBA"]}, ...]

``et`` is ``individual``, ``vessel``, ``aircraft`` or ``entity`` (the file's ``-0-``); ``pr`` holds at most
three programme codes and ``cc`` at most three ISO alpha-2 countries, as WorldMonitor keeps them.
WorldMonitor reads countries from the advanced XML's location features, which the flat file lacks; here
they come, in this order, from the vessel flag, ``nationality``/``citizen`` and ``Nationality of
Registration`` in the remarks, and the country at the end of a place of birth (``POB Nahia, Giza,
Egypt``), each resolved by pycountry and kept once. A programme named after a country (``CUBA``, ``IRAN``)
says which sanctions apply, not where the party is, so it is not read as one.

The file is what OFAC serves: no header row, twelve quoted fields per record, ``-0-`` for an empty field,
CRLF line ends, Windows-1252 bytes (UTF-8 is accepted too) and a DOS end-of-file byte (0x1A). A record
with another number of fields, or a non-numeric ``ent_num``, is refused. The file carries no publication
date, so the data's time is unknown to the parser: a live run dates it by the fetch, and the bundled
sample by ``Feed.sample_fetched_at_ms`` (the time it was downloaded, recorded in snapshot/SOURCES.md).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ._country import alpha2_from_name
from .base import Feed, FeedFormatError, ParsedFeed, describe_validation_error
from .sniff import payload_hint

NAME = "ofac-sdn"
DATA_KEY = "sanctions:entities:v1"
UPSTREAM_URL = "https://www.treasury.gov/ofac/downloads/sdn.csv"
SNAPSHOT_FILE = "ofac_sdn.csv"
UPSTREAM_FILE_NAMES = ("sdn.csv", "SDN.CSV")
CACHE_TTL_S = 18 * 3600
"""WorldMonitor's TTL for the sanctions keys: three missed six-hourly runs."""
SAMPLE_FETCHED_AT_MS = 1714761780000
"""2024-05-03T18:43:00Z: when the bundled sample was downloaded (snapshot/SOURCES.md)."""

COLUMNS = (
    "ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign",
    "Vess_type", "Tonnage", "GRT", "Vess_flag", "Vess_owner", "Remarks",
)  # fmt: skip
NULL = "-0-"
END_OF_FILE = "\x1a"
MAX_CODES = 3
_PROGRAM = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,24}$")
_COUNTRY_REMARK = re.compile(
    r"(?:\bNationality of Registration|\bnationality|\bcitizen|\bPOB)\s+([^;]+)", re.IGNORECASE
)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ent_num: Annotated[str, Field(pattern=r"^[0-9]{1,10}$")]
    SDN_Name: Annotated[str, Field(min_length=1)]
    SDN_Type: Literal["individual", "vessel", "aircraft", "entity"]
    Program: str
    Vess_flag: str
    Remarks: str


def _field(value: str) -> str:
    text = value.strip()
    return "" if text == NULL else text


def programs(field: str) -> list[str]:
    """``SDGT] [IRAN-EO13876`` -> ``["SDGT", "IRAN-EO13876"]`` (unique, in order, codes only)."""
    found: list[str] = []
    for part in re.split(r"\]\s*\[", field.strip().strip("[]")):
        code = part.strip()
        if _PROGRAM.match(code) and code not in found:
            found.append(code)
    return found


def countries(vessel_flag: str, remarks: str) -> list[str]:
    """ISO alpha-2 codes from the vessel flag and the remarks, unique, in order of appearance."""
    names = [vessel_flag] if vessel_flag else []
    for match in _COUNTRY_REMARK.finditer(remarks):
        names.append(match.group(1).rstrip(". ").rsplit(",", 1)[-1])
    found: list[str] = []
    for name in names:
        code = alpha2_from_name(name.strip())
        if code and code not in found:
            found.append(code)
    return found


def _records(payload: bytes) -> list[list[str]]:
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = payload.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise FeedFormatError(NAME, f"neither UTF-8 nor Windows-1252 text (byte {exc.start})") from exc
    text = text.rstrip().removesuffix(END_OF_FILE).rstrip()
    try:
        return [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    except csv.Error as exc:
        raise FeedFormatError(NAME, f"not readable as CSV ({exc}){payload_hint(payload)}") from exc


def count_records(data: Any) -> int:
    return len(data)


def parse(payload: bytes) -> ParsedFeed:
    """Parse OFAC's legacy ``sdn.csv``; raise ``FeedFormatError`` on anything else."""
    entities: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, row in enumerate(_records(payload), start=1):
        if len(row) != len(COLUMNS):
            raise FeedFormatError(
                NAME,
                f"record {number} has {len(row)} fields, not sdn.csv's {len(COLUMNS)}{payload_hint(payload)}",
            )
        fields = {column: _field(value) for column, value in zip(COLUMNS, row, strict=True)}
        raw = {
            "ent_num": fields["ent_num"],
            "SDN_Name": fields["SDN_Name"],
            "SDN_Type": fields["SDN_Type"] or "entity",
            "Program": fields["Program"],
            "Vess_flag": fields["Vess_flag"],
            "Remarks": fields["Remarks"],
        }
        try:
            entry = _Entry.model_validate(raw)
        except ValidationError as exc:
            raise FeedFormatError(
                NAME, f"record {number} does not validate ({describe_validation_error(exc)})"
            ) from exc
        identifier = f"SDN:{entry.ent_num}"
        if identifier in seen:
            raise FeedFormatError(NAME, f"record {number}: ent_num {entry.ent_num} appears twice")
        seen.add(identifier)
        entities.append(
            {
                "id": identifier,
                "name": entry.SDN_Name,
                "et": entry.SDN_Type,
                "cc": countries(entry.Vess_flag, entry.Remarks)[:MAX_CODES],
                "pr": programs(entry.Program)[:MAX_CODES],
            }
        )
    return ParsedFeed(
        data=entities,
        record_count=len(entities),
        source_version="ofac-sdn-csv",
        published_at_ms=None,
        newest_item_at_ms=None,
        oldest_item_at_ms=None,
    )


FEED = Feed(
    name=NAME,
    domain="sanctions",
    resource="entities",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=6 * 3600,
    licence="US Government work, public domain (OFAC)",
    sample_fetched_at_ms=SAMPLE_FETCHED_AT_MS,
)
