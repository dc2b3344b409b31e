"""CoinGecko ``/coins/markets`` (JSON) -> ``market:crypto:v1``.

Upstream: https://api.coingecko.com/api/v3/coins/markets?vs_currency=usd&order=market_cap_desc&per_page=30
&sparkline=true (documented at https://docs.coingecko.com). CoinGecko API terms: attribution "Data provided
by CoinGecko" required; check the plan's terms before redistribution.

The stored value has WorldMonitor's shape (scripts/seed-crypto-quotes.mjs in koala73/worldmonitor)::

    {"quotes": [{"name": "Bitcoin", "symbol": "BTC", "price": 79847, "change": -8.19629,
                 "sparkline": [...], "id": "bitcoin", "marketCap": 1592704518472, "marketCapRank": 1,
                 "lastUpdated": "2025-03-04T14:45:50.155Z"}]}

``change`` is the 24-hour change in percent; ``sparkline`` the last 48 hourly prices of the 7-day sparkline
when the response has one (``sparkline=true``), else ``[]``. WorldMonitor keeps a fixed list of coins; every
coin of the response is kept here, in its order (market cap), with ``id``, ``marketCap``, ``marketCapRank``
and ``lastUpdated`` added. Prices are in the request's ``vs_currency``, which the response does not state:
the live request asks for USD; the genuine sample's prices fit EUR (see snapshot/SOURCES.md).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from ._dates import iso_ms
from .base import Feed, FeedFormatError, ParsedFeed, describe_validation_error, newest_oldest
from .sniff import payload_hint

NAME = "coingecko-markets"
DATA_KEY = "market:crypto:v1"
UPSTREAM_URL = (
    "https://api.coingecko.com/api/v3/coins/markets?vs_currency=usd&order=market_cap_desc&per_page=30"
    "&sparkline=true&price_change_percentage=24h"
)
SNAPSHOT_FILE = "coingecko_coins_markets.json"
UPSTREAM_FILE_NAMES = ("coins_markets.json",)
CACHE_TTL_S = 2 * 3600
"""WorldMonitor's TTL for this key."""
SPARKLINE_POINTS = 48
MAX_RANK = 10**9
"""Far above the number of listed coins: a larger rank is corrupt (and would not fit JSON's 64 bits)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class _Sparkline(_Model):
    price: list[float] = []


class _Coin(_Model):
    id: Annotated[str, Field(min_length=1)]
    symbol: Annotated[str, Field(min_length=1)]
    name: Annotated[str, Field(min_length=1)]
    current_price: Annotated[float, Field(ge=0)]
    price_change_percentage_24h: float | None = None
    market_cap: float | None = None
    market_cap_rank: Annotated[int, Field(ge=1, le=MAX_RANK)] | None = None
    last_updated: str | None = None
    sparkline_in_7d: _Sparkline | None = None

    @field_validator("last_updated")
    @classmethod
    def _updated(cls, value: str | None) -> str | None:
        if value is not None:
            iso_ms(value)
        return value


_COINS = TypeAdapter(list[_Coin])


def _quote(coin: _Coin) -> dict[str, Any]:
    prices = coin.sparkline_in_7d.price if coin.sparkline_in_7d is not None else []
    return {
        "name": coin.name,
        "symbol": coin.symbol.upper(),
        "price": coin.current_price,
        "change": coin.price_change_percentage_24h,
        "sparkline": prices[-SPARKLINE_POINTS:],
        "id": coin.id,
        "marketCap": coin.market_cap,
        "marketCapRank": coin.market_cap_rank,
        "lastUpdated": coin.last_updated,
    }


def count_records(data: Any) -> int:
    return len(data["quotes"])


def parse(payload: bytes) -> ParsedFeed:
    """Parse a CoinGecko ``/coins/markets`` response; raise ``FeedFormatError`` on anything else."""
    try:
        coins = _COINS.validate_json(payload)
    except ValidationError as exc:
        raise FeedFormatError(
            NAME,
            f"not a CoinGecko coins/markets list ({describe_validation_error(exc)}){payload_hint(payload)}",
        ) from exc
    quotes = []
    seen: set[str] = set()
    for coin in coins:
        if coin.id not in seen:  # a page boundary shifting mid-pagination repeats a coin
            seen.add(coin.id)
            quotes.append(_quote(coin))
    newest, oldest = newest_oldest(iso_ms(coin.last_updated) for coin in coins if coin.last_updated)
    return ParsedFeed(
        data={"quotes": quotes},
        record_count=len(quotes),
        source_version="coingecko-markets",
        published_at_ms=newest,
        newest_item_at_ms=newest,
        oldest_item_at_ms=oldest,
    )


FEED = Feed(
    name=NAME,
    domain="market",
    resource="crypto",
    data_key=DATA_KEY,
    parse=parse,
    count_records=count_records,
    upstream_url=UPSTREAM_URL,
    snapshot_file=SNAPSHOT_FILE,
    file_names=(SNAPSHOT_FILE, *UPSTREAM_FILE_NAMES),
    cache_ttl_s=CACHE_TTL_S,
    cadence_s=600,
    licence="CoinGecko API terms (attribution: Data provided by CoinGecko)",
)
