"""The Store protocol: the few primitives the application needs from a key-value backend.

Repositories (API keys, the data cache, later OAuth clients and tokens) sit on top of it and know
nothing of the backend. Values are bytes; times are epoch milliseconds passed in by the caller, so
tests move a clock instead of sleeping. Every backend translates its own failures (sqlite3, redis-py,
timeouts) into ``StoreUnavailableError``, which the web layer answers with 503 + Retry-After.

The hot path is ``check_credential``: one round trip that looks up a credential record, verifies the
secret hash, counts the request in the principal's sliding window and reads the data version.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import orjson


@dataclass(frozen=True, slots=True)
class WindowResult:
    """Outcome of one hit on an exact sliding window of ``limit`` hits per ``window_ms``."""

    allowed: bool
    limit: int
    remaining: int
    reset_ms: int
    """Milliseconds until the oldest hit counted in the window leaves it; after an allowed hit on an
    empty window that is the whole window."""


@dataclass(frozen=True, slots=True)
class CredentialCheck:
    """What ``check_credential`` learned in its one round trip."""

    record: bytes | None
    """The stored credential record; None when the key does not exist or the hash did not match."""
    window: WindowResult | None
    """The rate-limit outcome; None when the credential did not match (nothing was counted)."""
    data_version: int
    """Counter bumped by every cache write; keys in-process result caches."""
    related: tuple[bytes | None, ...] = ()
    """The values of ``related_keys``, in order, when the credential matched (e.g. the API key behind a
    token and the grant it belongs to); empty when it did not."""


def secret_hash_matches(record: bytes, secret_hash: str) -> bool:
    """Whether a credential record (a JSON object) holds ``secret_hash``, compared in constant time;
    False for a record that is not such an object. What ``check_credential`` checks, in every backend."""
    try:
        stored = orjson.loads(record).get("secret_hash")
    except (orjson.JSONDecodeError, AttributeError):
        return False
    return isinstance(stored, str) and hmac.compare_digest(stored.encode(), secret_hash.encode())


@runtime_checkable
class Store(Protocol):
    """Async key-value primitives. Implementations: ``SqliteStore`` and ``RedisStore``."""

    backend_name: str

    async def get(self, key: str) -> bytes | None: ...

    async def mget(self, keys: Sequence[str]) -> list[bytes | None]: ...

    async def set(self, key: str, value: bytes, ttl_ms: int | None = None) -> None:
        """Store ``value``; with ``ttl_ms`` the key disappears after that many milliseconds (``ttl_ms <= 0``
        deletes it). Does not bump the data version: only ``set_many`` (cache writes) does."""

    async def set_many(self, items: Mapping[str, bytes], ttl_ms: int | None = None) -> None:
        """Store several keys at once and bump the data version, all or nothing."""

    async def getdel(self, key: str) -> bytes | None:
        """Return the value and delete the key atomically (one-time codes)."""

    async def delete(self, *keys: str) -> int: ...

    async def scan(self, prefix: str) -> list[str]:
        """Every live key that starts with ``prefix`` (operator commands, never the hot path)."""

    async def data_version(self) -> int: ...

    async def hit_window(self, key: str, limit: int, window_ms: int, now_ms: int) -> WindowResult:
        """Count one hit in an exact sliding window, atomically; a refused hit is not counted.

        Window keys belong to the window primitives: use them only with ``hit_window``,
        ``check_credential`` and ``delete``, never with ``get`` or ``set``."""

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
        """One round trip for authentication and rate limiting.

        When ``record_key`` is given, its value must be a JSON object whose ``secret_hash`` field equals
        ``secret_hash``; otherwise nothing is counted and ``record`` is None. When it matches (or when
        ``record_key`` is None: a credential already verified in memory), one hit is counted in
        ``window_key``, ``now_ms`` is written to ``touch_key`` (last-used time) and the values of
        ``related_keys`` are read. All keys share one Redis Cluster hash tag.
        """

    async def acquire_lock(self, key: str, token: str, ttl_ms: int) -> bool:
        """Take the lock ``key`` for ``token`` unless it is held; True when taken, False when held.

        The lock expires after ``ttl_ms`` (which must be positive), so a holder that dies frees it. It is
        not re-entrant: the same token cannot take a held lock twice. Lock keys belong to the lock
        primitives: use them only with ``acquire_lock`` and ``release_lock``."""

    async def release_lock(self, key: str, token: str) -> bool:
        """Free the lock ``key`` only if ``token`` still holds it (compare-and-delete), atomically.

        False when the lock had expired or another holder has it since: that holder keeps it."""

    async def ping(self) -> None: ...

    async def aclose(self) -> None: ...
