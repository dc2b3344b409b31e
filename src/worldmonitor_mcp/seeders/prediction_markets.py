"""The shape of ``prediction:markets-bootstrap:v1``, WorldMonitor's pool classification, and the merge of its
sources (Polymarket Gamma markets and events, Kalshi events).

The stored value has WorldMonitor's shape (scripts/seed-prediction-markets.mjs and
scripts/_prediction-classify.mjs in koala73/worldmonitor): three disjoint pools of ranked markets::

    {"geopolitical": [{"title": "Will Trump & Elon reduce the deficit in 2025?", "yesPrice": 13.0,
                       "volume": 192114.32, "url": "https://polymarket.com/event/will-trump-elon-...",
                       "endDate": "2026-02-28T12:00:00Z", "tags": [], "source": "polymarket",
                       "regions": ["america"]}],
     "tech": [...], "finance": [...]}

Each market gets exactly one pool, by WorldMonitor's precedence: geopolitical when its title reads as
statecraft or conflict (or it carries a geopolitical venue tag), else tech by tag, else finance (by tag, and
by default). The title test is our own vocabulary for the same idea: conflict and statecraft terms,
national elections and heads of government, high-salience actors and places; a weak term (war, sanctions,
uranium) counts only beside such an actor.

Each source feed writes its *candidates* (open, priced, not excluded) in this shape under its own key;
``merge_prediction_markets`` deduplicates them across sources by market URL (highest volume wins) and
applies WorldMonitor's selection per pool: a yes price between 10 and 90 (5 and 95 when fewer than 15
markets pass), at least 5,000 of volume, no entertainment/sports keyword and no meme question, ranked by
conviction (distance from 50/50) and volume, 25 per pool. WorldMonitor also drops markets whose end date
has passed at fetch time; a pure parser has no clock, so ``endDate`` is kept for the reader to judge.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .base import FeedFormatError, ParsedFeed, describe_validation_error
from .composite import Composite

DATA_KEY = "prediction:markets-bootstrap:v1"
MERGE_NAME = "prediction-markets"
SOURCES = ("polymarket-events", "polymarket-markets", "kalshi")
"""The source feeds; a market both Polymarket endpoints list is kept once (highest volume)."""
CACHE_TTL_S = 2 * 3600

POOLS: tuple[str, ...] = ("geopolitical", "tech", "finance")
"""Pool names in precedence order; also the stored value's keys."""
DEFAULT_POOL = "finance"

POOL_LIMIT = 25
MIN_VOLUME = 5_000.0
STRICT_BAND = (10.0, 90.0)
RELAXED_BAND = (5.0, 95.0)
RELAX_BELOW = 15
"""WorldMonitor's selection: when fewer than 15 markets of a pool pass the strict price band, the relaxed
band is used for that pool."""
VOLUME_SCALE = 10_000_000
"""Volume reaches full weight in the score at ten million."""

_TAGS: dict[str, frozenset[str]] = {
    "geopolitical": frozenset(
        {
            "geopolitics", "geopolitical", "world", "elections", "global-elections", "world-elections",
            "international-election-props", "main-election", "middle-east", "ukraine", "nato",
            "diplomacy-ceasefire", "foreign-policy", "war", "military", "defense", "sanctions",
        }
    ),
    "tech": frozenset({"ai", "tech", "crypto", "science", "elon-musk", "science-and-technology"}),
    "finance": frozenset(
        {
            "economy", "fed", "inflation", "interest-rates", "recession", "trade", "tariffs",
            "debt-ceiling", "markets", "business", "financials", "economics", "companies",
        }
    ),
}  # fmt: skip
"""Venue tag slugs per pool, disjoint by construction (WorldMonitor's ``classify`` lists, plus the slugs of
Kalshi's categories). ``politics`` is deliberately in none: it tags crypto bills and celebrity markets."""

_EXCLUDED = re.compile(
    r"\b(?:nba|nfl|mlb|nhl|fifa|world cup|super bowl|championship|playoffs?|oscars?|grammys?|emmys?|"
    r"box office|movie|album|song|streamer|influencer|celebrity|kardashian|bachelor|reality tv|mvp|"
    r"touchdown|home run|goal scorer|academy awards?|bafta|golden globes?|cannes|sundance|documentary|"
    r"feature film|tv series|season finale)\b",
    re.IGNORECASE,
)
_MEME = re.compile(
    r"\b(?:lebron|kanye|oprah|taylor swift|rogan|kardashian|cardi b|aliens?|ufos?|zombies?|flat earth)\b",
    re.IGNORECASE,
)
MEME_BELOW = 15.0
"""A meme question is dropped only while the crowd prices it as a long shot."""

_GEO_STRONG = re.compile(
    r"\b(?:cease-?fire|armistice|truce|coup|invade[sd]?|invasion|annex(?:ation|ed|es)?|air ?strikes?|"
    r"drone strikes?|missile strikes?|missiles?|ballistic|warheads?|regime change|hostages?|"
    r"prisoner (?:swap|exchange)|prisoners of war|nato|martial law|troops|referendum|secession|secede|"
    r"assassinat(?:e|ed|ion)|blockade|genocide|militants?|insurgen(?:cy|ts?)|militias?|"
    r"nuclear (?:weapons?|warheads?|tests?|deal|program(?:me)?|talks|strike|attack|bomb|war))\b",
    re.IGNORECASE,
)
_GEO_OFFICE = re.compile(
    r"\b(?:(?:presidential|parliamentary|general|snap|midterm|legislative|congressional|senate|"
    r"gubernatorial|federal|national) elections?|midterms|runoff|prime minister|chancellor|"
    r"supreme leader|head of state|control of (?:the )?(?:senate|house|congress|parliament|bundestag|"
    r"knesset|duma))\b",
    re.IGNORECASE,
)
_GEO_ACTORS = re.compile(
    r"\b(?:ukraine|ukrainian|gaza|crimea|donbas+|kashmir|west bank|hezbollah|hamas|houthis?|taliban|"
    r"wagner|putin|khamenei|kim jong|zelensky+|netanyahu|isis|islamic state)\b",
    re.IGNORECASE,
)
_GEO_WEAK = re.compile(r"\b(?:war|wartime|warfare|sanctions?|uranium|occupation|leadership change)\b", re.I)
_GEO_WEAK_ACTORS = re.compile(
    r"\b(?:iran|iranian|russia|russian|israel|israeli|venezuela|venezuelan|north korea|dprk|syria|"
    r"syrian|china|chinese|taiwan)\b",
    re.IGNORECASE,
)

_REGIONS: dict[str, re.Pattern[str]] = {
    "america": re.compile(
        r"\b(?:us|u\.s\.|united states|america|trump|biden|congress|federal reserve|canada|mexico|"
        r"brazil)\b",
        re.IGNORECASE,
    ),
    "eu": re.compile(r"\b(?:europe|european|eu|nato|germany|france|uk|britain|macron|ecb)\b", re.I),
    "mena": re.compile(
        r"\b(?:middle east|iran|iraq|syria|israel|palestine|gaza|saudi|yemen|houthis?|lebanon)\b", re.I
    ),
    "asia": re.compile(r"\b(?:china|japan|korea|india|taiwan|xi jinping|asean)\b", re.I),
    "latam": re.compile(r"\b(?:latin america|brazil|argentina|venezuela|colombia|chile)\b", re.I),
    "africa": re.compile(r"\b(?:africa|nigeria|south africa|ethiopia|sahel|kenya)\b", re.I),
    "oceania": re.compile(r"\b(?:australia|new zealand)\b", re.I),
}
"""WorldMonitor's region tags, matched on the title."""


class Market(BaseModel):
    """One market of a pool; ``model_dump()`` gives the stored JSON object."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)

    title: Annotated[str, Field(min_length=1)]
    yesPrice: Annotated[float, Field(ge=0, le=100)]
    """The price of "Yes" in percent (cents on the dollar), one decimal."""
    volume: Annotated[float, Field(ge=0)]
    url: str
    endDate: str | None
    tags: list[str]
    source: Literal["polymarket", "kalshi"]
    regions: list[str]


class _Pools(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    geopolitical: list[Market] = []
    tech: list[Market] = []
    finance: list[Market] = []


_POOLS = TypeAdapter(_Pools)


def normalise_tags(tags: Iterable[str]) -> list[str]:
    """Venue tags lowercased and trimmed (Polymarket ships both ``interest-rates`` and ``Global-Rates``)."""
    seen: list[str] = []
    for tag in tags:
        slug = tag.strip().lower()
        if slug and slug not in seen:
            seen.append(slug)
    return seen


def is_geopolitical_title(title: str) -> bool:
    if _GEO_STRONG.search(title) or _GEO_OFFICE.search(title) or _GEO_ACTORS.search(title):
        return True
    return bool(_GEO_WEAK.search(title) and _GEO_WEAK_ACTORS.search(title))


def classify(title: str, tags: Iterable[str]) -> str:
    """The one pool a market belongs to: geopolitical, then tech, then finance, finance by default."""
    slugs = set(normalise_tags(tags))
    if is_geopolitical_title(title) or slugs & _TAGS["geopolitical"]:
        return "geopolitical"
    if slugs & _TAGS["tech"]:
        return "tech"
    return DEFAULT_POOL


def regions_of(title: str) -> list[str]:
    return [region for region, pattern in _REGIONS.items() if pattern.search(title)]


def is_excluded(title: str) -> bool:
    """Sports and entertainment questions are outside WorldMonitor's remit."""
    return bool(_EXCLUDED.search(title))


def yes_percent(probability: float) -> float:
    """A 0-1 price as WorldMonitor's percentage with one decimal."""
    return round(probability * 100, 1)


def market(
    *,
    title: str,
    yes_price: float,
    volume: float,
    url: str,
    end_date: str | None,
    tags: list[str],
    source: str,
) -> Market:
    """Build a validated ``Market`` (raises ``ValidationError`` on an impossible value)."""
    return Market.model_validate(
        {
            "title": title.strip(),
            "yesPrice": yes_price,
            "volume": volume,
            "url": url,
            "endDate": end_date,
            "tags": normalise_tags(tags),
            "source": source,
            "regions": regions_of(title),
        }
    )


def is_candidate(item: Market) -> bool:
    """Keyword, meme and volume rules: the part of WorldMonitor's selection that needs no other market."""
    if is_excluded(item.title) or item.volume < MIN_VOLUME:
        return False
    return not (item.yesPrice < MEME_BELOW and _MEME.search(item.title))


def pools_of(markets: Iterable[Market]) -> dict[str, list[dict[str, Any]]]:
    """Candidates grouped into their pools, in the stored shape (no ranking yet)."""
    pools: dict[str, list[dict[str, Any]]] = {pool: [] for pool in POOLS}
    for item in markets:
        pools[classify(item.title, item.tags)].append(item.model_dump())
    return pools


def count_records(data: Any) -> int:
    return sum(len(data[pool]) for pool in POOLS)


def parsed_candidates(
    markets: list[Market], *, source_version: str, published_at_ms: int | None
) -> ParsedFeed:
    """The ``ParsedFeed`` of one source: its candidates in their pools."""
    data = pools_of(item for item in markets if is_candidate(item))
    return ParsedFeed(
        data=data,
        record_count=count_records(data),
        source_version=source_version,
        published_at_ms=published_at_ms,
        newest_item_at_ms=published_at_ms,
        oldest_item_at_ms=published_at_ms,
    )


def _score(item: Market) -> float:
    conviction = 2 * abs(item.yesPrice - 50) / 100
    weight = min(math.log10(max(item.volume, 1)) / math.log10(VOLUME_SCALE), 1.0)
    return conviction * 0.5 + weight * 0.5


def _select(items: list[Market]) -> list[Market]:
    low, high = STRICT_BAND
    chosen = [item for item in items if low <= item.yesPrice <= high]
    if len(chosen) < RELAX_BELOW:
        low, high = RELAXED_BAND
        chosen = [item for item in items if low <= item.yesPrice <= high]
    return sorted(chosen, key=_score, reverse=True)[:POOL_LIMIT]


def _validated(source: Any, position: int) -> list[Market]:
    try:
        pools = _POOLS.validate_python(source)
    except ValidationError as exc:
        raise FeedFormatError(
            MERGE_NAME,
            f"source {position} is not a prediction-markets value ({describe_validation_error(exc)})",
        ) from exc
    return [*pools.geopolitical, *pools.tech, *pools.finance]


def merge_prediction_markets(*sources: Any) -> dict[str, list[dict[str, Any]]]:
    """Merge per-source values (pools of candidates, or None for a source without data) into the key.

    A market listed by two sources (one URL) keeps its highest-volume record. Every market is re-classified
    (so a value written by an older classifier lands in today's pool), then each pool is filtered, ranked
    and capped as WorldMonitor does. Raises ``FeedFormatError`` for a value in another shape.
    """
    best: dict[str, Market] = {}
    for position, source in enumerate(sources):
        if source is None:
            continue
        for item in _validated(source, position):
            identity = item.url or f"title:{item.title.lower()}"
            if identity not in best or item.volume > best[identity].volume:
                best[identity] = item
    grouped: dict[str, list[Market]] = {pool: [] for pool in POOLS}
    for item in best.values():
        if is_candidate(item):
            grouped[classify(item.title, item.tags)].append(item)
    return {pool: [item.model_dump() for item in _select(grouped[pool])] for pool in POOLS}


def merge_parsed(parsed: Iterable[ParsedFeed]) -> ParsedFeed:
    """``merge_prediction_markets`` over parsed sources, with the merged counts and the oldest source time."""
    sources = list(parsed)
    data = merge_prediction_markets(*(item.data for item in sources))
    published = [item.published_at_ms for item in sources if item.published_at_ms is not None]
    moment = min(published) if published else None
    return ParsedFeed(
        data=data,
        record_count=count_records(data),
        source_version="+".join(item.source_version for item in sources),
        published_at_ms=moment,
        newest_item_at_ms=max(published) if published else None,
        oldest_item_at_ms=moment,
    )


def merge_composite(sources: Mapping[str, Any]) -> ParsedFeed:
    """The ``Composite`` merge: feed name -> stored value, merged in ``SOURCES`` order.

    ``published_at_ms`` is None: the composite's seed-meta takes ``fetchedAt`` from its oldest source."""
    present = [name for name in SOURCES if name in sources]
    data = merge_prediction_markets(*(sources[name] for name in present))
    return ParsedFeed(data, count_records(data), "+".join(present), None, None, None)


COMPOSITE = Composite(
    name=MERGE_NAME,
    domain="prediction",
    resource="markets",
    data_key=DATA_KEY,
    sources=SOURCES,
    merge=merge_composite,
    cache_ttl_s=CACHE_TTL_S,
)
