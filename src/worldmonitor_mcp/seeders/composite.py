"""Composite keys: one cache key merged from several feeds (natural events from EONET and GDACS;
earthquakes from several agencies).

Each source feed writes its own key as usual (say ``natural:eonet:v1``), and a registered ``Composite``
names the key the tool reads, its sources and a pure ``merge``::

    def merge(sources: Mapping[str, Any]) -> ParsedFeed:
        # feed name -> that feed's stored value, for the sources that have data
        events = [*sources.get("nasa-eonet", {}).get("events", []), *sources.get("gdacs", {}).get(...)]
        return ParsedFeed({"events": events}, len(events), "eonet+gdacs", None, newest, oldest)

    register_composite(Composite("natural-events", "natural", "events", "natural:events:v1",
                                 sources=("nasa-eonet", "gdacs"), merge=merge, cache_ttl_s=6 * 3600))

After any source is written (live run, file, snapshot), ``rebuild_composites`` reads every source in one
``mget``, merges, and writes the composite key and its seed-meta in one ``set_many``. Its seed-meta is
honest about its parts: ``fetchedAt`` is the *oldest* source's (the answer is only as fresh as its
stalest part), ``newestItemAt``/``oldestItemAt`` span the sources, ``sources`` lists each source's
``fetchedAt`` and ``recordCount``, and ``lastFailure`` is the newest failure of a source whose latest run
failed (with its ``feed``). A source without data is left out of the merge; with no source at all,
nothing is written.

Rebuilding holds a short store lock per composite, so two instances that write two sources at once
rebuild one after the other and the later one sees both sources. If the lock stays busy past
``LOCK_WAIT_S`` the rebuild is skipped and logged: the next write of any source rebuilds it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import orjson

from ..store import keys
from ..store.base import Store
from ..store.values import json_object, json_or_none, unwrap_envelope
from .base import FEEDS, ParsedFeed
from .state import Failure

logger = logging.getLogger("worldmonitor.seeders")

Merge = Callable[[Mapping[str, Any]], ParsedFeed]

LOCK_TTL_MS = 30_000
"""A rebuild is one mget, a merge in memory and one set_many: seconds at worst."""
LOCK_WAIT_S = 10.0
LOCK_POLL_S = 0.05


@dataclass(frozen=True, slots=True)
class Composite:
    """A cache key merged from the keys of several registered feeds."""

    name: str
    domain: str
    resource: str
    data_key: str
    sources: tuple[str, ...]
    """Feed names, in the order ``merge`` should prefer them when it deduplicates."""
    merge: Merge
    cache_ttl_s: int

    @property
    def seed_meta_key(self) -> str:
        return keys.seed_meta(self.domain, self.resource)


COMPOSITES: dict[str, Composite] = {}
"""Every registered composite by name, in registration order."""


def register_composite(composite: Composite) -> Composite:
    """Add ``composite``; its sources must be registered feeds, and its keys nobody else's."""
    if composite.name in COMPOSITES or composite.name in FEEDS:
        raise ValueError(f"a feed or composite named {composite.name!r} is already registered")
    if not composite.sources:
        raise ValueError(f"composite {composite.name!r} has no sources")
    unknown = [name for name in composite.sources if name not in FEEDS]
    if unknown:
        raise ValueError(f"composite {composite.name!r}: register the feeds {unknown} first")
    mine = {composite.data_key, composite.seed_meta_key}
    taken = {k for f in FEEDS.values() for k in (f.data_key, f.seed_meta_key)}
    taken |= {k for c in COMPOSITES.values() for k in (c.data_key, c.seed_meta_key)}
    if mine & taken:
        raise ValueError(f"composite {composite.name!r}: the keys {sorted(mine & taken)} are already written")
    COMPOSITES[composite.name] = composite
    return composite


def composite_meta(
    composite: Composite, parsed: ParsedFeed, metas: Mapping[str, dict[str, Any]]
) -> dict[str, Any]:
    """The composite's seed-meta from the merge result and the present sources' seed-meta."""

    def ints(field: str) -> list[int]:
        values = (meta.get(field) for meta in metas.values())
        return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]

    fetched, newest, oldest = ints("fetchedAt"), ints("newestItemAt"), ints("oldestItemAt")
    failures = [
        (failure, name)
        for name, meta in metas.items()
        if (failure := Failure.from_json(meta.get("lastFailure"))) is not None
    ]
    meta: dict[str, Any] = {
        "fetchedAt": min(fetched, default=None),
        "recordCount": parsed.record_count,
        "sourceVersion": parsed.source_version,
        "newestItemAt": _first(parsed.newest_item_at_ms, max(newest, default=None)),
        "oldestItemAt": _first(parsed.oldest_item_at_ms, min(oldest, default=None)),
        "sources": {
            name: {"fetchedAt": meta.get("fetchedAt"), "recordCount": meta.get("recordCount")}
            for name, meta in metas.items()
        },
    }
    if failures:
        failure, name = max(failures, key=lambda item: item[0].at_ms)
        meta["lastFailure"] = {**failure.to_json(), "feed": name}
    return meta


def _first(value: int | None, fallback: int | None) -> int | None:
    return value if value is not None else fallback


async def rebuild(store: Store, composite: Composite, *, ttl_ms: int | None) -> bool:
    """Merge the sources into the composite key now (the caller holds the lock). False: no source data."""
    source_feeds = [FEEDS[name] for name in composite.sources]
    raw = await store.mget([k for feed in source_feeds for k in (feed.data_key, feed.seed_meta_key)])
    present: dict[str, Any] = {}
    metas: dict[str, dict[str, Any]] = {}
    for index, feed in enumerate(source_feeds):
        data = json_or_none(raw[2 * index])
        if data is None:
            continue
        present[feed.name] = unwrap_envelope(data)
        metas[feed.name] = json_object(raw[2 * index + 1]) or {}
    if not present:
        return False
    parsed = composite.merge(present)
    meta = composite_meta(composite, parsed, metas)
    await store.set_many(
        {composite.data_key: orjson.dumps(parsed.data), composite.seed_meta_key: orjson.dumps(meta)},
        ttl_ms=ttl_ms,
    )
    return True


async def rebuild_composites(
    store: Store,
    *sources: str,
    live: bool,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
) -> list[str]:
    """Rebuild, once each, the composites fed by any of the feeds named in ``sources``; returns those written.

    ``live`` writes with each composite's TTL; file and snapshot seeding write without expiry, as their
    sources do. A composite whose merge fails is logged and skipped: its sources' data stays valid.
    """
    written = []
    for composite in [c for c in COMPOSITES.values() if set(c.sources) & set(sources)]:
        lock, token = keys.composite_lock(composite.data_key), uuid.uuid4().hex
        waited = 0.0
        while not await store.acquire_lock(lock, token, LOCK_TTL_MS):
            if waited >= LOCK_WAIT_S:
                logger.warning("composite %s: busy for %.0f s, rebuild skipped", composite.name, waited)
                break
            await sleep(LOCK_POLL_S)
            waited += LOCK_POLL_S
        else:
            try:
                if await rebuild(store, composite, ttl_ms=composite.cache_ttl_s * 1000 if live else None):
                    written.append(composite.name)
            except Exception:  # a merge bug must not undo the source write that triggered it
                logger.exception("composite %s: merge failed; its sources are stored", composite.name)
            finally:
                await store.release_lock(lock, token)
    return written
