"""Kalshi Trade API v2 events (JSON) -> prediction-market candidates (``prediction:markets:kalshi:v1``).

Upstream: https://api.elections.kalshi.com/trade-api/v2/events?status=open&with_nested_markets=true
(WorldMonitor's query; documented at https://docs.kalshi.com). Kalshi API terms: public market data.

Writes candidates in the ``prediction:markets-bootstrap:v1`` shape under its own key, for
``prediction_markets.merge_prediction_markets``. As WorldMonitor does, an event becomes one record: its
highest-volume active binary market, priced by its last trade (``last_price_dollars``, 0-1; older
responses give ``last_price`` in cents), linked to ``https://kalshi.com/markets/<ticker>``. The title is the
market's own when it is a question (or long), else ``<event title>: <market subtitle>``.

An event listed without ``markets`` (a page fetched without ``with_nested_markets=true``, like the genuine
sample) has no price or volume and yields no record; its ``last_updated_ts`` still dates the page. One
deliberate difference: WorldMonitor gives Kalshi records no tags, so its classifier can only read their
titles; here the event's Kalshi ``category`` becomes a tag (``science-and-technology``, ``financials``), which
files a technology market under tech instead of the finance default.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._dates import iso_ms
from .base import Feed, FeedFormatError, ParsedFeed, describe_validation_error
from .prediction_markets import Market, is_excluded, market, parsed_candidates, yes_percent
from .prediction_markets import count_records as count_records
from .sniff import payload_hint

NAME = "kalshi"
DATA_KEY = "prediction:markets:kalshi:v1"
UPSTREAM_URL = (
    "https://api.elections.kalshi.com/trade-api/v2/events?status=open&with_nested_markets=true&limit=100"
)
SNAPSHOT_FILE = "kalshi_events.json"
UPSTREAM_FILE_NAMES = ("kalshi_events_nested.json",)
CACHE_TTL_S = 2 * 3600
MARKET_URL = "https://kalshi.com/markets/"
TITLE_AS_IS_FROM = 60
"""A market title this long (or with a question mark) is a full question on its own."""

_SLUG = re.compile(r"[^a-z0-9]+")


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class _Market(_Model):
    ticker: Annotated[str, Field(min_length=1)]
    market_type: str = "binary"
    status: str = ""
    title: str = ""
    yes_sub_title: str = ""
    last_price_dollars: float | None = None
    last_price: float | None = None
    volume_fp: float | None = None
    volume: float | None = None
    close_time: str | None = None

    def traded(self) -> float:
        return self.volume_fp if self.volume_fp is not None else self.volume or 0.0

    def yes_price(self) -> float | None:
        if self.last_price_dollars is not None:
            value = self.last_price_dollars
        elif self.last_price is not None:
            value = self.last_price / 100
        else:
            return None
        return yes_percent(value) if 0 <= value <= 1 else None


class _Event(_Model):
    event_ticker: Annotated[str, Field(min_length=1)]
    title: str
    category: str = ""
    last_updated_ts: str | None = None
    markets: list[_Market] | None = None

    @field_validator("last_updated_ts")
    @classmethod
    def _updated(cls, value: str | None) -> str | None:
        if value:
            iso_ms(value)
        return value


class _Page(_Model):
    events: list[_Event]
    cursor: str | None = None


def _title(market_title: str, event_title: str) -> str:
    if not market_title:
        return event_title
    if "?" in market_title or len(market_title) > TITLE_AS_IS_FROM or market_title == event_title:
        return market_title
    return f"{event_title}: {market_title}" if event_title else market_title


def _record(event: _Event) -> Market | None:
    if not event.markets or is_excluded(event.title):
        return None
    live = [
        item
        for item in event.markets
        if item.market_type == "binary" and item.status == "active" and item.yes_price() is not None
    ]
    if not live:
        return None
    top = max(live, key=lambda item: item.traded())
    price = top.yes_price()
    if price is None:  # pragma: no cover - filtered above
        return None
    category = _SLUG.sub("-", event.category.lower()).strip("-")
    return market(
        title=_title(top.yes_sub_title or top.title, event.title),
        yes_price=price,
        volume=top.traded(),
        url=f"{MARKET_URL}{top.ticker}",
        end_date=top.close_time,
        tags=[category] if category else [],
        source="kalshi",
    )


def parse(payload: bytes) -> ParsedFeed:
    """Parse a Kalshi ``/events`` page; raise ``FeedFormatError`` on anything else."""
    try:
        page = _Page.model_validate_json(payload)
    except ValidationError as exc:
        raise FeedFormatError(
            NAME, f"not a Kalshi /events page ({describe_validation_error(exc)}){payload_hint(payload)}"
        ) from exc
    records: list[Market] = []
    for event in page.events:
        try:
            record = _record(event)
        except ValidationError as exc:
            raise FeedFormatError(
                NAME, f"event {event.event_ticker} does not validate ({describe_validation_error(exc)})"
            ) from exc
        if record is not None:
            records.append(record)
    stamps = [iso_ms(event.last_updated_ts) for event in page.events if event.last_updated_ts]
    return parsed_candidates(
        records, source_version="kalshi-events-v2", published_at_ms=max(stamps, default=None)
    )


FEED = Feed(
    name=NAME,
    domain="prediction",
    resource="markets-kalshi",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=1800,
    licence="Kalshi API terms (public market data)",
)
