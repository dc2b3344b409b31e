"""One live run of one feed: fetch -> parse -> validate -> write, keeping the last good data on failure.

``run_feed`` reads what is stored (data, seed-meta, feed state) in one ``mget`` and ends in one
``set_many``, so the data key, its seed-meta and the feed state always change together:

- **new body**: parsed off the event loop (parsers are pure; a big XML must not stall requests in
  ``serve --seeders``), checked against the record floor, then written with ``fetchedAt`` = now.
- **304 Not Modified**: the stored body is still current. Nothing is parsed; the data is written back
  with a fresh TTL and its seed-meta says ``fetchedAt`` = now: the upstream confirmed it.
- **failure** (``SeedError``: fetch, format, empty, record floor, timeout; or a parser bug): the stored
  data is written back unchanged with a fresh TTL, so it outlives the outage, and the seed-meta and feed
  state record ``lastFailure`` = ``{at, kind, message}``.

Writing the data back costs one read and one write of its bytes; the Store protocol has no "extend TTL"
primitive, and adding one would not keep the three keys atomic.

The record floor turns a suspicious shrink into a failure: fewer than ``Feed.min_records``, an empty
result while data is stored, or a drop of ``Feed.max_drop_fraction`` (90 % by default) against the last
good ``recordCount``. A drop that is real persists; an operator confirms it with
``worldmonitor-mcp seed FEED --from-file``, which applies no floor.

The caller (the scheduler, or ``seed --once``) holds the feed's store lock, so no other instance writes
these keys meanwhile. ``next_run`` lets it stamp the shared ``nextRunAt`` in the same write.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

import anyio
import orjson

from ..store import keys
from ..store.base import Store
from ..store.values import json_object
from .base import EmptyResultError, Feed, ParsedFeed, RecordFloorError, SeedError
from .composite import rebuild_composites
from .fetch import Fetcher, FetchError
from .state import Failure, FeedState
from .writer import seed_meta

logger = logging.getLogger("worldmonitor.seeders")

LIVE_TTL_CADENCES = 3
"""Live data lives at least three cadences, even if a feed's ``cache_ttl_s`` says less: between two
runs it must never expire, and a failure rewrites it with a fresh TTL."""

RunStatus = Literal["seeded", "unchanged", "failed", "not-due"]

NextRun = Callable[[FeedState, float | None], int | None]
"""The scheduler's choice of ``nextRunAt`` given the new state and an upstream ``Retry-After``."""


def live_ttl_ms(feed: Feed) -> int:
    return max(feed.cache_ttl_s, LIVE_TTL_CADENCES * feed.cadence_s) * 1000


@dataclass(frozen=True, slots=True)
class RunOutcome:
    feed: str
    status: RunStatus
    state: FeedState
    record_count: int | None = None
    failure: Failure | None = None
    retry_after_s: float | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def describe(self) -> str:
        """One line for the operator."""
        line = f"{self.status:<10} {self.feed}"
        if self.record_count is not None:
            line += f"  {self.record_count} records"
        if self.failure is not None:
            message = self.failure.message.removeprefix(f"{self.feed}: ")
            line += f": {self.failure.kind}: {message}"
        return line


def check_floor(feed: Feed, parsed: ParsedFeed, last_good_count: int | None) -> None:
    """Raise when ``parsed`` has suspiciously few records; ``last_good_count`` None: nothing stored."""
    count = parsed.record_count
    if count < feed.min_records:
        raise RecordFloorError(
            f"{feed.name}: {count} records, fewer than this feed's floor of {feed.min_records}; "
            "keeping the last good data"
        )
    if not last_good_count:
        return
    if count == 0:
        raise EmptyResultError(
            f"{feed.name}: the payload holds no records; keeping the {last_good_count} records stored "
            "(an empty feed is more often an upstream fault than real silence)"
        )
    fraction = feed.max_drop_fraction
    if fraction is not None and last_good_count - count >= fraction * last_good_count:
        raise RecordFloorError(
            f"{feed.name}: {count} records against {last_good_count} last time, a drop of at least "
            f"{fraction:.0%}; keeping the last good data (if the drop is real, seed the file with "
            "`worldmonitor-mcp seed FEED --from-file`)"
        )


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def _last_good_count(feed: Feed, data_raw: bytes | None, meta: dict[str, Any] | None) -> int | None:
    if data_raw is None:
        return None
    count = (meta or {}).get("recordCount")
    if isinstance(count, int) and not isinstance(count, bool):
        return count
    try:  # data without our seed-meta (another writer's): count it ourselves
        return feed.count_records(orjson.loads(data_raw))
    except (orjson.JSONDecodeError, LookupError, TypeError):
        return 1  # data in a shape we cannot count is still data worth keeping


async def run_feed(
    store: Store,
    fetcher: Fetcher,
    feed: Feed,
    *,
    now_ms: int,
    key: str | None = None,
    next_run: NextRun | None = None,
    force: bool = True,
    deadline_s: float | None = None,
) -> RunOutcome:
    """Run ``feed`` once. With ``force`` False, a feed whose shared ``nextRunAt`` is still ahead is left
    alone (``not-due``). ``deadline_s`` bounds fetch and parse together. Store failures propagate: with
    the store down nothing can be recorded."""
    state_key = keys.feed_state(feed.name)
    data_raw, meta_raw, state_raw = await store.mget([feed.data_key, feed.seed_meta_key, state_key])
    state = FeedState.from_json(state_raw)
    if not force and state.next_run_at_ms is not None and state.next_run_at_ms > now_ms:
        return RunOutcome(feed.name, "not-due", state)
    meta = json_object(meta_raw)

    parsed: ParsedFeed | None = None
    try:
        url = feed.request(key).url  # inside: a bug in a feed's request builder is that feed's failure
        validators = state.validators_for_url(url) if data_raw is not None else None
        with anyio.fail_after(deadline_s):  # None: no deadline
            result = await fetcher.fetch(feed, key=key, validators=validators)
            if result.body is not None:
                parsed = await anyio.to_thread.run_sync(feed.parse, result.body, abandon_on_cancel=True)
                check_floor(feed, parsed, _last_good_count(feed, data_raw, meta))
    except Exception as exc:  # recorded, never raised: one feed's failure never stops the others
        return await _record_failure(
            store, feed, exc, data_raw, meta, state, now_ms, key, next_run, deadline_s
        )

    status: RunStatus
    count: int | None
    if parsed is not None:
        new_meta = seed_meta(parsed, fetched_at_ms=now_ms)
        data_out, status, count = orjson.dumps(parsed.data), "seeded", parsed.record_count
    else:  # 304, sent only while data is stored: the stored body is confirmed current
        new_meta = {k: v for k, v in (meta or {}).items() if k != "lastFailure"}
        new_meta["fetchedAt"] = now_ms
        data_out, status, count = data_raw or b"null", "unchanged", _int_or_none(new_meta.get("recordCount"))
    new_state = state.succeeded(now_ms, result.validators, url)
    new_state = replace(new_state, next_run_at_ms=next_run(new_state, None) if next_run else None)
    await store.set_many(
        {feed.data_key: data_out, feed.seed_meta_key: orjson.dumps(new_meta), state_key: new_state.to_json()},
        ttl_ms=live_ttl_ms(feed),
    )
    await rebuild_composites(store, feed.name, live=True)
    logger.info("%s: %s (%s records)", feed.name, status, count)
    return RunOutcome(feed.name, status, new_state, count)


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def _record_failure(
    store: Store,
    feed: Feed,
    exc: Exception,
    data_raw: bytes | None,
    meta: dict[str, Any] | None,
    state: FeedState,
    now_ms: int,
    key: str | None,
    next_run: NextRun | None,
    deadline_s: float | None,
) -> RunOutcome:
    retry_after = exc.retry_after_s if isinstance(exc, FetchError) else None
    if isinstance(exc, SeedError):
        kind, message = exc.kind, str(exc)
        logger.warning("%s", _scrub(message, key))  # the message names the feed
    elif isinstance(exc, TimeoutError):
        kind, message = "timeout", f"{feed.name}: the run passed its deadline of {deadline_s:g} s"
        logger.warning("%s", message)
    else:  # a parser bug, not an upstream fault: keep the traceback for the developer
        kind, message = "internal", f"{feed.name}: unexpected {type(exc).__name__}: {exc}"
        logger.error("%s", _scrub(message, key), exc_info=key is None)
    failure = Failure(now_ms, kind, _scrub(message, key))
    new_state = state.failed(failure)
    new_state = replace(new_state, next_run_at_ms=next_run(new_state, retry_after) if next_run else None)
    items = {
        feed.seed_meta_key: orjson.dumps({**(meta or {}), "lastFailure": failure.to_json()}),
        keys.feed_state(feed.name): new_state.to_json(),
    }
    if data_raw is not None:
        items[feed.data_key] = data_raw  # the last good data, with a fresh TTL
    await store.set_many(items, ttl_ms=live_ttl_ms(feed))
    await rebuild_composites(store, feed.name, live=True)
    return RunOutcome(feed.name, "failed", new_state, failure=failure, retry_after_s=retry_after)
