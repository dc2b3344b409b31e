"""Write one parsed feed into the store: its data key and its ``seed-meta`` key, together.

The seed-meta value follows WorldMonitor's ``writeFreshnessMetadata`` (scripts/_seed-utils.mjs in
koala73/worldmonitor)::

    seed-meta:<domain>:<resource> = {"fetchedAt": 1604278743000, "recordCount": 50,
                                     "sourceVersion": "usgs-4.5-week",
                                     "newestItemAt": 1604272175397, "oldestItemAt": 1604024781314}

Both keys go through one ``Store.set_many``, so a reader never sees new data beside old metadata, and the
data version moves once. ``fetchedAt`` is when the data was true upstream: ``now_ms`` for a live fetch, the
feed's own timestamp for a bundled sample or a file (callers pass ``fetched_at_ms``), so freshness checks
report old data as old.
"""

from __future__ import annotations

import orjson

from ..store.base import Store
from .base import EmptyResultError, Feed, ParsedFeed


def seed_meta(parsed: ParsedFeed, *, fetched_at_ms: int) -> dict[str, object]:
    """The seed-meta value for ``parsed`` (WorldMonitor field names)."""
    return {
        "fetchedAt": fetched_at_ms,
        "recordCount": parsed.record_count,
        "sourceVersion": parsed.source_version,
        "newestItemAt": parsed.newest_item_at_ms,
        "oldestItemAt": parsed.oldest_item_at_ms,
    }


async def stored_fetched_at_ms(store: Store, feed: Feed) -> int | None:
    """``fetchedAt`` of the feed's stored data; None when the data key is gone or seed-meta is unreadable.

    Both keys are read in one round trip: seed-meta can outlive its data key, whose TTL is shorter.
    """
    data, meta = await store.mget([feed.data_key, feed.seed_meta_key])
    if data is None or meta is None:
        return None
    try:
        fetched_at = orjson.loads(meta).get("fetchedAt")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return fetched_at if isinstance(fetched_at, int) and not isinstance(fetched_at, bool) else None


async def _stored_data(store: Store, feed: Feed) -> str | None:
    """Describe the non-empty data stored under the feed's key, or None when there is none."""
    raw = await store.get(feed.data_key)
    if raw is None:
        return None
    try:
        count = feed.count_records(orjson.loads(raw))
    except (orjson.JSONDecodeError, LookupError, TypeError):
        # Stored in a shape we cannot count (another writer's, or a {_seed, data} envelope): it is still
        # data worth keeping.
        return f"the data already stored under {feed.data_key}"
    return f"the {count} records already stored under {feed.data_key}" if count else None


async def write_feed(
    store: Store,
    feed: Feed,
    parsed: ParsedFeed,
    *,
    now_ms: int,
    fetched_at_ms: int | None = None,
    ttl_ms: int | None = None,
) -> None:
    """Store ``parsed`` under ``feed.data_key`` and its seed-meta, atomically.

    ``fetched_at_ms`` defaults to ``now_ms``. ``ttl_ms`` None keeps both keys until they are replaced (the
    snapshot); a live seeder passes ``feed.cache_ttl_s * 1000``. An empty result never replaces stored
    data: it raises ``EmptyResultError`` and writes nothing.
    """
    if parsed.record_count == 0:
        # Read-then-write is not atomic: data stored by another writer between the two steps could still
        # be replaced by this empty result. Accepted: the window is one round trip, and seeding one feed
        # from two places at once is already a misconfiguration.
        stored = await _stored_data(store, feed)
        if stored is not None:
            raise EmptyResultError(
                f"{feed.name}: the payload holds no records; keeping {stored} "
                "(an empty feed is more often an upstream fault than real silence)"
            )
    meta = seed_meta(parsed, fetched_at_ms=now_ms if fetched_at_ms is None else fetched_at_ms)
    await store.set_many(
        {feed.data_key: orjson.dumps(parsed.data), feed.seed_meta_key: orjson.dumps(meta)},
        ttl_ms=ttl_ms,
    )
