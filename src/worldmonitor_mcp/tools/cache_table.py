"""The cache tools, declared in one table: one record per tool. Adding a cache tool is one entry.

Names, data keys, seed-meta keys and staleness budgets are those of the WorldMonitor MCP server, so
existing agents and an existing WorldMonitor Redis keep working. ``cyber:kev:v1`` is ours: the CISA
Known Exploited Vulnerabilities catalogue that get_cyber_threats promises.

Each tool also declares its filter arguments (filters.py: a name, the item fields it reads, and a
description) and, where its default answer is unusually big, its output budget. The field names are
those the seeders write (seeders/*.py) and, for feeds we do not seed yet, those WorldMonitor's seeders
write; a filter lists every field name under which its value is found across the tool's keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from .filters import AtLeast, Contains, Country, ListFilter, OneOf, Since

DEFAULT_OUTPUT_BUDGET_BYTES = 96 * 1024
"""Largest answer a cache tool sends (about 25,000 tokens): past it, counts and a sample instead, and a
hint to narrow. The default answer of every tool (30 items per list) fits well inside."""


@dataclass(frozen=True, slots=True)
class CacheToolSpec:
    name: str
    description: str
    keys: tuple[str, ...]
    meta_key: str
    max_stale_min: int
    title: str = ""
    filters: tuple[ListFilter, ...] = ()
    budget_bytes: int = DEFAULT_OUTPUT_BUDGET_BYTES


# -- filters several tools share -----------------------------------------------------------------------

CODE_FIELDS = ("country", "countryCode", "countryCodes", "cc", "iso2")
"""Where items carry an ISO alpha-2 code: natural events ``country``, the sanctions index ``cc``, ..."""
PLACE_FIELDS = ("place", "country", "countryName", "countryNames", "location")
"""Where items carry a place or country *name*: USGS ``place``, UCDP and unrest ``country`` (a name)."""
TIME_FIELDS = (
    "occurredAt",
    "detectedAt",
    "date",
    "lastSeenAt",
    "firstSeenAt",
    "dateAdded",
    "publishedAt",
    "pubDate",
    "dateStart",
    "date_start",
    "startDate",
    "timestamp",
    "createdAt",
)
"""An item's time is the first of these it has: USGS ``occurredAt``, FIRMS ``detectedAt``, natural
events ``date``, Feodo ``lastSeenAt`` (still active since), CISA KEV ``dateAdded``, ..."""
SEISMIC_MAGNITUDE_UNITS = ("M", "Mw", "Mww", "Mwr", "Mi", "ML", "Mb", "Ms", "Md", "Mc")
"""Units of an earthquake magnitude; USGS items name none (their ``magnitude`` is one), GDACS says M."""
TEXT_FIELDS = ("title", "name", "headline", "summary", "description", "event", "place", "region")


def country(what: str) -> Country:
    return Country("country", CODE_FIELDS, PLACE_FIELDS, f"Only {what} in these countries")


def since(what: str) -> Since:
    return Since("since", TIME_FIELDS, f"Only {what} at or after this time")


def query(what: str, fields: tuple[str, ...] = TEXT_FIELDS) -> Contains:
    shown = ", ".join(fields[:4]) + (", ..." if len(fields) > 4 else "")
    return Contains("query", fields, f"Only {what} whose text ({shown}) contains this, from a word start")


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
        title="Markets",
        filters=(
            OneOf(
                "symbols", ("symbol", "ticker"), "Only quotes for these symbols (AAPL, ^GSPC, BTC-USD, GC=F)"
            ),
            query("quotes", ("name", "display", "symbol", "ticker")),
        ),
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
        title="Conflict and unrest",
        filters=(country("events"), since("events"), query("events")),
    ),
    CacheToolSpec(
        "get_aviation_status",
        "US airport delays, ground stops, ground delay programmes and closures from the FAA NAS status feed.",
        ("aviation:delays-bootstrap:v1",),
        "seed-meta:aviation:faa",
        90,
        title="US aviation status",
        filters=(query("airports and delays", ("iata", "icao", "name", "city", "reason")),),
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
        title="News intelligence",
        filters=(query("stories and signals"), country("stories and advisories"), since("stories")),
    ),
    CacheToolSpec(
        "get_natural_disasters",
        "Recent earthquakes (USGS, magnitude, depth, place, time), active wildfire detections (NASA FIRMS) "
        "and natural events (NASA EONET, GDACS alerts).",
        ("seismology:earthquakes:v1", "wildfire:fires:v1", "natural:events:v1"),
        "seed-meta:seismology:earthquakes",
        30,
        title="Natural disasters",
        filters=(
            AtLeast(
                "min_magnitude",
                ("magnitude",),
                "Only earthquakes (USGS, GDACS) of at least this magnitude",
                minimum=-2,
                maximum=10,
                unit_field="magnitudeUnit",
                units=SEISMIC_MAGNITUDE_UNITS,
            ),
            country("disasters"),
            since("disasters"),
            OneOf(
                "category",
                ("category",),
                "Only natural events of these categories",
                choices=(
                    "earthquakes",
                    "floods",
                    "severeStorms",
                    "volcanoes",
                    "wildfires",
                    "drought",
                    "landslides",
                    "dustHaze",
                    "snow",
                    "tempExtremes",
                    "seaLakeIce",
                    "waterColor",
                    "manmade",
                ),
            ),
            OneOf(
                "alert_level",
                ("alertLevel",),
                "Only GDACS alerts of these levels",
                ("Green", "Orange", "Red"),
            ),
        ),
    ),
    CacheToolSpec(
        "get_military_posture",
        "Assessed military posture by theatre (force concentrations and activity levels).",
        ("theater_posture:sebuf:stale:v1",),
        "seed-meta:intelligence:risk-scores",
        120,
        title="Military posture",
        filters=(query("theatres", ("theater", "name", "region", "summary")),),
    ),
    CacheToolSpec(
        "get_cyber_threats",
        "Cyber threats: botnet command-and-control servers and malicious URLs, and the CISA catalogue of "
        "known exploited vulnerabilities (CVE, vendor, product, date added, required action).",
        ("cyber:threats-bootstrap:v2", "cyber:kev:v1"),
        "seed-meta:cyber:threats",
        240,
        title="Cyber threats",
        filters=(
            OneOf(
                "type",
                ("type",),
                "Only threats of these types (known exploited vulnerabilities have none)",
                ("c2_server", "malware_host", "phishing", "malicious_url"),
                suffix=True,
            ),
            OneOf(
                "severity",
                ("severity",),
                "Only threats of these severities",
                ("critical", "high", "medium", "low"),
                suffix=True,
            ),
            query(
                "threats and vulnerabilities",
                (
                    "cveID",
                    "vendorProject",
                    "product",
                    "vulnerabilityName",
                    "malwareFamily",
                    "indicator",
                    "tags",
                ),
            ),
            country("threats"),
            since("threats last seen and vulnerabilities added"),
        ),
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
        title="Economy",
        filters=(country("calendar entries"), since("observations and calendar entries"), query("entries")),
    ),
    CacheToolSpec(
        "get_prediction_markets",
        "Prediction-market questions on geopolitics, technology and finance with their current outcome "
        "probabilities and volumes (Polymarket, Kalshi).",
        ("prediction:markets-bootstrap:v1",),
        "seed-meta:prediction:markets",
        90,
        title="Prediction markets",
        filters=(
            query("markets", ("title", "question", "tags")),
            OneOf(
                "category",
                ("@list", "category", "tags"),
                "Only markets of these categories: geopolitical, tech, finance, or a tag",
            ),
        ),
    ),
    CacheToolSpec(
        "get_sanctions_data",
        "Sanctioned entities (OFAC SDN: individuals, companies, vessels, aircraft, with programmes) and "
        "sanctions pressure by country.",
        ("sanctions:entities:v1", "sanctions:pressure:v1"),
        "seed-meta:sanctions:entities",
        1440,
        title="Sanctions",
        filters=(
            query("entities", ("name", "aliases", "id")),
            Country(
                "country",
                ("cc", "countryCode", "countryCodes"),
                ("countryName", "countryNames"),
                "Only entities and pressure of these countries",
            ),
            OneOf(
                "program",
                ("pr", "program", "programs"),
                "Only entities under these programmes (RUSSIA-EO14024, SDGT)",
            ),
            OneOf(
                "entity_type",
                ("et", "entityType"),
                "Only entities of these types",
                ("individual", "entity", "vessel", "aircraft"),
                suffix=True,
            ),
        ),
    ),
    CacheToolSpec(
        "get_climate_data",
        "Climate anomalies (temperature and precipitation against normal) and active severe-weather alerts.",
        ("climate:anomalies:v1", "weather:alerts:v1"),
        "seed-meta:climate:anomalies",
        120,
        title="Climate and weather",
        filters=(
            query("anomalies and alerts", ("zone", "region", "event", "areaDesc", "headline")),
            since("alerts"),
        ),
    ),
    CacheToolSpec(
        "get_infrastructure_status",
        "Internet and infrastructure outages by country and network.",
        ("infra:outages:v1",),
        "seed-meta:infra:outages",
        30,
        title="Infrastructure outages",
        filters=(country("outages"), since("outages"), query("outages")),
    ),
    CacheToolSpec(
        "get_supply_chain_data",
        "Supply-chain indicators: shipping stress, customs revenue and trade flows (UN Comtrade).",
        ("supply_chain:shipping_stress:v1", "trade:customs-revenue:v1", "comtrade:flows:v1"),
        "seed-meta:trade:customs-revenue",
        2880,
        title="Supply chain",
        filters=(query("indicators and flows", ("name", "reporter", "partner", "commodity", "route")),),
    ),
    CacheToolSpec(
        "get_positive_events",
        "Geolocated positive news: breakthroughs, recoveries, peace and humanitarian progress.",
        ("positive_events:geo-bootstrap:v1",),
        "seed-meta:positive-events:geo",
        60,
        title="Positive events",
        filters=(query("events"), country("events"), since("events")),
    ),
    CacheToolSpec(
        "get_radiation_data",
        "Environmental radiation observations from monitoring stations.",
        ("radiation:observations:v1",),
        "seed-meta:radiation:observations",
        30,
        title="Radiation",
        filters=(country("observations"), since("observations"), query("stations")),
    ),
    CacheToolSpec(
        "get_research_signals",
        "Technology and research signals: upcoming tech conferences and events.",
        ("research:tech-events-bootstrap:v1",),
        "seed-meta:research:tech-events",
        480,
        title="Research signals",
        filters=(query("events"), since("events"), country("events")),
    ),
    CacheToolSpec(
        "get_forecast_predictions",
        "Forecasts of geopolitical and economic developments with probabilities and their signals.",
        ("forecast:predictions:v2",),
        "seed-meta:forecast:predictions",
        90,
        title="Forecasts",
        filters=(query("forecasts", ("title", "region", "domain", "summary")), country("forecasts")),
    ),
    CacheToolSpec(
        "get_social_velocity",
        "Fast-rising world-news discussions on Reddit (r/worldnews and similar), with scores and velocity.",
        ("intelligence:social:reddit:v1",),
        "seed-meta:intelligence:social-reddit",
        30,
        title="Social velocity",
        filters=(query("posts", ("title", "subreddit")), since("posts")),
    ),
)
