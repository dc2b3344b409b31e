"""What the ``seed`` and ``feeds`` commands do, apart from click: run feeds once, run the scheduler,
and render the feed table. cli.py stays a thin layer of options over these functions.
"""

from __future__ import annotations

import logging
import logging.config
from collections.abc import Sequence
from dataclasses import dataclass

import anyio

from ..clock import when_label
from ..errors import StoreUnavailableError
from ..logging_config import logging_config
from ..settings import Settings
from ..store.base import Store
from .base import FEEDS, Feed
from .fetch import make_client
from .live import RunOutcome
from .scheduler import build_scheduler
from .state import FeedStatus, feed_statuses, missing_key


class UnknownFeedError(ValueError):
    """A feed name the registry does not have."""


def select_feeds(names: Sequence[str]) -> list[Feed]:
    """The named feeds in registry order (every feed when ``names`` is empty)."""
    unknown = sorted(set(names) - set(FEEDS))
    if unknown:
        raise UnknownFeedError(
            f"no feed named {', '.join(unknown)}; `worldmonitor-mcp feeds` lists them: {', '.join(FEEDS)}"
        )
    return [feed for feed in FEEDS.values() if not names or feed.name in names]


@dataclass(frozen=True, slots=True)
class OnceReport:
    feed: str
    outcome: RunOutcome | None
    skipped: str | None = None
    """Why the feed did not run: disabled for want of a key, or another instance is running it."""
    skip_is_failure: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome.ok if self.outcome is not None else not self.skip_is_failure

    def describe(self) -> str:
        if self.outcome is not None:
            return self.outcome.describe()
        status = "failed" if self.skip_is_failure else "skipped"
        return f"{status:<10} {self.feed}: {self.skipped}"


async def run_once(
    settings: Settings, store: Store, feeds: Sequence[Feed], *, named: bool
) -> list[OnceReport]:
    """Fetch each feed once now, under its lock, whatever its schedule says; reports in ``feeds`` order.

    Up to ``WORLDMONITOR_FEED_CONCURRENCY`` feeds run at once. A feed disabled for want of its key is a
    failure when the operator ``named`` it, and news otherwise.
    """
    reports: dict[str, OnceReport] = {}
    # Each report line says what happened; the log would say it again on stderr. Errors (bugs) still show.
    seeders_log = logging.getLogger("worldmonitor.seeders")
    level = seeders_log.level
    seeders_log.setLevel(logging.ERROR)
    try:
        async with make_client(timeout_s=settings.feed_timeout_s, contact=settings.feed_contact) as client:
            scheduler = build_scheduler(settings, store, client, feeds=feeds)
            limiter = anyio.CapacityLimiter(settings.feed_concurrency)

            async def one(feed: Feed) -> None:
                try:
                    async with limiter:
                        outcome = await scheduler.run(feed, force=True)
                except StoreUnavailableError as exc:  # one line per feed, not a task group traceback
                    reports[feed.name] = OnceReport(
                        feed.name, None, f"the store is unavailable ({exc.log_reason})", skip_is_failure=True
                    )
                    return
                if outcome is None:
                    reports[feed.name] = OnceReport(
                        feed.name, None, "another instance is running it right now"
                    )
                else:
                    reports[feed.name] = OnceReport(feed.name, outcome)

            async with anyio.create_task_group() as group:
                for feed in feeds:
                    env = missing_key(feed, settings.feed_keys)
                    if env is None:
                        group.start_soon(one, feed)
                    else:
                        reports[feed.name] = OnceReport(
                            feed.name, None, f"disabled: set {env}", skip_is_failure=named
                        )
    finally:
        seeders_log.setLevel(level)
    return [reports[feed.name] for feed in feeds]


async def run_schedule(settings: Settings, store: Store, feeds: Sequence[Feed]) -> None:
    """Run the scheduler in the foreground until interrupted; the log is its progress report."""
    logging.config.dictConfig(logging_config(settings.log_level))
    async with make_client(timeout_s=settings.feed_timeout_s, contact=settings.feed_contact) as client:
        await build_scheduler(settings, store, client, feeds=feeds).run_forever()


async def statuses(settings: Settings, store: Store) -> list[FeedStatus]:
    return await feed_statuses(store, FEEDS.values(), settings.feed_keys)


# -- the `feeds` table ----------------------------------------------------------------------------


def duration_label(seconds: float) -> str:
    """``300`` -> ``5m``, ``3600`` -> ``1h``, ``90`` -> ``90s``, ``86400`` -> ``1d``."""
    whole = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole >= size and whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


def status_label(status: FeedStatus) -> str:
    if status.missing_key is not None:
        return f"disabled: set {status.missing_key}"
    failure = status.state.last_failure
    if status.failing and failure is not None:
        return f"failing x{status.state.consecutive_failures}: {failure.kind}"
    if status.state.last_run_at_ms is None:
        return "not run yet" if status.record_count is None else "not run yet (file data)"
    return "ok"


def feeds_table(rows: Sequence[FeedStatus]) -> list[str]:
    """The lines ``worldmonitor-mcp feeds`` prints: a table, then the message of each failing feed."""
    table = [("FEED", "CADENCE", "LAST RUN", "LAST SUCCESS", "RECORDS", "STATUS")]
    for row in rows:
        table.append(
            (
                row.feed.name,
                duration_label(row.feed.cadence_s),
                when_label(row.state.last_run_at_ms),
                when_label(row.state.last_success_at_ms),
                "-" if row.record_count is None else str(row.record_count),
                status_label(row),
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False)) + "  " + line[-1]
        for line in table
    ]
    for row in rows:
        failure = row.state.last_failure
        if row.failing and failure is not None:
            lines.append(f"{row.feed.name} at {when_label(failure.at_ms)}: {failure.message}")
    return lines
