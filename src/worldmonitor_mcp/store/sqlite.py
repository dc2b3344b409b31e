"""The embedded store: one SQLite file in WAL mode, shared by every worker process on the machine.

Calls run synchronously on the event loop. Each statement here takes microseconds, and a hop to a
thread (what aiosqlite does) costs more than the query itself; docs/architecture.md has the numbers.
Multi-statement operations run inside ``BEGIN IMMEDIATE``, which takes SQLite's write lock up front, so
the sliding window stays exact across worker processes. The lock wait is bounded by the store timeout,
after which the operation fails as ``StoreUnavailableError``.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from ..clock import wall_clock_ms
from ..errors import StoreUnavailableError
from . import keys
from .base import CredentialCheck, WindowResult, secret_hash_matches

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    expires_at_ms INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS window_hits (
    key TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    hit_id TEXT NOT NULL,
    PRIMARY KEY (key, at_ms, hit_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS window_counts (
    key TEXT PRIMARY KEY,
    hits INTEGER NOT NULL
) WITHOUT ROWID;
"""

PURGE_EVERY_WRITES = 1000
"""Expired rows are invisible at once but deleted in bulk, every this many writes, to keep writes cheap."""


class SqliteStore:
    backend_name = "sqlite"

    def __init__(self, path: Path | str, *, timeout_s: float = 1.0) -> None:
        self._path = str(path)
        if self._path != ":memory:":
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        self._timeout_s = timeout_s
        self._writes = 0
        try:
            self._db = sqlite3.connect(self._path, timeout=timeout_s, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreUnavailableError(log_reason=f"sqlite open failed: {exc}") from exc

    # -- plumbing -------------------------------------------------------------------------------

    def _run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return operation(self._db)
        except sqlite3.Error as exc:
            raise StoreUnavailableError(log_reason=f"sqlite error: {exc}") from exc

    @contextmanager
    def _transaction(self, db: sqlite3.Connection) -> Iterator[None]:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _count_write(self, db: sqlite3.Connection) -> None:
        self._writes += 1
        if self._writes % PURGE_EVERY_WRITES == 0:
            db.execute(
                "DELETE FROM kv WHERE expires_at_ms IS NOT NULL AND expires_at_ms <= ?", (wall_clock_ms(),)
            )

    @staticmethod
    def _get(db: sqlite3.Connection, key: str) -> bytes | None:
        row = db.execute(
            "SELECT value FROM kv WHERE key = ? AND (expires_at_ms IS NULL OR expires_at_ms > ?)",
            (key, wall_clock_ms()),
        ).fetchone()
        return None if row is None else bytes(row[0])

    @staticmethod
    def _put(db: sqlite3.Connection, key: str, value: bytes, ttl_ms: int | None) -> None:
        expires = None if ttl_ms is None else wall_clock_ms() + ttl_ms
        db.execute(
            "INSERT INTO kv (key, value, expires_at_ms) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at_ms = excluded.expires_at_ms",
            (key, value, expires),
        )

    @classmethod
    def _version(cls, db: sqlite3.Connection) -> int:
        raw = cls._get(db, keys.DATA_VERSION)
        return int(raw) if raw else 0

    @staticmethod
    def _hit(db: sqlite3.Connection, key: str, limit: int, window_ms: int, now_ms: int) -> WindowResult:
        # count(*) over a busy window reads every hit in it (5 ms at 60k rows, measured in bench/), so the
        # count is kept in window_counts, moved by exactly what this transaction deletes and inserts; the
        # oldest hit is one seek on the primary key.
        removed = db.execute(
            "DELETE FROM window_hits WHERE key = ? AND at_ms <= ?", (key, now_ms - window_ms)
        ).rowcount
        row = db.execute("SELECT hits FROM window_counts WHERE key = ?", (key,)).fetchone()
        if row is None:  # a window written before the counter existed: count it once
            count = db.execute("SELECT count(*) FROM window_hits WHERE key = ?", (key,)).fetchone()[0]
        else:
            count = row[0] - removed
        oldest_row = db.execute(
            "SELECT at_ms FROM window_hits WHERE key = ? ORDER BY at_ms LIMIT 1", (key,)
        ).fetchone()
        first = now_ms if oldest_row is None else oldest_row[0]
        allowed = count < limit
        if allowed:
            db.execute(
                "INSERT INTO window_hits (key, at_ms, hit_id) VALUES (?, ?, ?)",
                (key, now_ms, uuid.uuid4().hex),
            )
            count += 1
        if allowed or removed or row is None:
            db.execute(
                "INSERT INTO window_counts (key, hits) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET hits = excluded.hits",
                (key, count),
            )
        if not allowed:
            return WindowResult(
                False, limit, 0, window_ms if oldest_row is None else first + window_ms - now_ms
            )
        return WindowResult(True, limit, limit - count, first + window_ms - now_ms)

    # -- Store protocol -------------------------------------------------------------------------

    async def get(self, key: str) -> bytes | None:
        return self._run(lambda db: self._get(db, key))

    async def mget(self, keys_: Sequence[str]) -> list[bytes | None]:
        return self._run(lambda db: [self._get(db, k) for k in keys_])

    async def set(self, key: str, value: bytes, ttl_ms: int | None = None) -> None:
        def op(db: sqlite3.Connection) -> None:
            self._put(db, key, value, ttl_ms)
            self._count_write(db)

        self._run(op)

    async def set_many(self, items: Mapping[str, bytes], ttl_ms: int | None = None) -> None:
        def op(db: sqlite3.Connection) -> None:
            with self._transaction(db):
                for key, value in items.items():
                    self._put(db, key, value, ttl_ms)
                self._put(db, keys.DATA_VERSION, str(self._version(db) + 1).encode(), None)
            self._count_write(db)

        self._run(op)

    async def getdel(self, key: str) -> bytes | None:
        def op(db: sqlite3.Connection) -> bytes | None:
            with self._transaction(db):
                value = self._get(db, key)
                db.execute("DELETE FROM kv WHERE key = ?", (key,))
            return value

        return self._run(op)

    async def delete(self, *keys_: str) -> int:
        def op(db: sqlite3.Connection) -> int:
            now = wall_clock_ms()
            with self._transaction(db):
                removed = 0
                for key in keys_:
                    cursor = db.execute(
                        "DELETE FROM kv WHERE key = ? AND (expires_at_ms IS NULL OR expires_at_ms > ?)",
                        (key, now),
                    )
                    removed += cursor.rowcount
                    db.execute("DELETE FROM kv WHERE key = ?", (key,))
                    db.execute("DELETE FROM window_hits WHERE key = ?", (key,))
                    db.execute("DELETE FROM window_counts WHERE key = ?", (key,))
            return removed

        return self._run(op)

    async def scan(self, prefix: str) -> list[str]:
        def op(db: sqlite3.Connection) -> list[str]:
            # substr() compares bytes exactly; LIKE would fold ASCII case and treat _ and % as wildcards.
            rows = db.execute(
                "SELECT key FROM kv WHERE substr(key, 1, ?) = ? "
                "AND (expires_at_ms IS NULL OR expires_at_ms > ?) ORDER BY key",
                (len(prefix), prefix, wall_clock_ms()),
            ).fetchall()
            return [row[0] for row in rows]

        return self._run(op)

    async def data_version(self) -> int:
        return self._run(self._version)

    async def hit_window(self, key: str, limit: int, window_ms: int, now_ms: int) -> WindowResult:
        def op(db: sqlite3.Connection) -> WindowResult:
            with self._transaction(db):
                return self._hit(db, key, limit, window_ms, now_ms)

        return self._run(op)

    async def check_credential(
        self,
        *,
        record_key: str | None,
        secret_hash: str,
        touch_key: str | None,
        window_key: str,
        limit: int,
        window_ms: int,
        now_ms: int,
        related_keys: Sequence[str] = (),
    ) -> CredentialCheck:
        def op(db: sqlite3.Connection) -> CredentialCheck:
            with self._transaction(db):
                record = None
                if record_key is not None:
                    record = self._get(db, record_key)
                    if record is None or not secret_hash_matches(record, secret_hash):
                        return CredentialCheck(None, None, self._version(db))
                window = self._hit(db, window_key, limit, window_ms, now_ms)
                if touch_key is not None:
                    self._put(db, touch_key, str(now_ms).encode(), None)
                related = tuple(self._get(db, key) for key in related_keys)
                return CredentialCheck(record, window, self._version(db), related)

        return self._run(op)

    async def acquire_lock(self, key: str, token: str, ttl_ms: int) -> bool:
        if ttl_ms <= 0:
            raise ValueError(f"a lock needs a positive ttl_ms, got {ttl_ms}")

        def op(db: sqlite3.Connection) -> bool:
            # BEGIN IMMEDIATE holds the write lock from the read to the write, so of several processes
            # on one file exactly one sees the lock free and takes it.
            with self._transaction(db):
                if self._get(db, key) is not None:
                    return False
                self._put(db, key, token.encode(), ttl_ms)
            self._count_write(db)
            return True

        return self._run(op)

    async def release_lock(self, key: str, token: str) -> bool:
        def op(db: sqlite3.Connection) -> bool:
            # One statement, so atomic on its own: the row goes only if it is live and still ours.
            cursor = db.execute(
                "DELETE FROM kv WHERE key = ? AND value = ? AND (expires_at_ms IS NULL OR expires_at_ms > ?)",
                (key, token.encode(), wall_clock_ms()),
            )
            return cursor.rowcount == 1

        return self._run(op)

    async def ping(self) -> None:
        self._run(lambda db: db.execute("SELECT 1").fetchone())

    async def aclose(self) -> None:
        self._db.close()
