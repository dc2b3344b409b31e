"""generate_forecasts: the cached forecasts and prediction markets, each with the signals behind it.

Nothing is predicted here: the forecasts (``forecast:predictions:v2``) and the markets' prices
(``prediction:markets-bootstrap:v1``) are what the cache holds, and their probabilities are the
forecasters' and the traders'. What this adds is the evidence: for each forecast or market, the cached
items that share its countries or its domain words (its "signals"), so an agent can weigh the number
against what is happening. A forecast that carries its own ``signals`` keeps them under ``facts``.
"""

from __future__ import annotations

from typing import Any

from .evidence import EvidenceItem, ranked
from .geometry import CountryGeometry
from .index import EvidenceIndex
from .packs import RECENCY_HORIZON_MS, anchors, dedupe_ranked, freshness_of, wire_items
from .query import Focus, match, read_focus

SIGNALS_PER_FORECAST = 3
FORECAST_DOMAINS = frozenset({"forecast", "prediction-market"})
MARKET_POOLS: dict[str, str] = {
    "geopolitical": "geopolitical",
    "geopolitics": "geopolitical",
    "military": "geopolitical",
    "conflict": "geopolitical",
    "security": "geopolitical",
    "economic": "finance",
    "economy": "finance",
    "finance": "finance",
    "markets": "finance",
    "macro": "finance",
    "tech": "tech",
    "technology": "tech",
    "cyber": "tech",
    "ai": "tech",
}
"""The ``domain`` argument (WorldMonitor's forecast domains) -> the market pool that covers it."""


class ForecastArgumentError(ValueError):
    """``domain`` or ``region`` cannot be used; the message says what can."""


def _in_domain(item: EvidenceItem, domain: str) -> bool:
    if item.domain == "prediction-market":
        pool = MARKET_POOLS.get(domain)
        return item.facts.get("pool") == pool if pool else f" {domain} " in item.text
    own = item.facts.get("domain")
    return isinstance(own, str) and own.lower() == domain


def _in_region(item: EvidenceItem, region: str, focus: Focus, geometry: CountryGeometry) -> bool:
    """The item's own region labels contain the region asked for (markets' ``regions``, forecasts'
    ``region``), or the countries its title names lie in the countries or regions asked for."""
    named = item.facts.get("regions") or item.facts.get("region")
    labels = [r.lower() for r in (named if isinstance(named, list) else [named]) if isinstance(r, str)]
    wanted = region.lower()
    if any(wanted in label or label in wanted for label in labels):
        return True
    codes = set(focus.countries).union(*focus.regions.values())
    return bool(
        codes.intersection(item.countries) or codes.intersection(read_focus(item.title, geometry).countries)
    )


def forecasts(
    index: EvidenceIndex, *, domain: str | None, region: str | None, limit: int, now_ms: int
) -> dict[str, Any]:
    geometry = index.geometry
    focus = read_focus(region, geometry) if region else None
    if region and focus is not None and not (focus.countries or focus.regions):
        raise ForecastArgumentError(
            f'"region" {region!r} names no country or region we know; pass a country name or code, or a '
            'region such as "Middle East", "Europe", "East Asia & Pacific", "Sub-Saharan Africa"'
        )
    chosen: list[EvidenceItem] = []
    for item in index.items:
        if item.domain not in FORECAST_DOMAINS:
            continue
        if domain and not _in_domain(item, domain):
            continue
        if focus is not None and region is not None and not _in_region(item, region, focus, geometry):
            continue
        chosen.append(item)
    anchor = anchors(index, now_ms)
    scored, folded = dedupe_ranked(ranked(chosen, anchor, RECENCY_HORIZON_MS))
    taken = scored[:limit]
    evidence = [i for i in index.items if i.domain not in FORECAST_DOMAINS]
    signals: dict[str, dict[str, Any]] = {}
    signal_items: dict[str, EvidenceItem] = {}
    for _, forecast in taken:
        lens = read_focus(forecast.title, geometry)
        if lens.empty:
            signals[forecast.id] = {"signals": []}
            continue
        related = [(i, m) for i in evidence if (m := match(i, lens, geometry)) is not None]
        best = ranked(
            (i for i, _ in related), anchor, RECENCY_HORIZON_MS, boost={i.id: m.relevance for i, m in related}
        )[:SIGNALS_PER_FORECAST]
        signals[forecast.id] = {"signals": [i.id for _, i in best]}
        for _, i in best:
            signal_items[i.id] = i
    signal_scored = ranked(signal_items.values(), anchor, RECENCY_HORIZON_MS)
    used = [p[1] for p in taken] + list(signal_items.values())
    pools = sorted({str(i.facts.get("pool")) for i in index.items if i.domain == "prediction-market"})
    return {
        **freshness_of(index, used, now_ms),
        "domain": domain,
        "region": None if focus is None else {"text": region, "resolved": focus.resolved()},
        "matched": len(scored),
        "returned": len(taken),
        "forecasts": wire_items(taken, folded=folded, extra=signals),
        "signals": wire_items(signal_scored),
        "known": {"market_pools": pools, "domains": sorted(MARKET_POOLS)},
    }
