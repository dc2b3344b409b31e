"""CoinGecko coins/markets -> market:crypto:v1 (seeders/coingecko.py), on the genuine sample."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_checks import FUZZ, HTML_ERROR_PAGE, fuzz_contract, parse_or_own_error, sample

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError
from worldmonitor_mcp.seeders.coingecko import DATA_KEY, NAME, SPARKLINE_POINTS, count_records, parse

SAMPLE = sample("coingecko_coins_markets.json")


def test_sample() -> None:
    parsed = parse(SAMPLE)
    quotes = parsed.data["quotes"]  # type: ignore[index]
    assert parsed.record_count == len(quotes) == 30
    assert parsed.published_at_ms == parsed.newest_item_at_ms == 1741099551140  # 2025-03-04T14:45:51.140Z
    assert parsed.oldest_item_at_ms == 1741099540612  # 2025-03-04T14:45:40.612Z
    assert quotes[0] == {
        "name": "Bitcoin",
        "symbol": "BTC",
        "price": 79847.0,
        "change": -8.19629,
        "sparkline": [],  # the sample was fetched without sparkline=true
        "id": "bitcoin",
        "marketCap": 1592704518472.0,
        "marketCapRank": 1,
        "lastUpdated": "2025-03-04T14:45:50.155Z",
    }
    tether = next(q for q in quotes if q["id"] == "tether")
    assert (tether["symbol"], tether["price"], tether["marketCapRank"]) == ("USDT", 0.949312, 4)
    assert (quotes[-1]["id"], quotes[-1]["marketCapRank"]) == ("hyperliquid", 30)


def test_feed_record() -> None:
    feed = FEEDS[NAME]
    assert feed.data_key == DATA_KEY == "market:crypto:v1"
    assert feed.seed_meta_key == "seed-meta:market:crypto"


def test_sparkline_keeps_the_last_hours_and_repeats_are_dropped() -> None:
    coin = {
        "id": "x",
        "symbol": "x",
        "name": "X",
        "current_price": 2,
        "price_change_percentage_24h": None,
        "sparkline_in_7d": {"price": [float(i) for i in range(168)]},
    }
    (quote,) = parse(orjson.dumps([coin, coin])).data["quotes"]  # type: ignore[index]
    assert quote["sparkline"] == [float(i) for i in range(168 - SPARKLINE_POINTS, 168)]
    assert quote["change"] is None


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"{}",
        HTML_ERROR_PAGE,
        b'{"status": {"error_code": 429, "error_message": "rate limited"}}',
        orjson.dumps([{"id": "x", "symbol": "x", "name": "X", "current_price": -1}]),
        orjson.dumps([{"id": "x", "symbol": "x", "name": "X", "current_price": 1, "last_updated": "now"}]),
    ],
)
def test_other_payloads_are_refused(payload: bytes) -> None:
    with pytest.raises(FeedFormatError, match=r"^coingecko-markets: unrecognised payload: not a CoinGecko"):
        parse(payload)


test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count_records, SAMPLE)


@FUZZ
@given(st.integers(0, len(SAMPLE.rstrip()) - 1))
def test_fuzz_truncated_sample_is_refused(end: int) -> None:
    assert parse_or_own_error(parse, NAME, count_records, SAMPLE[:end]) is None


def test_rank_beyond_json_integers_is_refused() -> None:
    coin = b'[{"id": "x", "symbol": "x", "name": "X", "current_price": 1, "market_cap_rank": %d}]' % 2**70
    with pytest.raises(FeedFormatError, match="market_cap_rank"):
        parse(coin)
