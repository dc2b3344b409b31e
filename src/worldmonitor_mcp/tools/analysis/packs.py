"""Evidence packs: what each analysis tool answers, built deterministically from an ``EvidenceIndex``.

Every pack carries ``cached_at`` (the oldest fetch time of the data it used) and ``stale`` (true if any of
it is older than its budget), the freshness of each cache key it read under ``sources``, and items in
the common shape (evidence.py) ranked by severity and recency.

Time windows and recency are measured per source from that source's *own* time (``anchors``): a live
feed's anchor is now; a snapshot or a stalled feed is judged as of the newest moment it describes, so a
world brief over an old snapshot still shows that snapshot's last 48 hours (and says it is stale)
instead of nothing. The ``window`` field of the world brief lists the anchors used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..freshness import Freshness, iso_utc, overall
from .evidence import EvidenceItem, dedupe, ranked
from .index import EvidenceIndex
from .query import Focus, match

PER_DOMAIN_SHARE = 4
"""The world brief gives one domain at most a quarter of its items (and at least 3), so 200 fire pixels
cannot push out the earthquakes and alerts."""
MIN_PER_DOMAIN = 3
EVENT_DOMAINS_EXCLUDED = frozenset({"sanction", "prediction-market", "forecast"})
"""States rather than happenings: listed by the country brief and the forecasts, not in the world brief."""


def anchors(index: EvidenceIndex, now_ms: int) -> dict[str, int]:
    """Stream (``EvidenceItem.stream``) -> the time its window and recency are measured from.

    A fresh key's streams are anchored at now. A stale key's are anchored at their newest record's time
    (never after now): the moment that data describes. Per publisher, because a merged key is as
    stale as its oldest source while its newest source may hold this week's events.
    """
    newest: dict[str, int] = {}
    for item in index.items:
        if item.time_ms is not None and item.time_ms <= now_ms:
            newest[item.stream] = max(newest.get(item.stream, item.time_ms), item.time_ms)
    found: dict[str, int] = {}
    for item in index.items:
        if item.stream in found:
            continue
        fresh = index.freshness.get(item.key)
        if fresh is None or not fresh.stale(now_ms) or item.stream not in newest:
            found[item.stream] = now_ms
        else:
            found[item.stream] = min(now_ms, newest[item.stream])
    return found


def freshness_of(index: EvidenceIndex, used: Iterable[EvidenceItem], now_ms: int) -> dict[str, Any]:
    """``cached_at``/``stale`` over the keys the pack's items came from (or, with no items, over every
    key the pack consulted), and each key's own freshness and item count under ``sources``."""
    counts: dict[str, int] = {}
    for item in used:
        counts[item.key] = counts.get(item.key, 0) + 1
    keys = list(counts) or list(index.freshness)
    parts: list[Freshness] = [index.freshness[k] for k in keys if k in index.freshness]
    sources = {
        key: {**fresh.to_wire(now_ms), "items": counts.get(key, 0)} for key, fresh in index.freshness.items()
    }
    return {**overall(parts, now_ms), "sources": sources}


def wire_items(
    scored: Sequence[tuple[float, EvidenceItem]],
    *,
    folded: dict[str, list[str]] | None = None,
    extra: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    out = []
    for value, item in scored:
        wire = item.to_wire()
        wire["score"] = value
        if folded and item.id in folded:
            wire["also_reported_as"] = folded[item.id]
        if extra and item.id in extra:
            wire.update(extra[item.id])
        out.append(wire)
    return out


def dedupe_ranked(
    scored: list[tuple[float, EvidenceItem]],
) -> tuple[list[tuple[float, EvidenceItem]], dict[str, list[str]]]:
    kept, folded = dedupe([item for _, item in scored])
    keep = {item.id for item in kept}
    return [pair for pair in scored if pair[1].id in keep], folded


def world_brief(
    index: EvidenceIndex, focus: Focus | None, *, window_h: int, limit: int, now_ms: int
) -> dict[str, Any]:
    """The top items of the last ``window_h`` hours across domains, grouped by domain."""
    horizon_ms = window_h * 3_600_000
    anchor = anchors(index, now_ms)
    reasons: dict[str, dict[str, Any]] = {}
    candidates: list[EvidenceItem] = []
    for item in index.items:
        if item.domain in EVENT_DOMAINS_EXCLUDED or item.time_ms is None:
            continue
        if item.time_ms < anchor.get(item.stream, now_ms) - horizon_ms:
            continue
        if focus is not None:
            found = match(item, focus, index.geometry)
            if found is None:
                continue
            reasons[item.id] = {"match": list(found.reasons)}
        candidates.append(item)
    scored, folded = dedupe_ranked(ranked(candidates, anchor, horizon_ms))
    per_domain = max(MIN_PER_DOMAIN, -(-limit // PER_DOMAIN_SHARE))
    taken: list[tuple[float, EvidenceItem]] = []
    per: dict[str, int] = {}
    totals: dict[str, int] = {}
    for pair in scored:
        domain = pair[1].domain
        totals[domain] = totals.get(domain, 0) + 1
        if per.get(domain, 0) < per_domain and len(taken) < limit:
            per[domain] = per.get(domain, 0) + 1
            taken.append(pair)
    groups: list[dict[str, Any]] = []
    for domain in dict.fromkeys(p[1].domain for p in taken):
        chosen = [p for p in taken if p[1].domain == domain]
        groups.append(
            {
                "domain": domain,
                "matched": totals[domain],
                "returned": len(chosen),
                "items": wire_items(chosen, folded=folded, extra=reasons),
            }
        )
    used = [p[1] for p in taken]
    return {
        **freshness_of(index, used, now_ms),
        "window": {
            "hours": window_h,
            "anchors": {key: iso_utc(at) for key, at in sorted(anchor.items())},
            "rule": "a fresh source's window ends now; a stale one's at its newest record",
        },
        "focus": None if focus is None else {"text": focus.text, "resolved": focus.resolved()},
        "matched": len(scored),
        "returned": len(taken),
        "groups": groups,
    }


def situation(index: EvidenceIndex, focus: Focus, *, limit: int, now_ms: int) -> dict[str, Any]:
    """Every cached item the focus matches, ranked by relevance, then severity and recency."""
    anchor = anchors(index, now_ms)
    boost: dict[str, float] = {}
    extra: dict[str, dict[str, Any]] = {}
    candidates = []
    for item in index.items:
        found = match(item, focus, index.geometry)
        if found is None:
            continue
        boost[item.id] = found.relevance
        extra[item.id] = {"match": list(found.reasons), "relevance": found.relevance}
        candidates.append(item)
    scored, folded = dedupe_ranked(ranked(candidates, anchor, RECENCY_HORIZON_MS, boost=boost))
    taken = scored[:limit]
    return {
        **freshness_of(index, [p[1] for p in taken], now_ms),
        "query": focus.text,
        "resolved": focus.resolved(),
        "matched": len(scored),
        "returned": len(taken),
        "items": wire_items(taken, folded=folded, extra=extra),
    }


RECENCY_HORIZON_MS = 7 * 86_400_000
"""Outside the world brief, recency fades over a week from each source's anchor."""
