"""Polymarket Gamma API (``/markets`` and ``/events`` JSON) -> prediction-market candidates.

Upstream: https://gamma-api.polymarket.com/events?closed=false&active=true&order=volume&ascending=false
(WorldMonitor's query, once per tag) and https://gamma-api.polymarket.com/markets?active=true&closed=false
(documented at https://docs.polymarket.com). Polymarket Terms of Use: public data; attribute Polymarket.

Two feeds, one per endpoint, each writing candidates in the ``prediction:markets-bootstrap:v1`` shape under
its own key; ``prediction_markets.merge_prediction_markets`` turns them, with Kalshi, into the key the
prediction-markets tool reads. As WorldMonitor does, one record stands for one *event*: its highest-volume
open market, priced by that market's "Yes" outcome, with the event's volume, linked to
``https://polymarket.com/event/<event slug>``. The ``/markets`` endpoint lists markets one by one, so its
markets are grouped by their event first.

``outcomes`` and ``outcomePrices`` arrive as JSON arrays inside strings (``'["Yes", "No"]'``). A market
without a "Yes" outcome (a two-team game, a multi-choice list) or without a readable price is not a
yes/no question and is skipped; WorldMonitor takes the first price whatever its outcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from ._dates import iso_ms
from .base import Feed, FeedFormatError, ParsedFeed, describe_validation_error
from .prediction_markets import Market, is_excluded, market, parsed_candidates, yes_percent
from .prediction_markets import count_records as count_records
from .sniff import payload_hint

MARKETS_NAME = "polymarket-markets"
EVENTS_NAME = "polymarket-events"
MARKETS_URL = "https://gamma-api.polymarket.com/markets?active=true&closed=false&limit=100"
EVENTS_URL = (
    "https://gamma-api.polymarket.com/events?closed=false&active=true&archived=false"
    "&order=volume&ascending=false&limit=100"
)
CACHE_TTL_S = 2 * 3600
"""WorldMonitor refreshes every 30 minutes; two hours survive a short outage of the Gamma API."""
EVENT_URL = "https://polymarket.com/event/"
MIN_EVENT_VOLUME = 1_000.0
"""WorldMonitor skips events that traded less than this in total."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class _Tag(_Model):
    slug: str = ""


class _EventRef(_Model):
    id: str = ""
    slug: str = ""
    title: str = ""
    volume: float | None = None
    closed: bool = False
    tags: list[_Tag] = []


class _Market(_Model):
    id: Annotated[str, Field(min_length=1)]
    question: str = ""
    slug: str = ""
    outcomes: str = "[]"
    outcomePrices: str = "[]"
    volumeNum: float | None = None
    volume: float | None = None
    active: bool = True
    closed: bool = False
    endDate: str | None = None
    updatedAt: str | None = None
    events: list[_EventRef] = []

    @field_validator("updatedAt")
    @classmethod
    def _updated(cls, value: str | None) -> str | None:
        if value is not None:
            iso_ms(value)
        return value

    def traded(self) -> float:
        return self.volumeNum if self.volumeNum is not None else self.volume or 0.0

    def yes_price(self) -> float | None:
        """The "Yes" outcome's price in percent, or None when this is not a priced yes/no market."""
        try:
            outcomes = orjson.loads(self.outcomes)
            prices = orjson.loads(self.outcomePrices)
        except orjson.JSONDecodeError:
            return None
        if not (isinstance(outcomes, list) and isinstance(prices, list) and len(outcomes) == len(prices)):
            return None
        for outcome, price in zip(outcomes, prices, strict=True):
            if isinstance(outcome, str) and outcome.strip().lower() == "yes":
                try:
                    value = float(price)
                except (TypeError, ValueError):
                    return None
                return yes_percent(value) if 0 <= value <= 1 else None
        return None


class _Event(_EventRef):
    endDate: str | None = None
    updatedAt: str | None = None
    markets: list[_Market] = []

    @field_validator("updatedAt")
    @classmethod
    def _updated(cls, value: str | None) -> str | None:
        if value is not None:
            iso_ms(value)
        return value


_MARKETS = TypeAdapter(list[_Market])
_EVENTS = TypeAdapter(list[_Event])


def _top(markets: Iterable[_Market]) -> _Market | None:
    """The highest-volume open market that has a "Yes" price."""
    priced = [item for item in markets if item.active and not item.closed and item.yes_price() is not None]
    return max(priced, key=lambda item: item.traded(), default=None)


def _record(top: _Market, event: _EventRef | None, end_date: str | None) -> Market | None:
    title = top.question or (event.title if event else "")
    price = top.yes_price()
    if not title or price is None or is_excluded(title) or (event is not None and is_excluded(event.title)):
        return None
    slug = event.slug if event is not None and event.slug else top.slug
    volume = event.volume if event is not None and event.volume is not None else top.traded()
    return market(
        title=title,
        yes_price=price,
        volume=volume,
        url=f"{EVENT_URL}{slug}",
        end_date=top.endDate or end_date,
        tags=[tag.slug for tag in event.tags] if event is not None else [],
        source="polymarket",
    )


def _newest(stamps: Iterable[str | None]) -> int | None:
    values = [iso_ms(stamp) for stamp in stamps if stamp]
    return max(values) if values else None


def _refuse(name: str, what: str, payload: bytes, exc: ValidationError) -> FeedFormatError:
    return FeedFormatError(
        name, f"not a Gamma {what} list ({describe_validation_error(exc)}){payload_hint(payload)}"
    )


def parse_markets(payload: bytes) -> ParsedFeed:
    """Parse a Gamma ``/markets`` page; raise ``FeedFormatError`` on anything else."""
    try:
        markets = _MARKETS.validate_json(payload)
    except ValidationError as exc:
        raise _refuse(MARKETS_NAME, "/markets", payload, exc) from exc
    groups: dict[str, list[_Market]] = {}
    for item in markets:
        event = item.events[0] if item.events else None
        groups.setdefault(event.slug if event and event.slug else f"market:{item.id}", []).append(item)
    records: list[Market] = []
    try:
        for members in groups.values():
            top = _top(members)
            event = top.events[0] if top is not None and top.events else None
            if top is None or (event is not None and event.closed):
                continue
            record = _record(top, event, None)
            if record is not None:
                records.append(record)
    except ValidationError as exc:
        raise FeedFormatError(
            MARKETS_NAME, f"a market does not validate ({describe_validation_error(exc)})"
        ) from exc
    return parsed_candidates(
        records,
        source_version="polymarket-gamma-markets",
        published_at_ms=_newest(m.updatedAt for m in markets),
    )


def parse_events(payload: bytes) -> ParsedFeed:
    """Parse a Gamma ``/events`` page; raise ``FeedFormatError`` on anything else."""
    try:
        events = _EVENTS.validate_json(payload)
    except ValidationError as exc:
        raise _refuse(EVENTS_NAME, "/events", payload, exc) from exc
    records: list[Market] = []
    try:
        for event in events:
            if event.closed or (event.volume or 0.0) < MIN_EVENT_VOLUME:
                continue
            top = _top(event.markets)
            record = None if top is None else _record(top, event, event.endDate)
            if record is not None:
                records.append(record)
    except ValidationError as exc:
        raise FeedFormatError(
            EVENTS_NAME, f"an event does not validate ({describe_validation_error(exc)})"
        ) from exc
    stamps = [event.updatedAt for event in events] + [m.updatedAt for event in events for m in event.markets]
    return parsed_candidates(
        records, source_version="polymarket-gamma-events", published_at_ms=_newest(stamps)
    )


def _feed(name: str, resource: str, parse: Any, url: str, snapshot_file: str, names: tuple[str, ...]) -> Feed:
    return Feed(
        name=name,
        domain="prediction",
        resource=resource,
        data_key=f"prediction:markets:{name}:v1",
        parse=parse,
        count_records=count_records,
        upstream_url=url,
        snapshot_file=snapshot_file,
        file_names=(snapshot_file, *names),
        cache_ttl_s=CACHE_TTL_S,
        cadence_s=1800,
        licence="Polymarket Terms of Use (public data; attribute Polymarket)",
    )


MARKETS_FEED = _feed(
    MARKETS_NAME,
    "markets-polymarket-markets",
    parse_markets,
    MARKETS_URL,
    "polymarket_gamma_markets.json",
    ("gamma_markets.json", "markets.json"),
)
EVENTS_FEED = _feed(
    EVENTS_NAME,
    "markets-polymarket-events",
    parse_events,
    EVENTS_URL,
    "polymarket_gamma_events.json",
    ("gamma_events.json",),
)
