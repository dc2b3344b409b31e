"""Seed the store from files: the bundled snapshot of real data, or a directory an operator fills.

``load_snapshot`` runs every registered feed's parser over its sample in ``worldmonitor_mcp/snapshot``
(read through importlib.resources, so it works from an installed wheel). ``seed_from_dir`` does the same for
files in a directory, recognised by name: each feed lists its names in ``Feed.file_names``, which include the
upstream's own (``4.5_week.geojson``, ``known_exploited_vulnerabilities.json``, ``eurofxref-daily.xml``)
and the names of the bundled samples. Run ``describe_file_names()`` for the full table.

In both cases ``fetchedAt`` is the data's own time (``ParsedFeed.published_at_ms``), never the time of
loading, and data never replaces stored data that is at least as new. Each feed is seeded on its own: one
failure becomes a failed ``SeedReport`` and the others carry on. ``seed_from_file`` seeds one named feed
from one file. After any of them, the composite keys fed by what was written are rebuilt (composite.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import anyio
import orjson

from ..clock import wall_clock_ms
from ..errors import StoreUnavailableError
from ..store import keys
from ..store.base import Store
from ._dates import iso_utc
from .base import FEEDS, Feed, ParsedFeed, SeedError
from .composite import rebuild_composites
from .writer import stored_fetched_at_ms, write_feed

logger = logging.getLogger("worldmonitor.seeders")

SNAPSHOT_PACKAGE = "worldmonitor_mcp.snapshot"

FUTURE_TOLERANCE_MS = 86_400_000
"""Data stamped more than a day ahead of this machine's clock is a corrupt file or a wrong clock."""

_NAMES_SHOWN = 4
"""File names listed in a ``missing`` report; USGS alone has 21."""

SeedStatus = Literal["seeded", "skipped", "failed", "missing", "unrecognised"]


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What happened to one feed, or to one file that no feed reads."""

    status: SeedStatus
    """``seeded``; ``skipped`` (the store already holds data as new, or a better file was used);
    ``failed``; ``missing`` (no file for this feed in the directory); ``unrecognised`` (a file no feed
    reads)."""
    feed: str | None
    key: str | None
    source: str | None
    """The file the data came from: a bundled sample's name or a path in the directory."""
    record_count: int | None = None
    fetched_at_ms: int | None = None
    """The data's own time, written to seed-meta as ``fetchedAt``."""
    error: str | None = None
    """Why the feed failed or was skipped, or why the file was not used."""

    @property
    def ok(self) -> bool:
        """False only for ``failed``: a missing or unrecognised file is news, not a fault."""
        return self.status != "failed"

    def describe(self) -> str:
        """One line for the operator."""
        what = self.feed or "-"
        parts = [f"{self.status:<12} {what:<10}"]
        if self.key:
            parts.append(self.key)
        if self.record_count is not None:
            parts.append(f"{self.record_count} records")
        if self.fetched_at_ms is not None:
            parts.append(f"data of {_iso(self.fetched_at_ms)}")
        if self.source:
            parts.append(f"from {self.source}")
        line = "  ".join(parts)
        return f"{line}: {self.error}" if self.error else line


def _iso(ms: int) -> str:
    try:
        return iso_utc(ms)
    except (OverflowError, OSError, ValueError):
        return f"{ms} ms since the epoch"


def _data_time_ms(feed: Feed, parsed: ParsedFeed, now_ms: int, undated_ms: int | None = None) -> int:
    """The data's own time; ``undated_ms`` (the bundled sample's download time) when the payload has none."""
    data_ms = parsed.published_at_ms if parsed.published_at_ms is not None else parsed.newest_item_at_ms
    data_ms = undated_ms if data_ms is None else data_ms
    if data_ms is None:
        raise SeedError(f"{feed.name}: the payload carries no timestamp, so its age is unknown")
    if data_ms > now_ms + FUTURE_TOLERANCE_MS:
        raise SeedError(
            f"{feed.name}: the data is stamped {_iso(data_ms)}, in the future of this machine's clock "
            f"({_iso(now_ms)}): a corrupt file, or a clock to fix"
        )
    return data_ms


async def _seed(
    store: Store, feed: Feed, parsed: ParsedFeed, *, source: str, now_ms: int, undated_ms: int | None = None
) -> SeedReport:
    """Write ``parsed`` unless the store already holds data at least as new."""
    fetched_at = _data_time_ms(feed, parsed, now_ms, undated_ms)
    stored_at = await stored_fetched_at_ms(store, feed)
    if stored_at is not None and stored_at >= fetched_at:
        return SeedReport(
            "skipped",
            feed.name,
            feed.data_key,
            source,
            parsed.record_count,
            fetched_at,
            error=f"the store already holds data from {_iso(stored_at)}; this is from {_iso(fetched_at)}",
        )
    await write_feed(store, feed, parsed, now_ms=now_ms, fetched_at_ms=fetched_at)
    return SeedReport("seeded", feed.name, feed.data_key, source, parsed.record_count, fetched_at)


def _failed(feed: Feed, source: str | None, exc: Exception) -> SeedReport:
    if isinstance(exc, SeedError):
        reason = str(exc)
    elif isinstance(exc, StoreUnavailableError):
        reason = f"{feed.name}: store unavailable ({exc.log_reason})"
    elif isinstance(exc, OSError):
        reason = f"{feed.name}: cannot read {source}: {exc.strerror or exc}"
    else:
        # A bug, not a data problem: keep the traceback for the developer, and carry on with the others.
        logger.exception("seeding %s from %s failed unexpectedly", feed.name, source)
        reason = f"{feed.name}: unexpected {type(exc).__name__}: {exc}"
    return SeedReport("failed", feed.name, feed.data_key, source, error=reason)


async def load_snapshot_if_empty(store: Store, *, now_ms: int | None = None) -> list[SeedReport] | None:
    """Load the snapshot into a store that has never had it and holds none of its keys; else None.

    A store with any of the feeds' keys is left alone, even without seed-meta: it may be a live
    WorldMonitor Redis, whose data must never be replaced by an old sample.
    """
    marker_and_data = await store.mget([keys.SNAPSHOT_MARKER, *(feed.data_key for feed in FEEDS.values())])
    if any(value is not None for value in marker_and_data):
        return None
    return await load_snapshot(store, now_ms=now_ms)


async def load_snapshot(store: Store, *, now_ms: int | None = None) -> list[SeedReport]:
    """Seed every registered feed from its bundled sample; one report per feed, in registry order.

    Afterwards ``wm:snapshot-loaded`` records when this ran and what each feed did.
    """
    now = wall_clock_ms() if now_ms is None else now_ms
    reports = []
    for feed in FEEDS.values():
        try:
            payload = resources.files(SNAPSHOT_PACKAGE).joinpath(feed.snapshot_file).read_bytes()
            parsed = feed.parse(payload)
            report = await _seed(
                store,
                feed,
                parsed,
                source=feed.snapshot_file,
                now_ms=now,
                undated_ms=feed.sample_fetched_at_ms,
            )
        except Exception as exc:  # one feed's failure never stops the others
            report = _failed(feed, feed.snapshot_file, exc)
        reports.append(report)
    await _rebuild_composites(store, reports)
    marker = {"loadedAt": now, "feeds": {report.feed: report.status for report in reports}}
    try:
        await store.set(keys.SNAPSHOT_MARKER, orjson.dumps(marker))
    except StoreUnavailableError as exc:
        logger.warning("could not record the snapshot marker: %s", exc.log_reason)
    return reports


def _read_candidates(
    feed: Feed, paths: list[Path], now_ms: int
) -> tuple[list[tuple[Path, ParsedFeed, int]], list[SeedReport]]:
    parsed: list[tuple[Path, ParsedFeed, int]] = []
    failed: list[SeedReport] = []
    for path in paths:
        try:
            result = feed.parse(path.read_bytes())
            parsed.append((path, result, _data_time_ms(feed, result, now_ms)))
        except Exception as exc:  # a bad file is reported; the next one is tried
            failed.append(_failed(feed, str(path), exc))
    return parsed, failed


async def _seed_feed_from_dir(store: Store, feed: Feed, paths: list[Path], now_ms: int) -> list[SeedReport]:
    if not paths:
        return [SeedReport("missing", feed.name, feed.data_key, None, error=_missing_message(feed))]
    candidates, reports = _read_candidates(feed, paths, now_ms)
    if not candidates:
        return reports
    # The newest data wins; among equally new files, the one listed first in feed.file_names.
    best = max(candidates, key=lambda item: (item[2], -paths.index(item[0])))
    for path, result, data_ms in candidates:
        if path != best[0]:
            reports.append(
                SeedReport(
                    "skipped",
                    feed.name,
                    feed.data_key,
                    str(path),
                    result.record_count,
                    data_ms,
                    error=f"{best[0].name} was used instead (newer data, or preferred for the same day)",
                )
            )
    path, result, _ = best
    try:
        reports.insert(0, await _seed(store, feed, result, source=str(path), now_ms=now_ms))
    except Exception as exc:  # one feed's failure never stops the others
        reports.insert(0, _failed(feed, str(path), exc))
    return reports


def _scan(directory: Path) -> tuple[dict[str, list[Path]], list[SeedReport]]:
    """Match the entries of ``directory`` to feeds: (feed name -> its files, most preferred first;
    reports for the entries no feed reads)."""
    if not directory.is_dir():
        raise SeedError(f"{directory} is not a directory: pass the folder that holds the feed files")
    entries = {entry.name: entry for entry in directory.iterdir()}
    matched: dict[str, list[Path]] = {}
    for feed in FEEDS.values():
        matched[feed.name] = [entries[n] for n in feed.file_names if n in entries and entries[n].is_file()]
    claimed = {path.name for paths in matched.values() for path in paths}
    unrecognised = []
    for name in sorted(set(entries) - claimed):
        if entries[name].is_dir():
            why = "a directory: only files directly inside the given directory are read"
        else:
            why = f"no feed reads a file named {name!r} (names match exactly; see describe_file_names())"
        unrecognised.append(SeedReport("unrecognised", None, None, str(entries[name]), error=why))
    return matched, unrecognised


async def seed_from_dir(store: Store, directory: Path, *, now_ms: int) -> list[SeedReport]:
    """Seed every feed that has a file in ``directory`` (not searched recursively).

    Reports come per feed in registry order (``missing`` when the directory has no file for it), then one
    ``unrecognised`` report per directory entry that no feed reads. Files are read inline: they are small,
    and seeding is an operator's or start-up action, never the request path.
    """
    matched, unrecognised = _scan(directory)
    reports: list[SeedReport] = []
    for feed in FEEDS.values():
        reports.extend(await _seed_feed_from_dir(store, feed, matched[feed.name], now_ms))
    await _rebuild_composites(store, reports)
    return reports + unrecognised


async def seed_from_file(store: Store, feed: Feed, path: Path, *, now_ms: int) -> SeedReport:
    """Seed one feed from one saved upstream response, whatever its file name.

    Like a directory, with two differences: the operator names the feed, and the data replaces what is
    stored even when that is newer (the operator asked for this file). The record floor of live runs does
    not apply, so this is also how a real, large drop in a feed is confirmed.
    """
    try:
        parsed = feed.parse(await anyio.Path(path).read_bytes())
        fetched_at = _data_time_ms(feed, parsed, now_ms)
        await write_feed(store, feed, parsed, now_ms=now_ms, fetched_at_ms=fetched_at)
    except Exception as exc:  # reported to the operator, with the reason
        return _failed(feed, str(path), exc)
    report = SeedReport("seeded", feed.name, feed.data_key, str(path), parsed.record_count, fetched_at)
    await _rebuild_composites(store, [report])
    return report


async def _rebuild_composites(store: Store, reports: list[SeedReport]) -> None:
    """Composite keys follow the sources just seeded; written without expiry, as file data is."""
    seeded = [report.feed for report in reports if report.status == "seeded" and report.feed is not None]
    try:
        await rebuild_composites(store, *seeded, live=False)
    except StoreUnavailableError as exc:
        logger.warning("could not rebuild the composite keys: %s", exc.log_reason)


def describe_file_names() -> dict[str, tuple[str, ...]]:
    """Feed name -> the file names ``seed_from_dir`` recognises for it, most preferred first."""
    return {feed.name: feed.file_names for feed in FEEDS.values()}


def _missing_message(feed: Feed) -> str:
    shown = ", ".join(feed.file_names[:_NAMES_SHOWN])
    more = len(feed.file_names) - _NAMES_SHOWN
    return f"no file for this feed; looked for {shown}" + (f" and {more} more" if more > 0 else "")
