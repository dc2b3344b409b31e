"""The country brief: everything the cache knows about one country, in sections.

An item belongs to the country when the data names it (a code such as natural events' ``country``), when
its coordinates fall inside the country's Natural Earth boundary (``in``) or within ``NEAR_KM`` of it
(``near``, with the distance), or, for text-only records (headlines, markets, forecasts), when its text
names the country (``mentions``). The currency comes from CLDR territory data (babel) as of the FX
data's own date, and its ECB reference rate is an item like any other, so a narrative can cite it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import pycountry
from babel.numbers import get_territory_currencies

from ..countries import normalise
from .adapters import FX_KEY
from .evidence import EvidenceItem, ranked, searchable
from .geometry import CountryGeometry
from .index import EvidenceIndex
from .packs import RECENCY_HORIZON_MS, anchors, dedupe_ranked, freshness_of, wire_items
from .query import NEAR_KM

SECTIONS: dict[str, tuple[str, ...]] = {
    "hazards": ("earthquake", "natural-event", "wildfire", "weather-alert"),
    "security": ("conflict", "unrest", "cyber-threat", "outage"),
    "travel_advisories": ("travel-advisory",),
    "sanctions": ("sanction",),
    "prediction_markets": ("prediction-market", "forecast"),
    "headlines": ("headline",),
    "fx": ("fx",),
}
_SECTION_OF = {domain: section for section, domains in SECTIONS.items() for domain in domains}
TEXT_ONLY_DOMAINS = frozenset({"headline", "prediction-market", "forecast", "sanction", "travel-advisory"})


class CountryCodeError(ValueError):
    """The ``country_code`` argument names no country; the message says what to pass."""


def validate_country_code(raw: Any, geometry: CountryGeometry) -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased; ``CountryCodeError`` naming the problem otherwise."""
    if not isinstance(raw, str) or not raw.strip():
        raise CountryCodeError(
            'get_country_brief needs "country_code", an ISO 3166-1 alpha-2 code such as "JP", "GR" or "US"'
        )
    code = raw.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        hint = ""
        found = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
        if found is not None:
            hint = f' ("{code}" is alpha-3; its alpha-2 code is "{found.alpha_2}")'
        raise CountryCodeError(
            f'"country_code" must be an ISO 3166-1 alpha-2 code (two letters, such as "JP"); '
            f"got {raw.strip()[:40]!r}{hint}"
        )
    if pycountry.countries.get(alpha_2=code) is None and not geometry.knows(code):
        raise CountryCodeError(
            f'"country_code" {code!r} is not an ISO 3166-1 alpha-2 country code; '
            'use a code such as "JP", "GR", "US" (the ISO 3166 list: https://www.iso.org/obp/ui/#search)'
        )
    return code


@lru_cache(maxsize=512)
def country_names(code: str, geometry_name: str | None) -> tuple[str, ...]:
    """Normalised names an item's text may use for the country: ISO's and Natural Earth's."""
    names: set[str] = set()
    found = pycountry.countries.get(alpha_2=code)
    for attribute in ("name", "common_name", "official_name"):
        value = getattr(found, attribute, None) if found is not None else None
        if isinstance(value, str):
            names.add(normalise(value))
    if geometry_name:
        names.add(normalise(geometry_name))
    return tuple(sorted(n for n in names if len(n) >= 4))


def _fx_item(index: EvidenceIndex, code: str) -> tuple[EvidenceItem | None, dict[str, Any]]:
    """The ECB reference rate of the country's currency, and what is known of the currency."""
    fx = index.fx if isinstance(index.fx, dict) else {}
    rates = fx.get("rates") if isinstance(fx.get("rates"), dict) else {}
    base = str(fx.get("base") or "EUR")
    when = index.freshness.get(FX_KEY)
    as_of = (
        datetime.fromtimestamp(when.fetched_at_ms / 1000, tz=UTC).date()
        if when is not None and when.fetched_at_ms is not None
        else date.today()
    )
    currencies = get_territory_currencies(code, as_of)
    info: dict[str, Any] = {"currencies": currencies, "as_of": as_of.isoformat()}
    for currency in currencies:
        if currency == base:
            info["note"] = f"{currency} is the base currency of the ECB reference rates"
            return None, info
        rate = rates.get(f"{base}{currency}") if isinstance(rates, dict) else None
        if isinstance(rate, dict) and isinstance(rate.get("rate"), int | float):
            facts = {k: rate[k] for k in ("rate", "date", "change1d") if rate.get(k) is not None}
            title = f"{base}/{currency} {rate['rate']} (ECB euro reference rate of {rate.get('date', '?')})"
            time_ms = None
            if isinstance(rate.get("date"), str):
                try:
                    time_ms = int(datetime.fromisoformat(rate["date"]).replace(tzinfo=UTC).timestamp() * 1000)
                except ValueError:
                    time_ms = None
            item = EvidenceItem(
                id=f"fx:{base}{currency}",
                domain="fx",
                source="ECB",
                key=FX_KEY,
                title=title,
                time_ms=time_ms,
                severity=0.3,
                countries=(code,),
                facts=facts,
                text=searchable(title, facts),
            )
            return item, info
    info["note"] = "no ECB reference rate for this currency in the cache"
    return None, info


def country_brief(index: EvidenceIndex, code: str, *, limit: int, now_ms: int) -> dict[str, Any]:
    geometry = index.geometry
    names = country_names(code, geometry.name(code))
    placed: dict[str, dict[str, Any]] = {}
    members: list[EvidenceItem] = []
    for item in index.items:
        if code in item.countries:
            how: dict[str, Any] = {"relation": "in"}
        elif item.lat is not None and item.lon is not None:
            where = geometry.placement(code, item.lat, item.lon, NEAR_KM)
            if where is None:
                continue
            how = {"relation": where.relation, "distance_km": where.distance_km}
        elif item.domain in TEXT_ONLY_DOMAINS and any(f" {name} " in item.text for name in names):
            how = {"relation": "mentions"}
        else:
            continue
        placed[item.id] = how
        members.append(item)
    fx_item, currency = _fx_item(index, code)
    if fx_item is not None:
        members.append(fx_item)
        placed[fx_item.id] = {"relation": "currency"}
    scored, folded = dedupe_ranked(ranked(members, anchors(index, now_ms), RECENCY_HORIZON_MS))
    sections: dict[str, dict[str, Any]] = {}
    used: list[EvidenceItem] = []
    for name in SECTIONS:
        chosen = [pair for pair in scored if _SECTION_OF.get(pair[1].domain) == name]
        shown = chosen[:limit]
        used.extend(p[1] for p in shown)
        sections[name] = {
            "matched": len(chosen),
            "returned": len(shown),
            "items": wire_items(shown, folded=folded, extra=placed),
        }
    programmes: dict[str, int] = {}
    for _, item in (p for p in scored if p[1].domain == "sanction"):
        for programme in item.facts.get("programmes") or ():
            programmes[str(programme)] = programmes.get(str(programme), 0) + 1
    levels = [
        p[1].facts["level"] for p in scored if p[1].domain == "travel-advisory" and "level" in p[1].facts
    ]
    return {
        **freshness_of(index, used, now_ms),
        "country": {
            "code": code,
            "name": geometry.name(code) or (names[0] if names else code),
            "currency": currency,
            "travel_advisory_level": max(levels) if levels else None,
            "sanctions_programmes": dict(sorted(programmes.items(), key=lambda kv: (-kv[1], kv[0]))),
            "near_km": NEAR_KM,
        },
        "matched": len(scored),
        "sections": sections,
    }
