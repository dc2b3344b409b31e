"""Read a free-text question or focus: the countries, regions, domains, entities and keywords it names.

``analyze_situation`` ranks the cache against a ``Focus``; ``get_world_brief`` narrows by one
(``geo_context``). Countries come from pycountry's names (tools/countries.py) and from codes written in
capitals (``US``, ``UK``: lower-case ``in`` or ``can`` are words, not India and Canada); regions from the
Natural Earth region names (geometry.py: ``Middle East``, ``East Asia``, ``Europe``); domains from the
small vocabulary below; entities are capitalised names (``Pikabot``, ``Samos``); keywords are the
remaining words.

Facets combine with AND, words within a facet with OR: "earthquakes in Greece" keeps Greek earthquakes,
not every earthquake and everything Greek. A focus naming neither a place nor a domain keeps what
matches an entity or a keyword. Each kept item carries its ``match`` reasons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..countries import normalise, resolve_country
from .evidence import EvidenceItem
from .geometry import CountryGeometry

NEAR_KM = 150.0
""""In or near" a country: within 150 km of its boundary, about the reach of a strong earthquake's
damage or a wildfire's smoke, and far enough to catch events just offshore."""
MAX_NGRAM = 4
"""Longest country or region name read from running text (``Bosnia and Herzegovina``)."""

DOMAIN_WORDS: dict[str, tuple[str, ...]] = {
    "earthquake": (
        "earthquake",
        "earthquakes",
        "quake",
        "quakes",
        "seismic",
        "tremor",
        "aftershock",
        "tsunami",
    ),
    "natural-event": (
        "flood",
        "floods",
        "flooding",
        "storm",
        "storms",
        "cyclone",
        "typhoon",
        "hurricane",
        "volcano",
        "volcanic",
        "eruption",
        "drought",
        "landslide",
        "disaster",
        "disasters",
        "hazard",
        "hazards",
    ),
    "wildfire": ("fire", "fires", "wildfire", "wildfires", "blaze"),
    "weather-alert": ("weather", "wind", "snow", "blizzard", "heatwave", "tornado", "freeze"),
    "cyber-threat": ("cyber", "malware", "botnet", "c2", "phishing", "hacking", "hackers"),
    "vulnerability": (
        "vulnerability",
        "vulnerabilities",
        "cve",
        "exploit",
        "exploited",
        "ransomware",
        "patch",
    ),
    "conflict": (
        "conflict",
        "war",
        "attack",
        "attacks",
        "military",
        "fighting",
        "clashes",
        "airstrike",
        "armed",
    ),
    "unrest": ("protest", "protests", "riot", "riots", "unrest", "demonstrations"),
    "travel-advisory": ("travel", "advisory", "advisories"),
    "sanction": ("sanction", "sanctions", "sanctioned", "ofac", "embargo"),
    "prediction-market": ("prediction", "predictions", "odds", "betting", "polymarket", "kalshi"),
    "forecast": ("forecast", "forecasts", "outlook"),
    "headline": ("news", "headline", "headlines"),
    "outage": ("outage", "outages", "blackout", "internet"),
}
"""Words that name a domain of evidence. The vocabulary is the tools' own (adapters.SOURCES domains)."""
_WORD_DOMAINS = {word: domain for domain, words in DOMAIN_WORDS.items() for word in words}

_STOPWORDS_TEXT = (
    "a an and are as at be by for from has have how in into is it its of on or the this that to was were "
    "what when where which who why will with about after before between over under near latest recent "
    "current currently today now situation implications impact happening going there their them "
    "any all some more most less does did do can could should would may might than then also just"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_CAPITALISED = re.compile(r"\b[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*")
_CODE = re.compile(r"\b[A-Z]{2,3}\b")


@dataclass(frozen=True, slots=True)
class Focus:
    text: str
    countries: dict[str, str] = field(default_factory=dict)
    """alpha-2 -> the words that named it."""
    regions: dict[str, frozenset[str]] = field(default_factory=dict)
    """Natural Earth region name -> its countries."""
    domains: dict[str, str] = field(default_factory=dict)
    """domain -> the word that named it."""
    entities: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.countries or self.regions or self.domains or self.entities or self.keywords)

    def resolved(self) -> dict[str, object]:
        """What the focus was read as, for the answer (so the agent can see and correct it)."""
        return {
            "countries": sorted(self.countries),
            "regions": sorted(self.regions),
            "domains": sorted(self.domains),
            "entities": list(self.entities),
            "keywords": list(self.keywords),
        }


def read_focus(text: str, geometry: CountryGeometry) -> Focus:
    countries: dict[str, str] = {}
    for code in _CODE.findall(text):
        found = resolve_country(code)
        if found is not None:
            countries.setdefault(found, code)
    words = normalise(text).split()
    consumed: set[int] = set()
    regions: dict[str, frozenset[str]] = {}
    for size in range(MAX_NGRAM, 0, -1):
        for start in range(len(words) - size + 1):
            span = range(start, start + size)
            if consumed.intersection(span):
                continue
            phrase = " ".join(words[start : start + size])
            if len(phrase) < 4 or (size == 1 and phrase in STOPWORDS):
                continue
            code = resolve_country(phrase)  # 4+ characters: a name, never read as a code
            if code is not None:
                countries.setdefault(code, phrase)
                consumed.update(span)
                continue
            named = geometry.regions_named(phrase) if size > 1 or phrase not in _WORD_DOMAINS else {}
            if named:
                regions.update(named)
                consumed.update(span)
    domains: dict[str, str] = {}
    keywords: list[str] = []
    for position, word in enumerate(words):
        if position in consumed:
            continue
        domain = _WORD_DOMAINS.get(word)
        if domain is not None:
            domains.setdefault(domain, word)
        elif word not in STOPWORDS and len(word) >= 3 and word not in keywords:
            keywords.append(word)
    place_words = {w for i, w in enumerate(words) if i in consumed}
    entities: list[str] = []
    for match in _CAPITALISED.findall(text):
        phrase = normalise(match)
        tokens = [t for t in phrase.split() if t not in STOPWORDS and t not in place_words]
        if (
            tokens
            and " ".join(tokens) not in entities
            and not (len(tokens) == 1 and tokens[0] in _WORD_DOMAINS)
        ):
            entities.append(" ".join(tokens))
    keywords = [k for k in keywords if not any(k in e.split() for e in entities)]
    return Focus(text, countries, regions, domains, tuple(entities), tuple(keywords))


@dataclass(frozen=True, slots=True)
class Match:
    reasons: tuple[str, ...]
    relevance: float
    near_km: float | None = None


def match(item: EvidenceItem, focus: Focus, geometry: CountryGeometry) -> Match | None:
    """Why ``item`` answers ``focus`` (and how well), or None when it does not."""
    reasons: list[str] = []
    relevance = 0.0
    nearest: float | None = None
    if focus.countries or focus.regions:
        place = False
        for code, named in focus.countries.items():
            if code in item.countries:
                reasons.append(f"in {code} (named as {named!r})")
                place = True
            elif item.lat is not None and item.lon is not None:
                where = geometry.placement(code, item.lat, item.lon, NEAR_KM)
                if where is not None:
                    reasons.append(f"{where.distance_km:g} km from {code} (named as {named!r})")
                    nearest = where.distance_km if nearest is None else min(nearest, where.distance_km)
                    place = True
        for region, codes in focus.regions.items():
            hit = sorted(codes.intersection(item.countries))
            if hit:
                reasons.append(f"in region {region!r} ({', '.join(hit)})")
                place = True
        if not place:
            return None
        relevance += 0.8
    if focus.domains:
        word = focus.domains.get(item.domain)
        if word is None:
            return None
        reasons.append(f"domain {item.domain} (word {word!r})")
        relevance += 0.4
    words = 0
    for entity in focus.entities:
        if f" {entity} " in item.text:
            reasons.append(f"names {entity!r}")
            relevance += 1.0
            words += 1
    for keyword in focus.keywords:
        if f" {keyword} " in item.text:
            reasons.append(f"mentions {keyword!r}")
            relevance += 0.3
            words += 1
    if not (focus.countries or focus.regions or focus.domains) and words == 0:
        return None
    return Match(tuple(reasons), round(min(relevance, 3.0), 3), nearest)
