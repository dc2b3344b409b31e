"""What a seeder is: a ``Feed`` record, the ``ParsedFeed`` its parser returns, the registry, the errors.

A feed turns one upstream payload into one cache key. Its parser is a pure function
``bytes -> ParsedFeed``: no I/O, no clock, so it runs the same on a live response, a bundled sample or a
file an operator dropped in a directory. The package registers each feed module's ``Feed`` here, and the
rest of it (snapshot and file loading, live fetching, scheduling, ``docs/feeds.md``) only walks ``FEEDS``.

Errors stay inside the seeding path (the CLI, the log and the failure recorded in seed-meta report them);
none reaches the MCP wire, so they are plain exceptions rather than ``WorldMonitorError``. Each carries
the ``kind`` recorded in a failure::

    SeedError                       anything that stopped one feed from being seeded         (seed)
    ├── FeedFormatError             the payload is not the shape the parser knows          (format)
    │   └── UnsafeXmlError          XML with a DTD or entity declarations              (unsafe-xml)
    ├── EmptyResultError            refusing to overwrite stored data with an empty result  (empty)
    ├── RecordFloorError            suspiciously few records against the last good value    (record-floor)
    └── FetchError                  the upstream did not deliver (seeders/fetch.py)         (fetch)
        ├── UpstreamStatusError         an HTTP error status, after retries                 (http-status)
        │   └── UpstreamRateLimitedError    429, or a Retry-After too long to wait out      (rate-limited)
        ├── UpstreamTimeoutError        no complete answer within the timeout               (timeout)
        ├── UpstreamUnreachableError    DNS, connection or TLS failure                       (unreachable)
        └── FeedTooLargeError           the body passed the feed's size cap                  (too-large)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import ValidationError

from ..store import keys


class SeedError(Exception):
    """One feed could not be seeded. The message names the feed and says what to do."""

    kind = "seed"
    """A short, stable word for the failure record (``lastFailure.kind``) and the ``feeds`` listing."""


class FeedFormatError(SeedError):
    """The payload is not the shape this feed's parser recognises (wrong format, schema drift, truncation)."""

    kind = "format"

    def __init__(self, feed: str, problem: str) -> None:
        self.feed = feed
        self.problem = problem
        super().__init__(f"{feed}: unrecognised payload: {problem}")


class UnsafeXmlError(FeedFormatError):
    """defusedxml refused the document: a DTD, entity declarations or external references."""

    kind = "unsafe-xml"


class EmptyResultError(SeedError):
    """The parser found no records while the store still holds data for this feed."""

    kind = "empty"


class RecordFloorError(SeedError):
    """Fewer records than the feed's floor: below ``Feed.min_records``, or a drop of at least
    ``Feed.max_drop_fraction`` against the last good record count. A feed that shrinks that much at once
    is far more often broken upstream (an error page that parses, a truncated export) than real."""

    kind = "record-floor"


@dataclass(frozen=True, slots=True)
class UpstreamRequest:
    """What to GET for a live fetch. ``url`` never holds a secret: it appears in logs and errors. A feed
    that needs a key puts it in ``params`` or ``headers``, which are never logged."""

    url: str
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


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

DEFAULT_CADENCE_S = 3600
DEFAULT_MAX_DROP_FRACTION = 0.9
"""90 % fewer records than last time: the drop the issue calls suspicious."""
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
"""32 MiB: ten times the largest ordinary feed (the full KEV catalog is about 1.5 MB). OFAC's advanced
XML (about 120 MB) sets its own cap."""


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

    # -- live fetching and scheduling (seeders/fetch.py, live.py, scheduler.py); every field has a default,
    # so a feed that only sets the fields above is a valid key-less feed fetched hourly from upstream_url.

    cadence_s: int = DEFAULT_CADENCE_S
    """How often the scheduler fetches the feed (jittered). Conditional GET makes an unchanged feed cheap."""
    needs_key: str | None = None
    """The NAME in ``WORLDMONITOR_FEED_<NAME>_KEY`` (e.g. ``FRED``) for a feed that needs an API key; the
    scheduler reports it disabled while that key is not configured. None: no key needed."""
    build_request: Callable[[str | None], UpstreamRequest] | None = None
    """Builds the request from the configured key (None for key-less feeds); default: GET ``upstream_url``.
    The key goes into params or headers, never into ``UpstreamRequest.url``."""
    min_records: int = 0
    """A live result with fewer records is a failure (``RecordFloorError``), whatever is stored."""
    max_drop_fraction: float | None = DEFAULT_MAX_DROP_FRACTION
    """A live result this much smaller than the last good record count is a failure; None disables it."""
    max_bytes: int = DEFAULT_MAX_BYTES
    """Size cap of one upstream body, after decompression; past it the download is aborted."""
    licence: str = ""
    """The upstream's terms in a few words, for docs/feeds.md (``public domain (USGS)``, ``CC0 1.0``)."""
    sample_fetched_at_ms: int | None = None
    """When the bundled sample was downloaded, for a feed whose payload carries no time of its own (OFAC's
    legacy sdn.csv): ``load_snapshot`` takes it as the data's time. A live run needs none (it knows when it
    fetched); an undated file from a directory is still refused, since its age is unknown."""

    def request(self, key: str | None = None) -> UpstreamRequest:
        """The live request, from ``build_request`` or plainly ``upstream_url``."""
        if self.build_request is not None:
            return self.build_request(key)
        return UpstreamRequest(self.upstream_url)

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
    _check_live_fields(feed)
    for other in FEEDS.values():
        clash = {feed.data_key, feed.seed_meta_key} & {other.data_key, other.seed_meta_key}
        if clash:
            raise ValueError(f"feeds {other.name!r} and {feed.name!r} both write the keys {sorted(clash)}")
        shared = set(other.file_names) & set(feed.file_names)
        if shared:
            raise ValueError(f"feeds {other.name!r} and {feed.name!r} both claim the files {sorted(shared)}")
    FEEDS[feed.name] = feed
    return feed


_KEY_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def _check_live_fields(feed: Feed) -> None:
    if feed.cadence_s <= 0 or feed.cache_ttl_s <= 0 or feed.max_bytes <= 0:
        raise ValueError(f"feed {feed.name!r}: cadence_s, cache_ttl_s and max_bytes must be positive")
    if feed.min_records < 0:
        raise ValueError(f"feed {feed.name!r}: min_records must be 0 or more")
    if feed.max_drop_fraction is not None and not 0 < feed.max_drop_fraction <= 1:
        raise ValueError(f"feed {feed.name!r}: max_drop_fraction must be in (0, 1], or None")
    if feed.needs_key is not None and feed.build_request is None:
        raise ValueError(f"feed {feed.name!r} needs a key but has no build_request to put it in the request")
    if feed.needs_key is not None and not _KEY_NAME.fullmatch(feed.needs_key):
        raise ValueError(
            f"feed {feed.name!r}: needs_key {feed.needs_key!r} must be upper case (A-Z, 0-9, _), "
            "the NAME in WORLDMONITOR_FEED_<NAME>_KEY"
        )


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
