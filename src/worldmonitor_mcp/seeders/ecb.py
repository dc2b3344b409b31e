"""ECB euro foreign exchange reference rates (eurofxref XML) -> ``economic:ecb-fx-rates:v1``.

Upstream: https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml (one day), and the same document
with more days: eurofxref-hist-90d.xml and eurofxref-hist.xml
(https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html).
Source: ECB; free reuse with attribution.

The stored value has WorldMonitor's shape for this key (scripts/seed-ecb-fx-rates.mjs in
koala73/worldmonitor, which reads the same rates from the ECB data portal): one entry per pair, quoted as
units of the currency per 1 EUR::

    {"base": "EUR", "updatedAt": "2022-07-08T14:00:00Z",
     "rates": {"EURUSD": {"rate": 1.0163, "date": "2022-07-08", "change1d": null}, ...}}

Differences, all additive: every currency of the newest day is kept (WorldMonitor keeps seven majors);
``base`` names the quote direction; ``change1d`` (rate minus the previous ECB day's rate) is ``null`` when
the document holds only one day, where WorldMonitor writes 0, which would read as "unchanged"; and there is
no ``seededAt``, since ``seed-meta`` records when the data was written.

XML is parsed only through defusedxml with DTDs forbidden: no legitimate eurofxref document has one, and
refusing them shuts out entity-expansion ("billion laughs") and external-entity attacks outright.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # only ParseError and the Element type: parsing goes through defusedxml
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ._xml import parse_xml
from .base import (
    Feed,
    FeedFormatError,
    ParsedFeed,
    date_epoch_ms,
    describe_validation_error,
)

NAME = "ecb-fx-rates"
DATA_KEY = "economic:ecb-fx-rates:v1"
UPSTREAM_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
SNAPSHOT_FILE = "ecb_eurofxref_daily.xml"
CACHE_TTL_S = 3 * 86400
"""Rates change once per TARGET business day; three days cover a weekend plus a missed run."""

BASE_CURRENCY = "EUR"
PUBLICATION_TIME_UTC = time(14, 0)
"""The documents carry only a date. The ECB publishes at about 16:00 CET (14:00 or 15:00 UTC); taking
14:00 UTC matches WorldMonitor's ``updatedAt`` and never makes the data look younger than it is."""

MAX_RATE = Decimal(10) ** 9
"""No currency is anywhere near a billion per euro; a larger value is a corrupt document, not a rate."""

_GESMES = "{http://www.gesmes.org/xml/2002-08-01}"
_EUROFXREF = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"
_ENVELOPE = f"{_GESMES}Envelope"
_CUBE = f"{_EUROFXREF}Cube"


class _Model(BaseModel):
    # Lax on purpose: every XML attribute is a string, and pydantic parses dates and decimals from it.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _Rate(_Model):
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    rate: Annotated[Decimal, Field(gt=0, lt=MAX_RATE, allow_inf_nan=False)]


class _Day(_Model):
    time: date
    rates: list[_Rate]


def _read_days(root: ET.Element) -> list[_Day]:
    if root.tag != _ENVELOPE:
        raise FeedFormatError(NAME, f"the root element is {root.tag!r}, expected gesmes:Envelope")
    outer = root.find(_CUBE)
    if outer is None:
        raise FeedFormatError(NAME, "gesmes:Envelope has no eurofxref <Cube> element")
    raw_days = [
        {
            "time": day.get("time"),
            "rates": [
                {"currency": rate.get("currency"), "rate": rate.get("rate")} for rate in day.findall(_CUBE)
            ],
        }
        for day in outer.findall(_CUBE)
    ]
    if not raw_days:
        raise FeedFormatError(NAME, "no <Cube time='YYYY-MM-DD'> day in the document")
    try:
        days = [_Day.model_validate(raw) for raw in raw_days]
    except ValidationError as exc:
        raise FeedFormatError(
            NAME, f"a day's rates do not validate ({describe_validation_error(exc)})"
        ) from exc
    seen: set[date] = set()
    for day in days:
        if day.time in seen:
            raise FeedFormatError(NAME, f"the day {day.time} appears twice")
        seen.add(day.time)
        currencies = [rate.currency for rate in day.rates]
        if len(set(currencies)) != len(currencies):
            raise FeedFormatError(NAME, f"a currency is listed twice on {day.time}")
    return sorted(days, key=lambda day: day.time, reverse=True)


def count_records(data: Any) -> int:
    return len(data["rates"])


def parse(payload: bytes) -> ParsedFeed:
    """Parse a eurofxref daily or history document; the newest day becomes the stored rates."""
    days = _read_days(parse_xml(NAME, payload, expected="eurofxref XML"))
    newest = days[0]
    previous = {rate.currency: rate.rate for rate in days[1].rates} if len(days) > 1 else {}
    rates: dict[str, object] = {}
    for item in newest.rates:
        before = previous.get(item.currency)
        rates[f"{BASE_CURRENCY}{item.currency}"] = {
            "rate": float(item.rate),
            "date": newest.time.isoformat(),
            # Decimal subtraction is exact for the ECB's few decimals; float() only at the end.
            "change1d": None if before is None else float(item.rate - before),
        }
    published_ms = date_epoch_ms(newest.time, PUBLICATION_TIME_UTC)
    return ParsedFeed(
        data={
            "base": BASE_CURRENCY,
            "updatedAt": f"{newest.time.isoformat()}T{PUBLICATION_TIME_UTC.isoformat()}Z",
            "rates": rates,
        },
        record_count=len(rates),
        source_version="ecb-eurofxref-daily" if len(days) == 1 else "ecb-eurofxref-hist",
        published_at_ms=published_ms,
        # Every stored rate belongs to the newest day, so the newest and oldest item are the same.
        newest_item_at_ms=published_ms,
        oldest_item_at_ms=published_ms,
    )


FEED = Feed(
    name=NAME,
    domain="economic",
    resource="ecb-fx-rates",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    # For the same newest day, a history file wins over a daily one: it also gives change1d.
    file_names=(
        "eurofxref-hist-90d.xml",
        "eurofxref-hist.xml",
        "ecb_eurofxref_hist_5d.xml",
        "eurofxref-daily.xml",
        SNAPSHOT_FILE,
    ),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=3600,
    licence="ECB statistics: free reuse with attribution (Source: ECB)",
)
