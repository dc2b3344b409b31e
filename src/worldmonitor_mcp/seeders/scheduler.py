"""Run every feed on its cadence, across any number of instances, and keep going when feeds fail.

- **Cadence with jitter**: after a success the next run is ``cadence_s`` away, give or take
  ``jitter`` (10 % by default), so instances and feeds drift apart instead of firing together.
- **Backoff**: after the n-th failure in a row the next run is ``backoff_initial_s * 2**(n-1)`` away,
  capped at ``backoff_max_s``, and never sooner than an upstream ``Retry-After``.
- **One runner per feed**: a run holds the feed's store lock (``wm:lock:feed:<name>``), which expires
  ``LOCK_MARGIN_S`` after the run's deadline, so a dead holder frees it. The run's deadline bounds fetch
  and parse; the write that follows is a single ``set_many``. The next run time is shared in the feed
  state (``nextRunAt``): an instance that takes the lock and finds it in the future leaves the feed alone.
- **Isolation**: each feed runs in its own task; any failure, even the store's, is recorded or logged
  and the others carry on. ``concurrency`` feeds run at once.
- **Keys**: a feed with ``needs_key`` runs only when ``WORLDMONITOR_FEED_<NAME>_KEY`` is set; otherwise it
  is reported disabled and never fetched.

The clock, the sleep function and the random source are injected: tests move time by hand.
``run_seeders`` runs a scheduler for the lifetime of the server (``serve --seeders``).
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
import httpx
from pydantic import SecretStr

from ..clock import wall_clock_ms
from ..errors import StoreUnavailableError
from ..settings import Settings
from ..store import keys
from ..store.base import Store
from .base import FEEDS, Feed
from .fetch import Fetcher, make_client
from .live import RunOutcome, run_feed
from .state import FeedState, missing_key

logger = logging.getLogger("worldmonitor.seeders")

LOCK_MARGIN_S = 60.0
"""The lock outlives the run's deadline by this much, which covers the final write."""
BUSY_RECHECK_S = 30.0
"""When another instance holds a feed's lock, look again this soon; it will have stamped ``nextRunAt``."""
STORE_DOWN_RETRY_S = 30.0
MAX_IDLE_S = 60.0
"""The longest sleep between two looks at the schedule, so a feed run elsewhere is noticed soon."""

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class SchedulePolicy:
    jitter: float = 0.1
    backoff_initial_s: float = 60.0
    backoff_max_s: float = 3600.0
    run_timeout_s: float = 300.0
    concurrency: int = 4

    @classmethod
    def from_settings(cls, settings: Settings) -> SchedulePolicy:
        return cls(
            jitter=settings.feed_jitter,
            backoff_initial_s=settings.feed_backoff_initial_s,
            backoff_max_s=settings.feed_backoff_max_s,
            run_timeout_s=settings.feed_run_timeout_s,
            concurrency=settings.feed_concurrency,
        )

    def delay_s(self, feed: Feed, state: FeedState, retry_after_s: float | None, rng: random.Random) -> float:
        """Seconds until the next run after the run that produced ``state``."""
        if state.consecutive_failures == 0:
            base = float(feed.cadence_s)
        else:
            base = min(self.backoff_max_s, self.backoff_initial_s * 2.0 ** (state.consecutive_failures - 1))
        delay = base * (1 + rng.uniform(-self.jitter, self.jitter))
        return max(delay, retry_after_s or 0.0)


class Scheduler:
    """Runs ``feeds`` (default: every registered feed) against one store through one fetcher."""

    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        *,
        feeds: Iterable[Feed] | None = None,
        feed_keys: Mapping[str, SecretStr] | None = None,
        policy: SchedulePolicy | None = None,
        clock_ms: Callable[[], int] = wall_clock_ms,
        sleep: Sleep = anyio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._fetcher = fetcher
        self._feeds = list(FEEDS.values() if feeds is None else feeds)
        self._keys = dict(feed_keys or {})
        self._policy = policy or SchedulePolicy()
        self._clock_ms = clock_ms
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not security)
        self._due_ms: dict[str, int] = {}
        """When this instance next looks at each enabled feed; the shared ``nextRunAt`` has the final say."""
        for feed in self._feeds:
            env = missing_key(feed, self._keys)
            if env is not None:
                logger.info("%s: disabled until %s is set", feed.name, env)
            else:
                self._due_ms[feed.name] = 0

    @property
    def enabled(self) -> list[Feed]:
        return [feed for feed in self._feeds if feed.name in self._due_ms]

    @property
    def disabled(self) -> list[Feed]:
        return [feed for feed in self._feeds if feed.name not in self._due_ms]

    def _next_run(self, feed: Feed, now_ms: int) -> Callable[[FeedState, float | None], int]:
        def plan(state: FeedState, retry_after_s: float | None) -> int:
            return now_ms + int(self._policy.delay_s(feed, state, retry_after_s, self._rng) * 1000)

        return plan

    async def run(self, feed: Feed, *, force: bool = False) -> RunOutcome | None:
        """Run ``feed`` once under its lock. None when another instance holds the lock right now.

        Without ``force``, a feed whose shared ``nextRunAt`` is ahead is left alone (``not-due``).
        """
        if feed.needs_key is not None and missing_key(feed, self._keys) is not None:
            raise ValueError(f"{feed.name} needs {missing_key(feed, self._keys)}")
        key = self._keys[feed.needs_key].get_secret_value() if feed.needs_key else None
        lock, token = keys.feed_lock(feed.name), uuid.uuid4().hex
        lock_ttl_ms = int((self._policy.run_timeout_s + LOCK_MARGIN_S) * 1000)
        if not await self._store.acquire_lock(lock, token, lock_ttl_ms):
            return None
        try:
            now = self._clock_ms()
            return await run_feed(
                self._store,
                self._fetcher,
                feed,
                now_ms=now,
                key=key,
                next_run=self._next_run(feed, now),
                force=force,
                deadline_s=self._policy.run_timeout_s,
            )
        finally:
            with anyio.CancelScope(shield=True):  # free the lock even when the scheduler is stopping
                await self._store.release_lock(lock, token)

    async def _run_due(self, feed: Feed, outcomes: list[RunOutcome]) -> None:
        now = self._clock_ms()
        try:
            outcome = await self.run(feed)
        except StoreUnavailableError as exc:
            logger.warning(
                "%s: store unavailable (%s); retrying in %.0f s",
                feed.name,
                exc.log_reason,
                STORE_DOWN_RETRY_S,
            )
            self._due_ms[feed.name] = now + int(STORE_DOWN_RETRY_S * 1000)
            return
        except Exception as exc:  # a bug in one feed's path must not stop the others
            if feed.needs_key is None:
                logger.exception("%s: the run failed unexpectedly", feed.name)
            else:  # a traceback could quote the feed's key
                logger.error("%s: the run failed unexpectedly (%s)", feed.name, type(exc).__name__)
            self._due_ms[feed.name] = now + int(self._policy.backoff_initial_s * 1000)
            return
        if outcome is None:
            self._due_ms[feed.name] = now + int(BUSY_RECHECK_S * 1000)
            return
        next_run = outcome.state.next_run_at_ms
        self._due_ms[feed.name] = next_run if next_run is not None else now + feed.cadence_s * 1000
        outcomes.append(outcome)

    async def tick(self) -> list[RunOutcome]:
        """Run every enabled feed that is due on this instance's clock; returns what each run did."""
        now = self._clock_ms()
        due = [feed for feed in self.enabled if self._due_ms[feed.name] <= now]
        outcomes: list[RunOutcome] = []
        limiter = anyio.CapacityLimiter(self._policy.concurrency)

        async def one(feed: Feed) -> None:
            async with limiter:
                await self._run_due(feed, outcomes)

        async with anyio.create_task_group() as group:
            for feed in due:
                group.start_soon(one, feed)
        return outcomes

    def seconds_until_due(self) -> float:
        if not self._due_ms:
            return MAX_IDLE_S
        wait_ms = min(self._due_ms.values()) - self._clock_ms()
        return min(MAX_IDLE_S, max(0.0, wait_ms / 1000))

    async def run_forever(self) -> None:
        """Tick, sleep until the next feed is due, repeat; until cancelled."""
        if not self._due_ms:
            logger.warning("seeders: no feed can run (every feed needs a key that is not set)")
        while True:
            await self.tick()
            await self._sleep(self.seconds_until_due())


def build_scheduler(
    settings: Settings,
    store: Store,
    client: httpx.AsyncClient,
    *,
    feeds: Iterable[Feed] | None = None,
    clock_ms: Callable[[], int] = wall_clock_ms,
) -> Scheduler:
    """A scheduler configured from ``settings``, fetching through ``client``."""
    fetcher = Fetcher(
        client, retries=settings.feed_retries, timeout_s=settings.feed_timeout_s, clock_ms=clock_ms
    )
    return Scheduler(
        store,
        fetcher,
        feeds=feeds,
        feed_keys=settings.feed_keys,
        policy=SchedulePolicy.from_settings(settings),
        clock_ms=clock_ms,
    )


@asynccontextmanager
async def run_seeders(
    settings: Settings, store: Store, *, clock_ms: Callable[[], int] = wall_clock_ms
) -> AsyncIterator[Scheduler]:
    """Run the scheduler in the background while the body runs (the server's lifespan)."""
    async with make_client(timeout_s=settings.feed_timeout_s, contact=settings.feed_contact) as client:
        scheduler = build_scheduler(settings, store, client, clock_ms=clock_ms)
        async with anyio.create_task_group() as group:
            group.start_soon(scheduler.run_forever)
            logger.info(
                "seeders: %d feeds scheduled, %d disabled for want of a key",
                len(scheduler.enabled),
                len(scheduler.disabled),
            )
            try:
                yield scheduler
            finally:
                group.cancel_scope.cancel()
