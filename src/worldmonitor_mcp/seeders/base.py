"""What a seeder is: a ``Feed`` record, the ``ParsedFeed`` its parser returns, the registry, the errors.

A feed turns one upstream payload into one cache key. Its parser is a pure function
``bytes -> ParsedFeed``: no I/O, no clock, so it runs the same on a live response, a bundled sample or a
file an operator dropped in a directory. The package registers each feed module's ``Feed`` here, and the
rest of it (snapshot loading today; fetching and scheduling later) only walks ``FEEDS``.

Errors stay inside the seeding path (the CLI and the start-up log report them); none reaches the MCP wire,
so they are plain exceptions rather than ``WorldMonitorError``::

    SeedError                   anything that stopped one feed from being seeded
    ├── FeedFormatError         the payload is not the shape the parser knows
    │   └── UnsafeXmlError      XML with a DTD or entity declarations (possible entity-expansion attack)
    └── EmptyResultError        refusing to overwrite stored data with an empty result
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import ValidationError

from ..store import keys


class SeedError(Exception):
    """One feed could not be seeded. The message names the feed and says what to do."""


class FeedFormatError(SeedError):
    """The payload is not the shape this feed's parser recognises (wrong format, schema drift, truncation)."""

    def __init__(self, feed: str, problem: str) -> None:
        self.feed = feed
        self.problem = problem
        super().__init__(f"{feed}: unrecognised payload: {problem}")


class UnsafeXmlError(FeedFormatError):
    """defusedxml refused the document: a DTD, entity declarations or external references."""


class EmptyResultError(SeedError):
    """The parser found no records while the store still holds data for this feed."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """The outcome of parsing one upstream payload, ready for ``write_feed``."""

    data: object
    """The value stored under the feed's data key: JSON-serialisable, in the WorldMonitor shape."""
    record_count: int
    source_version: str
    """Which upstream variant produced it, e.g. ``usgs-4.5-week`` or ``cisa-kev-2025.08.25``."""
    published_at_ms: int | None
    """The feed's own timestamp (USGS ``metadata.generated``, KEV ``dateReleased``, ECB cube time).

    Seeding from a file uses it as ``fetchedAt``, so old data reads as old."""
    newest_item_at_ms: int | None
    oldest_item_at_ms: int | None


Parser = Callable[[bytes], ParsedFeed]


@dataclass(frozen=True, slots=True)
class Feed:
    """One upstream feed and the cache key it fills."""

    name: str
    """Registry name, also used in reports and logs (``usgs-earthquakes``)."""
    domain: str
    resource: str
    data_key: str
    """The WorldMonitor cache key, e.g. ``seismology:earthquakes:v1``."""
    parse: Parser
    count_records: Callable[[Any], int]
    """Counts the records in a stored value of ``data_key`` (the parser's output shape)."""
    upstream_url: str
    snapshot_file: str
    """The sample bundled in ``worldmonitor_mcp/snapshot`` that ``load_snapshot`` seeds."""
    file_names: tuple[str, ...]
    """File names ``seed_from_dir`` recognises for this feed, most preferred first."""
    cache_ttl_s: int
    """How long a live seed stays valid before it expires (several missed refreshes). The snapshot and
    directory seeding write without expiry: that data is a fallback, flagged stale by its ``fetchedAt``."""

    @property
    def seed_meta_key(self) -> str:
        return keys.seed_meta(self.domain, self.resource)


FEEDS: dict[str, Feed] = {}
"""Every registered feed by name, in registration order."""


def register(feed: Feed) -> Feed:
    """Add ``feed`` to ``FEEDS``. Names, store keys and recognised file names must be unique."""
    if feed.name in FEEDS:
        raise ValueError(f"a feed named {feed.name!r} is already registered")
    if feed.snapshot_file not in feed.file_names:
        raise ValueError(f"feed {feed.name!r}: snapshot_file {feed.snapshot_file!r} is not in file_names")
    for other in FEEDS.values():
        clash = {feed.data_key, feed.seed_meta_key} & {other.data_key, other.seed_meta_key}
        if clash:
            raise ValueError(f"feeds {other.name!r} and {feed.name!r} both write the keys {sorted(clash)}")
        shared = set(other.file_names) & set(feed.file_names)
        if shared:
            raise ValueError(f"feeds {other.name!r} and {feed.name!r} both claim the files {sorted(shared)}")
    FEEDS[feed.name] = feed
    return feed


# -- helpers shared by the parsers --------------------------------------------------------------------


def describe_validation_error(exc: ValidationError, *, limit: int = 3) -> str:
    """A short, readable summary of what failed: ``features.3.geometry.coordinates: Field required``."""
    parts = []
    for error in exc.errors(include_url=False, include_context=False, include_input=False)[:limit]:
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        parts.append(f"{where}: {error['msg']}")
    more = exc.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def epoch_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime; a naive one is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def date_epoch_ms(day: date, at: time = time(0, 0)) -> int:
    """Epoch milliseconds of ``day`` at the UTC wall-clock time ``at``."""
    return epoch_ms(datetime.combine(day, at, tzinfo=UTC))


def newest_oldest(values: Iterable[int]) -> tuple[int | None, int | None]:
    """(max, min) of epoch-ms values, or (None, None) when there are none."""
    items = list(values)
    if not items:
        return None, None
    return max(items), min(items)
