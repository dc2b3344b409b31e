"""The cache tools, declared in one table: one record per tool. Adding a cache tool is one entry.

Names, data keys, seed-meta keys and staleness budgets are those of the WorldMonitor MCP server, so
existing agents and an existing WorldMonitor Redis keep working. ``cyber:kev:v1`` is ours: the CISA
Known Exploited Vulnerabilities catalogue that get_cyber_threats promises.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CacheToolSpec:
    name: str
    description: str
    keys: tuple[str, ...]
    meta_key: str
    max_stale_min: int


CACHE_TOOLS: tuple[CacheToolSpec, ...] = (
    CacheToolSpec(
        "get_market_data",
        "Cached market snapshots: stock indices, commodities, crypto prices, sector performance, ETF flows, "
        "Gulf market quotes and the fear & greed index.",
        (
            "market:stocks-bootstrap:v1",
            "market:commodities-bootstrap:v1",
            "market:crypto:v1",
            "market:sectors:v1",
            "market:etf-flows:v1",
            "market:gulf-quotes:v1",
            "market:fear-greed:v1",
        ),
        "seed-meta:market:stocks",
        30,
    ),
    CacheToolSpec(
        "get_conflict_events",
        "Armed-conflict and unrest events (UCDP georeferenced events, Iran-related events, protests and "
        "riots) and per-country conflict risk scores.",
        (
            "conflict:ucdp-events:v1",
            "conflict:iran-events:v1",
            "unrest:events:v1",
            "risk:scores:sebuf:stale:v1",
        ),
        "seed-meta:conflict:ucdp-events",
        30,
    ),
    CacheToolSpec(
        "get_aviation_status",
        "US airport delays, ground stops, ground delay programmes and closures from the FAA NAS status feed.",
        ("aviation:delays-bootstrap:v1",),
        "seed-meta:aviation:faa",
        90,
    ),
    CacheToolSpec(
        "get_news_intelligence",
        "News-derived intelligence: summarised headline insights, GDELT article signals, cross-source "
        "signals and government travel advisories.",
        (
            "news:insights:v1",
            "intelligence:gdelt-intel:v1",
            "intelligence:cross-source-signals:v1",
            "intelligence:advisories-bootstrap:v1",
        ),
        "seed-meta:news:insights",
        30,
    ),
    CacheToolSpec(
        "get_natural_disasters",
        "Recent earthquakes (USGS, magnitude, depth, place, time), active wildfire detections (NASA FIRMS) "
        "and natural events (NASA EONET, GDACS alerts).",
        ("seismology:earthquakes:v1", "wildfire:fires:v1", "natural:events:v1"),
        "seed-meta:seismology:earthquakes",
        30,
    ),
    CacheToolSpec(
        "get_military_posture",
        "Assessed military posture by theatre (force concentrations and activity levels).",
        ("theater_posture:sebuf:stale:v1",),
        "seed-meta:intelligence:risk-scores",
        120,
    ),
    CacheToolSpec(
        "get_cyber_threats",
        "Cyber threats: botnet command-and-control servers and malicious URLs, and the CISA catalogue of "
        "known exploited vulnerabilities (CVE, vendor, product, date added, required action).",
        ("cyber:threats-bootstrap:v2", "cyber:kev:v1"),
        "seed-meta:cyber:threats",
        240,
    ),
    CacheToolSpec(
        "get_economic_data",
        "Economic indicators: the US federal funds rate (FRED), economic calendar, fuel prices, ECB euro "
        "reference exchange rates, the euro-area yield curve, government spending, earnings calendar and "
        "CFTC commitments of traders.",
        (
            "economic:fred:v1:FEDFUNDS:0",
            "economic:econ-calendar:v1",
            "economic:fuel-prices:v1",
            "economic:ecb-fx-rates:v1",
            "economic:yield-curve-eu:v1",
            "economic:spending:v1",
            "market:earnings-calendar:v1",
            "market:cot:v1",
        ),
        "seed-meta:economic:econ-calendar",
        1440,
    ),
    CacheToolSpec(
        "get_prediction_markets",
        "Prediction-market questions on geopolitics, technology and finance with their current outcome "
        "probabilities and volumes (Polymarket, Kalshi).",
        ("prediction:markets-bootstrap:v1",),
        "seed-meta:prediction:markets",
        90,
    ),
    CacheToolSpec(
        "get_sanctions_data",
        "Sanctioned entities (OFAC SDN: individuals, companies, vessels, aircraft, with programmes) and "
        "sanctions pressure by country.",
        ("sanctions:entities:v1", "sanctions:pressure:v1"),
        "seed-meta:sanctions:entities",
        1440,
    ),
    CacheToolSpec(
        "get_climate_data",
        "Climate anomalies (temperature and precipitation against normal) and active severe-weather alerts.",
        ("climate:anomalies:v1", "weather:alerts:v1"),
        "seed-meta:climate:anomalies",
        120,
    ),
    CacheToolSpec(
        "get_infrastructure_status",
        "Internet and infrastructure outages by country and network.",
        ("infra:outages:v1",),
        "seed-meta:infra:outages",
        30,
    ),
    CacheToolSpec(
        "get_supply_chain_data",
        "Supply-chain indicators: shipping stress, customs revenue and trade flows (UN Comtrade).",
        ("supply_chain:shipping_stress:v1", "trade:customs-revenue:v1", "comtrade:flows:v1"),
        "seed-meta:trade:customs-revenue",
        2880,
    ),
    CacheToolSpec(
        "get_positive_events",
        "Geolocated positive news: breakthroughs, recoveries, peace and humanitarian progress.",
        ("positive_events:geo-bootstrap:v1",),
        "seed-meta:positive-events:geo",
        60,
    ),
    CacheToolSpec(
        "get_radiation_data",
        "Environmental radiation observations from monitoring stations.",
        ("radiation:observations:v1",),
        "seed-meta:radiation:observations",
        30,
    ),
    CacheToolSpec(
        "get_research_signals",
        "Technology and research signals: upcoming tech conferences and events.",
        ("research:tech-events-bootstrap:v1",),
        "seed-meta:research:tech-events",
        480,
    ),
    CacheToolSpec(
        "get_forecast_predictions",
        "Forecasts of geopolitical and economic developments with probabilities and their signals.",
        ("forecast:predictions:v2",),
        "seed-meta:forecast:predictions",
        90,
    ),
    CacheToolSpec(
        "get_social_velocity",
        "Fast-rising world-news discussions on Reddit (r/worldnews and similar), with scores and velocity.",
        ("intelligence:social:reddit:v1",),
        "seed-meta:intelligence:social-reddit",
        30,
    ),
)
