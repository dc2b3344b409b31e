"""Shape a cache tool's answer: filters, limit or summary, projection, and the output budget.

Input is the decoded data of the keys asked for and their freshness; output is the JSON payload, which
goes out twice, as ``structuredContent`` and as the text item older clients read::

    {"cached_at", "stale", "data": {label: value}, "freshness": {label: {cached_at, stale}},
     "lists": {"earthquakes.earthquakes": {"total", "matched", "returned", "dropped"}},
     "summary": true?, "projection": {"expression", "result"}?, "over_budget": {...}?, "hint": "..."?}

``lists`` counts every list in ``data`` (see filters.py): what the store holds, what the filters kept,
what is in the answer, and what the limit dropped; ``hint`` says in one sentence how to get the rest.
A payload over the tool's budget is answered as a summary with ``over_budget``, never cut mid-list, and
without ``data`` at all if even the summary is too big. A projection answers ``projection`` instead of
``data``, bounded by its own limit (projection.py), because the agent chose exactly what it wants.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from .arguments import SUMMARY_SAMPLE_ITEMS, Query
from .filters import Predicate, reshape_lists
from .projection import project

ListCounts = dict[str, dict[str, int]]


def shape(
    data: dict[str, Any], query: Query, now_ms: int, *, summary: bool
) -> tuple[dict[str, Any], ListCounts]:
    """``data`` with its lists filtered and cut to the limit (or the summary sample), and their counts."""
    predicates: list[Predicate] = [f.predicate(value, now_ms) for f, value in query.filters]
    limit = SUMMARY_SAMPLE_ITEMS if summary else query.limit
    counts: ListCounts = {}

    def shaper(path: str, name: str, items: list[Any]) -> list[Any]:
        if predicates:
            matched = [item for item in items if all(keep(item, name) for keep in predicates)]
        else:
            matched = items
        returned = matched if limit is None or len(matched) <= limit else matched[:limit]
        counts[path] = {
            "total": len(items),
            "matched": len(matched),
            "returned": len(returned),
            "dropped": len(matched) - len(returned),
        }
        return returned

    return reshape_lists(data, shaper), counts


def _dropped(counts: ListCounts) -> int:
    return sum(c["dropped"] for c in counts.values())


def render(
    head: dict[str, Any],
    freshness: dict[str, Any],
    data: dict[str, Any],
    query: Query,
    now_ms: int,
    *,
    budget_bytes: int,
    narrow_with: Sequence[str],
) -> bytes:
    """The encoded payload; ``ArgumentError`` when the projection fails (reported as ``isError``)."""
    narrow = _narrowing(narrow_with)
    shaped, counts = shape(data, query, now_ms, summary=query.summary)
    dropped = _dropped(counts)

    if query.projection is not None:
        payload: dict[str, Any] = {**head, "freshness": freshness, "lists": counts}
        payload["projection"] = {"expression": query.projection, "result": project(query.projection, shaped)}
        if dropped:
            payload["hint"] = _limit_hint(dropped, query, narrow) + " The projection ran over what is left."
        return orjson.dumps(payload)

    payload = {**head, "data": shaped, "freshness": freshness, "lists": counts}
    if query.summary:
        payload["summary"] = True
        payload["hint"] = (
            f"Counts per list and {SUMMARY_SAMPLE_ITEMS} items each. For the items, call without summary, "
            f"narrowed{narrow} or with a limit."
        )
    elif dropped:
        payload["hint"] = _limit_hint(dropped, query, narrow)
    encoded = orjson.dumps(payload)
    if len(encoded) <= budget_bytes:
        return encoded

    full_bytes = len(encoded)
    sample, sample_counts = shape(data, query, now_ms, summary=True)
    payload = {**head, "data": sample, "freshness": freshness, "lists": sample_counts, "summary": True}
    payload["over_budget"] = {"bytes": full_bytes, "budget_bytes": budget_bytes}
    over = f"The full answer is {_kib(full_bytes)}, over this tool's budget of {_kib(budget_bytes)}"
    ask_less = f"Ask for less{narrow}, a smaller limit, fewer datasets or a projection."
    payload["hint"] = (
        f"{over}, so this is a summary: counts and {SUMMARY_SAMPLE_ITEMS} items per list. {ask_less}"
    )
    encoded = orjson.dumps(payload)
    if len(encoded) <= budget_bytes:
        return encoded
    del payload["data"]
    payload["hint"] = f"{over}, and so is its summary, so this gives the counts only. {ask_less}"
    return orjson.dumps(payload)


def _narrowing(names: Sequence[str]) -> str:
    return f" (filters: {', '.join(names)})" if names else ""


def _limit_hint(dropped: int, query: Query, narrow: str) -> str:
    return (
        f"{dropped} matching items not shown: at most {query.limit} per list. "
        f"Narrow the call{narrow}, pass limit (0 = all), or summary: true for counts."
    )


def _kib(size: int) -> str:
    return f"{size / 1024:.0f} KiB"
