"""CISA Known Exploited Vulnerabilities catalog (JSON) -> ``cyber:kev:v1``.

Upstream: https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json, schema
https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities_schema.json (CC0 1.0).

WorldMonitor has no key for the raw catalog, so this one is ours. Field names stay verbatim as CISA
writes them, and the vulnerabilities keep the catalog's order (newest ``dateAdded`` first)::

    {"catalogVersion": "2025.08.25", "dateReleased": "2025-08-25T17:04:19.9796Z",
     "vulnerabilities": [{"cveID": "CVE-2025-48384", "vendorProject": "Git", "product": "Git",
                          "vulnerabilityName": "...", "dateAdded": "2025-08-25",
                          "shortDescription": "...", "requiredAction": "...", "dueDate": "2025-09-15",
                          "knownRansomwareCampaignUse": "Unknown", "cwes": ["CWE-59", "CWE-436"]}]}

The catalog's ``count`` is not copied: it counts the whole upstream catalog, which a trimmed file does not
hold, and ``seed-meta`` carries the real record count. ``notes`` (long lists of advisory links) is dropped
to keep the cached value small.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .base import (
    Feed,
    FeedFormatError,
    ParsedFeed,
    date_epoch_ms,
    describe_validation_error,
    epoch_ms,
    newest_oldest,
)
from .sniff import payload_hint

NAME = "cisa-kev"
DATA_KEY = "cyber:kev:v1"
UPSTREAM_URL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
SNAPSHOT_FILE = "cisa_kev.json"
UPSTREAM_FILE_NAME = "known_exploited_vulnerabilities.json"
CACHE_TTL_S = 3 * 86400
"""CISA releases the catalog at most a few times a day; three days survive a long upstream outage."""

_CVE_ID = r"^CVE-[0-9]{4}-[0-9]{4,19}$"
"""The pattern the upstream schema gives for ``cveID``."""


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class _Vulnerability(_Model):
    cveID: Annotated[str, Field(pattern=_CVE_ID)]
    vendorProject: str
    product: str
    vulnerabilityName: str
    dateAdded: date
    shortDescription: str
    requiredAction: str
    dueDate: date
    knownRansomwareCampaignUse: str
    cwes: list[str] = []
    """Added to the catalog in 2024; older copies lack it."""


class _Catalog(_Model):
    catalogVersion: str
    dateReleased: str
    """Kept as CISA wrote it (``2025-08-25T17:04:19.9796Z``); checked to be a date-time below."""
    vulnerabilities: list[_Vulnerability]

    @field_validator("dateReleased")
    @classmethod
    def _is_date_time(cls, value: str) -> str:
        # A ValueError here is reported by pydantic under the field's name.
        try:
            epoch_ms(datetime.fromisoformat(value))
        except OverflowError as exc:
            raise ValueError("date-time out of range") from exc
        return value


def _vulnerability(item: _Vulnerability) -> dict[str, object]:
    return {
        "cveID": item.cveID,
        "vendorProject": item.vendorProject,
        "product": item.product,
        "vulnerabilityName": item.vulnerabilityName,
        "dateAdded": item.dateAdded.isoformat(),
        "shortDescription": item.shortDescription,
        "requiredAction": item.requiredAction,
        "dueDate": item.dueDate.isoformat(),
        "knownRansomwareCampaignUse": item.knownRansomwareCampaignUse,
        "cwes": list(item.cwes),
    }


def count_records(data: Any) -> int:
    return len(data["vulnerabilities"])


def parse(payload: bytes) -> ParsedFeed:
    """Parse the KEV catalog JSON; raise ``FeedFormatError`` on anything else."""
    try:
        catalog = _Catalog.model_validate_json(payload)
    except ValidationError as exc:
        raise FeedFormatError(
            NAME, f"not a CISA KEV catalog ({describe_validation_error(exc)}){payload_hint(payload)}"
        ) from exc
    vulnerabilities = [_vulnerability(item) for item in catalog.vulnerabilities]
    newest, oldest = newest_oldest(date_epoch_ms(item.dateAdded) for item in catalog.vulnerabilities)
    return ParsedFeed(
        data={
            "catalogVersion": catalog.catalogVersion,
            "dateReleased": catalog.dateReleased,
            "vulnerabilities": vulnerabilities,
        },
        record_count=len(vulnerabilities),
        source_version=f"cisa-kev-{catalog.catalogVersion}",
        published_at_ms=epoch_ms(datetime.fromisoformat(catalog.dateReleased)),
        newest_item_at_ms=newest,
        oldest_item_at_ms=oldest,
    )


FEED = Feed(
    name=NAME,
    domain="cyber",
    resource="kev",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, UPSTREAM_FILE_NAME),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=3600,
    licence="CC0 1.0 (CISA; do not imply CISA endorsement)",
)
