"""The cache keys the analysis reads, in one table, and how each one's records become evidence items.

One ``Source`` per key: its label, domain, publisher and a mapper from one record (a dict in one of the
key's lists, found by shape as the cache tools find them) to an ``EvidenceItem``, or None to skip it.
Field names are those the seeders write (seeders/*.py) and, for keys we do not seed yet, those
WorldMonitor's seeders write (news ``topStories``, advisories, UCDP events, forecasts, ...), read through
the same candidate lists the cache tools' filters use, so a key filled by an existing WorldMonitor Redis
works too. Adding a key to the analysis is one entry here.

Severity (0 to 1) is per domain and documented at each rule; it is the half of the ranking that does not
depend on time (evidence.py).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from ..cache_table import CODE_FIELDS, TIME_FIELDS
from ..countries import country_in_place, resolve_country
from ..filters import epoch_ms
from .evidence import EvidenceItem, searchable

Record = Mapping[str, Any]
Mapper = Callable[["Source", Record, str], "EvidenceItem | None"]

URL_FIELDS = ("url", "sourceUrl", "link", "href")
EXTRA_TIME_FIELDS = ("sent", "onset", "seendate", "updatedAt", "generatedAt", "scrapedAt")
MAX_TITLE_CHARS = 300
MAX_POINTS = 500
"""Enough to place a polygon's centroid; an alert's outline can have thousands of vertices."""
MAX_FACT_CHARS = 400
"""Facts are for the reader and the LLM, not the archive: long descriptions are cut."""


def first(record: Record, fields: tuple[str, ...]) -> Any:
    for name in fields:
        value = record.get(name)
        if value is not None and value != "":
            return value
    return None


def time_of(record: Record, fields: tuple[str, ...] = TIME_FIELDS + EXTRA_TIME_FIELDS) -> int | None:
    for name in fields:
        value = record.get(name)
        if value is None or value == "":
            continue
        parsed = epoch_ms(value)
        if parsed is None and isinstance(value, str):
            try:
                parsed = int(parsedate_to_datetime(value).timestamp() * 1000)  # RSS pubDate
            except (TypeError, ValueError, IndexError):
                parsed = None
        if parsed is not None:
            return parsed
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def location_of(record: Record) -> tuple[float | None, float | None]:
    """Coordinates as items carry them: ``location.{latitude,longitude}``, ``lat``/``lon``, or
    ``coordinates`` (GeoJSON order, a point or the first ring's centroid of a polygon)."""
    loc = record.get("location")
    if isinstance(loc, Mapping):
        lat, lon = _number(loc.get("latitude", loc.get("lat"))), _number(loc.get("longitude", loc.get("lon")))
        if lat is not None and lon is not None:
            return lat, lon
    lat = _number(first(record, ("lat", "latitude")))
    lon = _number(first(record, ("lon", "lng", "longitude")))
    if lat is not None and lon is not None:
        return lat, lon
    coords = record.get("coordinates")
    points = _points(coords)
    if points:
        return (
            round(sum(p[1] for p in points) / len(points), 4),
            round(sum(p[0] for p in points) / len(points), 4),
        )
    return None, None


def _points(coords: Any, depth: int = 0) -> list[tuple[float, float]]:
    """Every ``[lon, lat]`` pair in a GeoJSON coordinates value, at most ``MAX_POINTS``."""
    if not isinstance(coords, list) or depth > 4:
        return []
    if len(coords) >= 2 and _number(coords[0]) is not None and _number(coords[1]) is not None:
        return [(float(coords[0]), float(coords[1]))]
    found: list[tuple[float, float]] = []
    for part in coords:
        found.extend(_points(part, depth + 1))
        if len(found) >= MAX_POINTS:
            break
    return found[:MAX_POINTS]


def countries_of(record: Record) -> tuple[str, ...]:
    """ISO alpha-2 codes the record names (``country``, ``countryCode``, ``cc``, ... as a code or a name)."""
    found: list[str] = []
    for name in (*CODE_FIELDS, "countries", "countryName"):
        value = record.get(name)
        values = value if isinstance(value, list) else [value]
        for one in values:
            if isinstance(one, str) and one.strip():
                code = resolve_country(one)
                if code is not None and code not in found:
                    found.append(code)
    return tuple(found)


def stable_id(*parts: Any) -> str:
    """An id for a record that has none: a short hash of what identifies it (same record, same id)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return digest[:12]


def _clip(value: Any, limit: int = MAX_FACT_CHARS) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value


def facts(record: Record, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _clip(record[name]) for name in names if record.get(name) not in (None, "", [])}


@dataclass(frozen=True, slots=True)
class Source:
    label: str
    """Short name, also the prefix of each item's id (``quake:us7000c93g``)."""
    key: str
    domain: str
    publisher: str
    mapper: Mapper
    fact_fields: tuple[str, ...] = ()
    timed: bool = True
    """False for records that are states, not happenings (sanctions listings, markets): the world
    brief's time window does not apply to them."""

    def item(
        self,
        record: Record,
        *,
        native_id: Any,
        title: str,
        severity: float,
        time_ms: int | None = None,
        publisher: str | None = None,
        extra: dict[str, Any] | None = None,
        default_countries: tuple[str, ...] = (),
    ) -> EvidenceItem:
        lat, lon = location_of(record)
        found_facts = facts(record, self.fact_fields)
        if extra:
            found_facts.update(extra)
        ident = str(native_id) if native_id not in (None, "") else stable_id(title, time_ms)
        clean_title = _clip(" ".join(title.split()), MAX_TITLE_CHARS) or ident
        return EvidenceItem(
            id=f"{self.label}:{ident}",
            domain=self.domain,
            source=publisher or self.publisher,
            key=self.key,
            title=clean_title,
            time_ms=time_ms if time_ms is not None else (time_of(record) if self.timed else None),
            severity=max(0.0, min(1.0, severity)),
            countries=countries_of(record) or (default_countries if lat is None else ()),
            lat=lat,
            lon=lon,
            url=first(record, URL_FIELDS) if isinstance(first(record, URL_FIELDS), str) else None,
            facts=found_facts,
            text=searchable(clean_title, found_facts),
        )


# -- severity rules ----------------------------------------------------------------------------------


def quake_severity(magnitude: float | None) -> float:
    """M4 -> 0, M8 and above -> 1: damage grows about tenfold per unit, and M4.5 is the feed's floor."""
    return 0.3 if magnitude is None else (magnitude - 4.0) / 4.0


ALERT_LEVELS = {"red": 1.0, "orange": 0.7, "green": 0.3}
"""GDACS alert levels: expected humanitarian impact high / medium / low."""
NWS_SEVERITY = {"extreme": 1.0, "severe": 0.75, "moderate": 0.5, "minor": 0.25}
"""CAP severity, as NWS writes it; ``Unknown`` counts as minor."""
THREAT_SEVERITY = {"critical": 1.0, "high": 0.75, "medium": 0.5, "low": 0.25}
ADVISORY_LEVELS = {1: 0.25, 2: 0.5, 3: 0.8, 4: 1.0}
"""US travel advisory levels: exercise normal precautions ... do not travel."""


def _suffix(value: Any) -> str:
    """``CRITICALITY_LEVEL_HIGH`` -> ``high``; ``Severe`` -> ``severe``."""
    return str(value).rsplit("_", 1)[-1].lower() if value not in (None, "") else ""


def _deaths_severity(deaths: float | None) -> float:
    """0 deaths -> 0.3, 10 -> 0.65, 100 -> 1: reported fatalities on a log scale."""
    return 0.3 if not deaths or deaths <= 0 else 0.3 + 0.35 * math.log10(1 + deaths)


# -- mappers, one per record shape -------------------------------------------------------------------


def _earthquake(src: Source, r: Record, _: str) -> EvidenceItem | None:
    magnitude = _number(r.get("magnitude"))
    place = str(r.get("place") or "unknown place")
    title = f"M{magnitude:g} earthquake, {place}" if magnitude is not None else f"Earthquake, {place}"
    return src.item(r, native_id=r.get("id"), title=title, severity=quake_severity(magnitude))


def _natural_event(src: Source, r: Record, _: str) -> EvidenceItem | None:
    level = ALERT_LEVELS.get(str(r.get("alertLevel") or "").lower())
    magnitude = _number(r.get("magnitude"))
    if r.get("category") == "earthquakes" and magnitude is not None:
        severity = max(quake_severity(magnitude), level or 0.0)
    else:
        severity = level if level is not None else 0.4
    if r.get("closed") is True:
        severity *= 0.5
    return src.item(
        r,
        native_id=r.get("id"),
        title=str(first(r, ("title", "description")) or "Natural event"),
        severity=severity,
        publisher=str(r.get("sourceName") or src.publisher),
    )


def _fire(src: Source, r: Record, _: str) -> EvidenceItem | None:
    frp = _number(r.get("frp")) or 0.0
    lat, lon = location_of(r)
    where = f" at {lat:.2f}, {lon:.2f}" if lat is not None and lon is not None else ""
    return src.item(
        r,
        native_id=r.get("id"),
        title=f"Active fire detection{where} (FRP {frp:g} MW)",
        severity=min(0.5, 0.1 + frp / 250),  # one pixel is rarely news; a 100 MW fire is a big one
    )


def _weather_alert(src: Source, r: Record, _: str) -> EvidenceItem | None:
    if str(r.get("status") or "Actual") != "Actual":
        return None  # NWS "Test" and "Exercise" messages are not weather
    event = str(r.get("event") or "Weather alert")
    area = str(r.get("areaDesc") or "")
    # An alert without an outline is placed by its area's last place ("..., NH" -> US, "Guam" -> GU);
    # NWS is the US weather service, so an area it names no country for is in the US.
    place = country_in_place(area.rsplit(";", 1)[-1]) if area else None
    return src.item(
        r,
        native_id=str(r.get("id") or "").rsplit("/", 1)[-1] or None,
        title=f"{event}: {area}" if area else event,
        severity=NWS_SEVERITY.get(_suffix(r.get("severity")), 0.25),
        time_ms=time_of(r, ("sent", "onset", "effective")),
        default_countries=(place or "US",),
    )


def _cyber_threat(src: Source, r: Record, _: str) -> EvidenceItem | None:
    kind = _suffix(str(r.get("type") or "threat").replace("_SERVER", "-server")).replace("-server", " server")
    family = r.get("malwareFamily")
    indicator = r.get("indicator") or "unknown indicator"
    title = f"{family + ' ' if family else ''}{kind} {indicator}".strip()
    native = str(r.get("id") or indicator).removeprefix("feodo:")
    publisher = _suffix(r.get("source")) or src.publisher
    return src.item(
        r,
        native_id=native,
        title=title,
        severity=THREAT_SEVERITY.get(_suffix(r.get("severity")), 0.5),
        time_ms=time_of(r, ("lastSeenAt", "firstSeenAt", "detectedAt")),
        publisher=publisher if publisher != src.publisher else src.publisher,
    )


def _vulnerability(src: Source, r: Record, _: str) -> EvidenceItem | None:
    cve = r.get("cveID")
    name = r.get("vulnerabilityName") or f"{r.get('vendorProject', '')} {r.get('product', '')}".strip()
    ransomware = str(r.get("knownRansomwareCampaignUse") or "").lower() == "known"
    return src.item(r, native_id=cve, title=f"{cve}: {name}", severity=0.9 if ransomware else 0.7)


ADVISORY_WORDS = {"normal": 1, "caution": 2, "increased": 2, "reconsider": 3, "do-not-travel": 4, "not": 4}
"""WorldMonitor writes the level as a word (``reconsider``); the State Dept title says "Level 3"."""
_LEVEL = re.compile(r"level\s*([1-4])", re.IGNORECASE)


def _advisory_level(r: Record) -> int | None:
    level = r.get("level")
    if isinstance(level, int) and not isinstance(level, bool):
        return level
    for text in (str(level or ""), str(r.get("title") or "")):
        found = _LEVEL.search(text) or (re.search(r"^\s*([1-4])\s*$", text))
        if found:
            return int(found.group(1))
    words = str(level or "").lower().replace("_", "-").split()
    return next((ADVISORY_WORDS[w] for w in words if w in ADVISORY_WORDS), None)


def _advisory(src: Source, r: Record, _: str) -> EvidenceItem | None:
    number = _advisory_level(r)
    title = str(first(r, ("title", "summary")) or f"Travel advisory for {r.get('country')}")
    reference = first(r, ("id", "link", "url"))
    return src.item(
        r,
        native_id=stable_id(reference) if reference is not None else None,
        title=title,
        severity=ADVISORY_LEVELS.get(number or 0, 0.4),
        publisher=str(r.get("source") or src.publisher),
        extra={"level": number} if number is not None else None,
    )


def _headline(src: Source, r: Record, list_name: str) -> EvidenceItem | None:
    title = first(r, ("primaryTitle", "title", "headline"))
    if not isinstance(title, str):
        return None
    importance = _number(first(r, ("effectiveImportanceScore", "importanceScore", "score")))
    if src.label == "social":
        severity = 0.3 if importance is None else min(0.6, 0.2 + math.log10(1 + importance) / 10)
    elif importance is not None and importance > 1:
        severity = min(1.0, importance / 100)
    else:
        severity = 0.75 if r.get("isAlert") is True else 0.4
    url = first(r, URL_FIELDS)
    return src.item(
        r,
        native_id=first(r, ("id",)) or stable_id(url or title),
        title=title,
        severity=severity,
        publisher=str(first(r, ("primarySource", "source", "domain", "subreddit")) or src.publisher),
    )


def _conflict(src: Source, r: Record, _: str) -> EvidenceItem | None:
    deaths = _number(first(r, ("deathsBest", "fatalities", "deaths")))
    sides = " vs ".join(str(s) for s in (r.get("sideA"), r.get("sideB")) if s)
    where = r.get("country") or r.get("location_name") or ""
    title = str(
        first(r, ("title", "description", "eventType"))
        or (f"{sides} ({where})" if sides else f"{src.domain.capitalize()} event in {where}")
    )
    return src.item(r, native_id=r.get("id"), title=title, severity=_deaths_severity(deaths))


def _outage(src: Source, r: Record, _: str) -> EvidenceItem | None:
    title = str(first(r, ("title", "description")) or f"Internet outage in {r.get('country')}")
    return src.item(
        r,
        native_id=r.get("id"),
        title=title,
        severity=THREAT_SEVERITY.get(_suffix(r.get("severity")), 0.5),
        time_ms=time_of(r, ("startTime", "detectedAt", "date")),
    )


def _sanctioned(src: Source, r: Record, _: str) -> EvidenceItem | None:
    name = first(r, ("name", "n"))
    if not isinstance(name, str):
        return None
    programmes = first(r, ("programs", "pr", "program"))
    return src.item(
        r,
        native_id=first(r, ("id", "uid")),
        title=f"Sanctioned: {name}",
        severity=0.5,
        extra={"programmes": programmes if isinstance(programmes, list) else [programmes]}
        if programmes
        else None,
    )


def _market(src: Source, r: Record, pool: str) -> EvidenceItem | None:
    title = first(r, ("title", "question"))
    if not isinstance(title, str):
        return None
    yes = _number(r.get("yesPrice"))
    volume = _number(r.get("volume")) or 0.0
    extra: dict[str, Any] = {"pool": pool}
    if yes is not None:
        extra["yes_probability"] = round(yes / 100 if yes > 1 else yes, 4)
    return src.item(
        r,
        native_id=first(r, ("id", "slug")) or stable_id(first(r, URL_FIELDS) or title),
        title=title,
        severity=min(1.0, math.log10(1 + volume) / 8),  # interest, not danger: $100M traded -> 1
        publisher=str(r.get("source") or src.publisher).capitalize(),
        time_ms=time_of(r, ("endDate", "closeTime")),
        extra=extra,
    )


def _forecast(src: Source, r: Record, _: str) -> EvidenceItem | None:
    title = first(r, ("title", "question", "summary"))
    if not isinstance(title, str):
        return None
    probability = _number(r.get("probability"))
    return src.item(
        r,
        native_id=r.get("id"),
        title=title,
        severity=0.5 if probability is None else probability if probability <= 1 else probability / 100,
    )


# -- the table ---------------------------------------------------------------------------------------

SOURCES: tuple[Source, ...] = (
    Source("quake", "seismology:earthquakes:v1", "earthquake", "USGS", _earthquake, ("magnitude", "depthKm")),
    Source(
        "event",
        "natural:events:v1",
        "natural-event",
        "GDACS/EONET/ReliefWeb",
        _natural_event,
        ("category", "alertLevel", "magnitude", "magnitudeUnit", "closed"),
    ),
    Source("fire", "wildfire:fires:v1", "wildfire", "NASA FIRMS", _fire, ("frp", "brightness", "confidence")),
    Source(
        "alert",
        "weather:alerts:v1",
        "weather-alert",
        "NWS",
        _weather_alert,
        ("event", "severity", "areaDesc", "expires"),
    ),
    Source(
        "conflict",
        "conflict:ucdp-events:v1",
        "conflict",
        "UCDP",
        _conflict,
        ("sideA", "sideB", "deathsBest", "violenceType", "country"),
    ),
    Source("iran", "conflict:iran-events:v1", "conflict", "WorldMonitor", _conflict, ("country", "category")),
    Source(
        "unrest",
        "unrest:events:v1",
        "unrest",
        "WorldMonitor",
        _conflict,
        ("eventType", "fatalities", "country"),
    ),
    Source(
        "outage", "infra:outages:v1", "outage", "Cloudflare Radar", _outage, ("severity", "asn", "country")
    ),
    Source(
        "threat",
        "cyber:threats-bootstrap:v2",
        "cyber-threat",
        "abuse.ch",
        _cyber_threat,
        ("malwareFamily", "indicator", "port", "severity"),
    ),
    Source(
        "kev",
        "cyber:kev:v1",
        "vulnerability",
        "CISA KEV",
        _vulnerability,
        ("vendorProject", "product", "knownRansomwareCampaignUse", "dueDate", "shortDescription"),
    ),
    Source(
        "advisory",
        "intelligence:advisories-bootstrap:v1",
        "travel-advisory",
        "US State Dept",
        _advisory,
        ("country", "summary"),
    ),
    Source(
        "news",
        "news:insights:v1",
        "headline",
        "news",
        _headline,
        ("category", "isAlert", "summary", "countryCode"),
    ),
    Source("gdelt", "intelligence:gdelt-intel:v1", "headline", "GDELT", _headline, ("domain", "language")),
    Source(
        "social", "intelligence:social:reddit:v1", "headline", "Reddit", _headline, ("subreddit", "score")
    ),
    Source(
        "sanction",
        "sanctions:entities:v1",
        "sanction",
        "OFAC SDN",
        _sanctioned,
        ("entityType", "et"),
        timed=False,
    ),
    Source(
        "market",
        "prediction:markets-bootstrap:v1",
        "prediction-market",
        "Polymarket/Kalshi",
        _market,
        ("volume", "endDate", "regions", "tags"),
        timed=False,
    ),
    Source(
        "forecast",
        "forecast:predictions:v2",
        "forecast",
        "WorldMonitor forecasts",
        _forecast,
        ("domain", "region", "probability", "timeHorizon", "signals", "summary"),
        timed=False,
    ),
)
"""In the order dedupe prefers them: USGS before GDACS for an earthquake reported by both."""

FX_KEY = "economic:ecb-fx-rates:v1"
"""Read by the country brief only: a map of rates, not a list of records (see packs.country)."""
