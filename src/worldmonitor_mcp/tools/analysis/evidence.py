"""Evidence items: one cached record (an earthquake, an alert, a headline, ...) in one common shape.

Every item carries where it came from (``source``, the cache key it was read from), when it happened
(``time``), an ``id`` unique within a pack (the LLM cites these), and a ``severity`` from 0 to 1 set by
its domain's rule (adapters.py). Ranking is a pure function of severity and recency, so the same cache
and the same arguments always give the same pack, in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..countries import normalise
from ..freshness import iso_utc

SEVERITY_WEIGHT = 0.6
RECENCY_WEIGHT = 0.4
"""Severity leads: a magnitude-7 earthquake two days old outranks a minor alert of this morning."""


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    id: str
    domain: str
    source: str
    key: str
    title: str
    time_ms: int | None
    severity: float
    countries: tuple[str, ...] = ()
    """ISO alpha-2 codes the data itself names, or the geometry placed its coordinates in."""
    lat: float | None = None
    lon: float | None = None
    url: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    """Normalised title and facts, for keyword matching."""

    @property
    def stream(self) -> str:
        """``<cache key> <publisher>``: one publisher's records in one key, which share one anchor (a
        merged key such as ``natural:events:v1`` holds several publishers, each with its own age)."""
        return f"{self.key} {self.source}"

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "id": self.id,
            "domain": self.domain,
            "source": self.source,
            "title": self.title,
            "time": None if self.time_ms is None else iso_utc(self.time_ms),
            "severity": round(self.severity, 2),
            "countries": list(self.countries),
        }
        if self.lat is not None and self.lon is not None:
            wire["location"] = {"lat": self.lat, "lon": self.lon}
        if self.url:
            wire["url"] = self.url
        if self.facts:
            wire["facts"] = self.facts
        return wire


def searchable(title: str, facts: dict[str, Any]) -> str:
    """The text keyword matching reads: the title and every string or list of strings among the facts."""
    parts = [title]
    for value in facts.values():
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            parts.extend(v for v in value if isinstance(v, str))
    return " " + normalise(" ".join(parts)) + " "


def recency(time_ms: int | None, anchor_ms: int, horizon_ms: int) -> float:
    """1 at ``anchor_ms``, falling linearly to 0 at ``horizon_ms`` before it; 0 when undated."""
    if time_ms is None or horizon_ms <= 0:
        return 0.0
    age = anchor_ms - time_ms
    if age <= 0:
        return 1.0
    return max(0.0, 1.0 - age / horizon_ms)


def score(item: EvidenceItem, anchor_ms: int, horizon_ms: int) -> float:
    return round(
        SEVERITY_WEIGHT * item.severity + RECENCY_WEIGHT * recency(item.time_ms, anchor_ms, horizon_ms), 4
    )


def ranked(
    items: Iterable[EvidenceItem],
    anchors: dict[str, int],
    horizon_ms: int,
    *,
    boost: dict[str, float] | None = None,
) -> list[tuple[float, EvidenceItem]]:
    """Items with their scores, best first; ties by time (newest first), then id, so order is stable.

    ``anchors`` gives each stream (``EvidenceItem.stream``) the time recency is measured from (its
    data's own time when the data is old, see packs.py); ``boost`` adds a relevance score per id
    (analyze_situation)."""
    scored = []
    for item in items:
        value = score(item, anchors.get(item.stream, 0), horizon_ms)
        if boost is not None:
            value = round(value + boost.get(item.id, 0.0), 4)
        scored.append((value, item))
    scored.sort(key=lambda pair: (-pair[0], -(pair[1].time_ms or 0), pair[1].id))
    return scored


def dedupe(items: Sequence[EvidenceItem]) -> tuple[list[EvidenceItem], dict[str, list[str]]]:
    """Drop repeats of one happening, keeping the first (callers pass items best source first).

    Two items are one happening when they share an id, when they are headlines of the same normalised
    title, or when they are earthquakes within ``QUAKE_SAME_S`` seconds and ``QUAKE_SAME_KM`` of each
    other (USGS and GDACS report the same shock). Returns the kept items and, per kept id, the ids of
    the repeats folded into it (``also_reported_as``).
    """
    from .geometry import haversine_km

    kept: list[EvidenceItem] = []
    folded: dict[str, list[str]] = {}
    seen_ids: set[str] = set()
    seen_titles: dict[tuple[str, str], str] = {}
    quakes: list[EvidenceItem] = []
    for item in items:
        if item.id in seen_ids:
            continue
        title_key = (item.domain, normalise(item.title))
        twin = seen_titles.get(title_key) if item.domain == "headline" else None
        if twin is None and item.domain == "earthquake" and item.lat is not None and item.lon is not None:
            for other in quakes:
                if (
                    other.time_ms is not None
                    and item.time_ms is not None
                    and abs(other.time_ms - item.time_ms) <= QUAKE_SAME_S * 1000
                    and other.lat is not None
                    and other.lon is not None
                    and haversine_km(item.lat, item.lon, other.lat, other.lon) <= QUAKE_SAME_KM
                ):
                    twin = other.id
                    break
        if twin is not None:
            folded.setdefault(twin, []).append(item.id)
            seen_ids.add(item.id)
            continue
        kept.append(item)
        seen_ids.add(item.id)
        seen_titles.setdefault(title_key, item.id)
        if item.domain == "earthquake":
            quakes.append(item)
    return kept, folded


QUAKE_SAME_S = 120
"""Agencies' origin times for one earthquake differ by seconds; two minutes is generous."""
QUAKE_SAME_KM = 100.0
"""Agencies' epicentres for one earthquake differ by tens of km at most."""
