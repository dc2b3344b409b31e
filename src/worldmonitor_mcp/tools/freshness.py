"""How fresh an answer is: labels, seed-meta lookup and staleness, as pure functions.

A cache key's data is described by a ``seed-meta:<domain>:<resource>`` record
``{fetchedAt: epoch ms, recordCount, sourceVersion}`` written by the seeder beside it. A tool names one
such record (the WorldMonitor contract); each key may also have its own, found by ``own_meta_key``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_VERSION_SEGMENT = re.compile(r"v\d+")
_NOT_A_LABEL = re.compile(r"v\d+|\d+|stale|sebuf")


def label_for_key(key: str) -> str:
    """The name a key's value has in a tool's ``data``: the last meaningful ``:``-segment.

    ``economic:fred:v1:FEDFUNDS:0`` -> ``FEDFUNDS``; ``risk:scores:sebuf:stale:v1`` -> ``scores``.
    """
    segments = key.split(":")
    for segment in reversed(segments):
        if not _NOT_A_LABEL.fullmatch(segment):
            return segment
    return segments[0]


def own_meta_key(key: str) -> str:
    """The seed-meta key a seeder writes for ``key`` by convention.

    ``seismology:earthquakes:v1`` -> ``seed-meta:seismology:earthquakes``;
    ``market:stocks-bootstrap:v1`` -> ``seed-meta:market:stocks``.
    """
    segments: list[str] = []
    for segment in key.split(":"):
        if _VERSION_SEGMENT.fullmatch(segment):
            break
        segments.append(segment)
    while len(segments) > 1 and segments[-1] in {"stale", "sebuf"}:
        segments.pop()
    segments[-1] = segments[-1].removesuffix("-bootstrap")
    return "seed-meta:" + ":".join(segments)


def last_failure(meta: Any) -> dict[str, Any] | None:
    """The seeder's ``lastFailure`` ``{at, kind, message}`` in wire form, when the last run failed: the data
    is then the last good copy, kept through the outage, and the agent should know why it is ageing."""
    if not isinstance(meta, dict):
        return None
    failure = meta.get("lastFailure")
    if not isinstance(failure, dict):
        return None
    at, kind, message = failure.get("at"), failure.get("kind"), failure.get("message")
    if (
        isinstance(at, bool)
        or not isinstance(at, int)
        or not 0 < at < MAX_EPOCH_MS
        or not isinstance(kind, str)
    ):
        return None
    return {"at": iso_utc(at), "kind": kind[:40], "message": str(message or "")[:300]}


def fetched_at_ms(meta: Any) -> int | None:
    """``fetchedAt`` of a seed-meta record, or None when the record is missing or malformed."""
    if not isinstance(meta, dict):
        return None
    value = meta.get("fetchedAt")
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return int(value)


def iso_utc(epoch_ms: int) -> str:
    return (
        datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


MAX_EPOCH_MS = 253_402_300_799_999
"""9999-12-31T23:59:59.999Z."""


@dataclass(frozen=True, slots=True)
class Freshness:
    fetched_at_ms: int | None
    max_stale_ms: int
    failure: dict[str, Any] | None = None
    """The seeder's last failure, when its latest run failed (see ``last_failure``)."""

    def stale(self, now_ms: int) -> bool:
        return self.fetched_at_ms is None or now_ms - self.fetched_at_ms > self.max_stale_ms

    @property
    def stale_at_ms(self) -> int | None:
        """When this turns stale; None if it already is, whatever the time."""
        return None if self.fetched_at_ms is None else self.fetched_at_ms + self.max_stale_ms + 1

    def to_wire(self, now_ms: int) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "cached_at": None if self.fetched_at_ms is None else iso_utc(self.fetched_at_ms),
            "stale": self.stale(now_ms),
        }
        if self.failure is not None:
            wire["last_failure"] = self.failure
        return wire


def overall(parts: list[Freshness], now_ms: int) -> dict[str, Any]:
    """Top-level freshness: the oldest ``cached_at`` and ``stale`` if any part is stale."""
    known = [p.fetched_at_ms for p in parts if p.fetched_at_ms is not None]
    oldest = min(known) if known else None
    return {
        "cached_at": None if oldest is None else iso_utc(oldest),
        "stale": not parts or any(p.stale(now_ms) for p in parts),
    }
