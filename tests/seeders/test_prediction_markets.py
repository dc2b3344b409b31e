"""Polymarket Gamma and Kalshi -> prediction:markets-bootstrap:v1 (seeders/polymarket.py, kalshi.py,
prediction_markets.py), on the genuine samples."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_checks import FUZZ, HTML_ERROR_PAGE, parse_or_own_error, sample

from worldmonitor_mcp.seeders import COMPOSITES, FEEDS, FeedFormatError, kalshi, polymarket
from worldmonitor_mcp.seeders.prediction_markets import (
    DATA_KEY,
    classify,
    count_records,
    merge_composite,
    merge_parsed,
    merge_prediction_markets,
    regions_of,
)

MARKETS = sample("polymarket_gamma_markets.json")
EVENTS = sample("polymarket_gamma_events.json")
KALSHI = sample("kalshi_events.json")


def _gamma_market(**fields: object) -> dict[str, object]:
    market: dict[str, object] = {
        "id": "1",
        "question": "Will Russia and Ukraine sign a ceasefire in 2026?",
        "slug": "ceasefire-2026",
        "outcomes": '["Yes", "No"]',
        "outcomePrices": '["0.42", "0.58"]',
        "volumeNum": 250000.0,
        "active": True,
        "closed": False,
        "endDate": "2026-12-31T12:00:00Z",
        "updatedAt": "2026-01-10T10:00:00Z",
    }
    market.update(fields)
    return market


def _kalshi_event(**fields: object) -> dict[str, object]:
    event: dict[str, object] = {
        "event_ticker": "KXAI-26",
        "title": "Which lab releases the best model?",
        "category": "Science and Technology",
        "last_updated_ts": "2026-03-04T22:44:42Z",
        "markets": [
            {
                "ticker": "KXAI-26-A",
                "market_type": "binary",
                "status": "active",
                "yes_sub_title": "Lab A",
                "last_price_dollars": "0.6200",
                "volume_fp": "120000.00",
                "close_time": "2026-12-31T00:00:00Z",
            },
            {
                "ticker": "KXAI-26-B",
                "market_type": "binary",
                "status": "active",
                "yes_sub_title": "Lab B",
                "last_price_dollars": "0.3000",
                "volume_fp": "5000.00",
            },
        ],
    }
    event.update(fields)
    return event


# -- Polymarket /markets ------------------------------------------------------------------------------


def test_markets_sample_gives_one_candidate_per_event() -> None:
    parsed = polymarket.parse_markets(MARKETS)
    # 25 markets of 8 events (the deportation, DOGE-spending and DOGE-jobs events have 9, 6 and 5).
    assert parsed.record_count == count_records(parsed.data) == 8
    assert parsed.published_at_ms == 1768040938254  # newest updatedAt 2026-01-10T10:28:58.254349Z
    assert parsed.source_version == "polymarket-gamma-markets"
    pools = parsed.data
    assert pools["geopolitical"] == pools["tech"] == []  # type: ignore[index]
    deport = next(
        m for m in pools["finance"] if m["url"].endswith("how-many-people-will-trump-deport-in-2025")
    )  # type: ignore[index]
    # The event's highest-volume market (517311, 91.85 % yes), carrying the event's total volume.
    assert deport == {
        "title": "Will Trump deport 250,000-500,000 people?",
        "yesPrice": 91.8,
        "volume": 4397825.742054,
        "url": "https://polymarket.com/event/how-many-people-will-trump-deport-in-2025",
        "endDate": "2025-12-31T12:00:00Z",
        "tags": [],
        "source": "polymarket",
        "regions": ["america"],
    }


def test_markets_feed_record() -> None:
    feed = FEEDS["polymarket-markets"]
    assert feed.data_key == "prediction:markets:polymarket-markets:v1"
    assert feed.snapshot_file == "polymarket_gamma_markets.json"


def test_non_yes_no_and_unpriced_markets_are_skipped() -> None:
    page = [
        _gamma_market(id="1", slug="a", outcomes='["Lakers", "Celtics"]'),
        _gamma_market(id="2", slug="b", outcomePrices="[]"),
        _gamma_market(id="3", slug="c", outcomePrices='["x", "y"]'),
        _gamma_market(id="4", slug="d", closed=True),
        _gamma_market(id="5", slug="e"),
    ]
    parsed = polymarket.parse_markets(orjson.dumps(page))
    assert [m["url"] for m in parsed.data["geopolitical"]] == ["https://polymarket.com/event/e"]  # type: ignore[index]


def test_markets_page_in_another_shape_is_refused() -> None:
    with pytest.raises(FeedFormatError, match=r"^polymarket-markets: unrecognised payload: not a Gamma"):
        polymarket.parse_markets(b'{"data": []}')


# -- Polymarket /events -------------------------------------------------------------------------------


def test_events_sample_is_a_closed_sports_event() -> None:
    parsed = polymarket.parse_events(EVENTS)
    assert parsed.record_count == 0  # event 2890: closed, NBA
    assert parsed.published_at_ms == 1714070946075  # updatedAt 2024-04-25T18:49:06.075795Z


def test_events_page_takes_the_top_market_and_the_event_tags() -> None:
    event = {
        "id": "9",
        "slug": "iran-deal",
        "title": "Iran nuclear deal in 2026?",
        "closed": False,
        "volume": 900000.0,
        "endDate": "2026-12-31T00:00:00Z",
        "tags": [{"slug": "Geopolitics"}, {"slug": "middle-east"}],
        "markets": [
            _gamma_market(
                id="1", question="Iran nuclear deal by June?", volumeNum=10.0, outcomePrices='["0.3","0.7"]'
            ),
            _gamma_market(id="2", question="Iran nuclear deal by December?", volumeNum=20.0),
        ],
    }
    parsed = polymarket.parse_events(orjson.dumps([event]))
    (record,) = parsed.data["geopolitical"]  # type: ignore[index]
    assert (record["title"], record["yesPrice"], record["volume"]) == (
        "Iran nuclear deal by December?",
        42.0,
        900000.0,
    )
    assert (record["tags"], record["regions"]) == (["geopolitics", "middle-east"], ["mena"])


def test_low_volume_and_excluded_events_are_skipped() -> None:
    quiet = {"id": "1", "slug": "q", "title": "Quiet?", "volume": 999.0, "markets": [_gamma_market()]}
    oscars = {"id": "2", "slug": "o", "title": "Oscars 2026", "volume": 1e6, "markets": [_gamma_market()]}
    assert polymarket.parse_events(orjson.dumps([quiet, oscars])).record_count == 0


# -- Kalshi -------------------------------------------------------------------------------------------


def test_kalshi_sample_has_no_nested_markets() -> None:
    parsed = kalshi.parse(KALSHI)
    # 50 events fetched without with_nested_markets=true: no prices, so no candidate.
    assert parsed.record_count == 0
    assert parsed.published_at_ms == 1772568989070  # newest last_updated_ts kept: 2026-03-03T20:16:29.070134Z


def test_kalshi_event_with_markets() -> None:
    parsed = kalshi.parse(orjson.dumps({"cursor": "", "events": [_kalshi_event()]}))
    (record,) = parsed.data["tech"]  # type: ignore[index]
    assert record == {
        "title": "Which lab releases the best model?: Lab A",
        "yesPrice": 62.0,
        "volume": 120000.0,
        "url": "https://kalshi.com/markets/KXAI-26-A",
        "endDate": "2026-12-31T00:00:00Z",
        "tags": ["science-and-technology"],
        "source": "kalshi",
        "regions": [],
    }


def test_kalshi_cents_prices_and_inactive_markets() -> None:
    event = _kalshi_event(
        category="World",
        title="Will Russia and Ukraine agree a ceasefire?",
        markets=[
            {"ticker": "T1", "status": "active", "last_price": 35, "volume": 9000},
            {"ticker": "T2", "status": "settled", "last_price": 99, "volume": 90000},
        ],
    )
    (record,) = kalshi.parse(orjson.dumps({"events": [event]})).data["geopolitical"]  # type: ignore[index]
    assert (record["url"], record["yesPrice"]) == ("https://kalshi.com/markets/T1", 35.0)


def test_kalshi_feed_record() -> None:
    assert FEEDS["kalshi"].data_key == "prediction:markets:kalshi:v1"


# -- classification and merge -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "tags", "pool"),
    [
        ("Will Russia invade Finland?", [], "geopolitical"),
        ("Next Prime Minister of Israel?", [], "geopolitical"),
        ("Russia sanctions lifted by 2027?", [], "geopolitical"),
        ("Russia stock market up in 2026?", [], "finance"),
        ("Price war between airlines?", [], "finance"),
        ("OpenAI releases GPT-6?", ["AI"], "tech"),
        ("Fed cuts rates in March?", ["fed"], "finance"),
        ("Berlin state elections", ["world"], "geopolitical"),
        ("Clarity Act passes?", ["politics", "crypto"], "tech"),
    ],
)
def test_classification(title: str, tags: list[str], pool: str) -> None:
    assert classify(title, tags) == pool


def test_regions() -> None:
    assert regions_of("Will China invade Taiwan before the US election?") == ["america", "asia"]


def test_merge_of_the_genuine_samples() -> None:
    merged = merge_parsed(
        [polymarket.parse_markets(MARKETS), polymarket.parse_events(EVENTS), kalshi.parse(KALSHI)]
    )
    # Of the 8 candidates only 1 prices between 10 and 90 (13 %): fewer than 15, so the 5-95 band
    # applies and three remain; the others are priced below 1 % or above 99 %.
    assert merged.record_count == 3
    finance = merged.data["finance"]  # type: ignore[index]
    assert [m["yesPrice"] for m in finance] == [91.8, 5.1, 13.0]  # ranked by conviction, then volume
    assert merged.published_at_ms == 1714070946075  # the oldest source (the 2024 events page)


def test_merge_deduplicates_by_url_keeping_the_higher_volume() -> None:
    low = polymarket.parse_markets(orjson.dumps([_gamma_market(volumeNum=6000.0)])).data
    high = polymarket.parse_markets(orjson.dumps([_gamma_market(volumeNum=90000.0)])).data
    (kept,) = merge_prediction_markets(low, None, high)["geopolitical"]
    assert kept["volume"] == 90000.0


def test_merge_refuses_another_shape() -> None:
    with pytest.raises(FeedFormatError, match=r"^prediction-markets: unrecognised payload: source 0 "):
        merge_prediction_markets({"geopolitical": [{"title": "x"}]})


def test_key_and_composite() -> None:
    composite = COMPOSITES["prediction-markets"]
    assert composite.data_key == DATA_KEY == "prediction:markets-bootstrap:v1"
    assert composite.seed_meta_key == "seed-meta:prediction:markets"
    merged = merge_composite(
        {"kalshi": kalshi.parse(KALSHI).data, "polymarket-markets": polymarket.parse_markets(MARKETS).data}
    )
    assert merged.source_version == "polymarket-markets+kalshi"
    assert merged.record_count == 3


@pytest.mark.parametrize(
    ("parse", "name"),
    [
        (polymarket.parse_markets, "polymarket-markets"),
        (polymarket.parse_events, "polymarket-events"),
        (kalshi.parse, "kalshi"),
    ],
)
@pytest.mark.parametrize("payload", [b"", HTML_ERROR_PAGE, b"{}", b"[1, 2]"])
def test_other_payloads_are_refused(parse: object, name: str, payload: bytes) -> None:
    with pytest.raises(FeedFormatError, match=rf"^{name}: unrecognised payload: "):
        parse(payload)  # type: ignore[operator]


_PARSERS = st.sampled_from(
    [
        (polymarket.parse_markets, "polymarket-markets", MARKETS),
        (polymarket.parse_events, "polymarket-events", EVENTS),
        (kalshi.parse, "kalshi", KALSHI),
    ]
)


@FUZZ
@given(_PARSERS, st.binary(max_size=2048))
def test_fuzz_arbitrary_bytes(parser: tuple[object, str, bytes], payload: bytes) -> None:
    parse, name, _ = parser
    parse_or_own_error(parse, name, count_records, payload)  # type: ignore[arg-type]


@FUZZ
@given(_PARSERS, st.integers(0, 150_000), st.integers(0, 300), st.binary(max_size=8))
def test_fuzz_damaged_samples(
    parser: tuple[object, str, bytes], start: int, length: int, insert: bytes
) -> None:
    parse, name, source = parser
    start %= len(source) + 1
    parse_or_own_error(parse, name, count_records, source[:start] + insert + source[start + length :])  # type: ignore[arg-type]
