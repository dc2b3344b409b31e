"""The scale-out store: Redis >= 6.0 or Valkey (and Upstash over rediss://), through redis-py asyncio.

Every instance of the server shares one Redis, so everything that must be exact across instances runs
server-side in Lua, registered with ``register_script`` so the wire carries only EVALSHA:
the sliding window (a sorted set of hit timestamps), get-and-delete, the hot-path credential check, and
the compare-and-delete that releases a lock (taking one is a plain ``SET NX PX``).

One round trip matters because each Redis round trip costs about a third of the request ceiling
(design.md: ~1,860 req/s with two GETs against ~4,100 with none). ``check_credential`` therefore sends
its script and the data-version GET in one non-transactional pipeline: one write, one read.

Every redis-py error and every timeout becomes ``StoreUnavailableError`` (503, never a 401). Each
operation also runs under ``asyncio.timeout(timeout_s)``: socket timeouts bound each read, but not a
wait for a pooled connection plus a retry, and a hung server must not hold a request past the store
timeout. Log reasons name the server without its credentials.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import cast
from urllib.parse import unquote, urlsplit

import hiredis
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError, RedisError, ResponseError

from ..errors import StoreUnavailableError
from . import keys
from .base import CredentialCheck, WindowResult, secret_hash_matches
from .redis_wire import Endpoint, MultiplexedConnection, WireError, pack_command

MAX_CONNECTIONS = 64
"""Per process. A worker at the measured ceiling (~2,000 req/s at well under 1 ms a round trip) keeps a
few commands in flight; 64 absorbs bursts while many instances stay far below Redis's default
``maxclients`` of 10,000. Past it, callers queue for a connection, bounded by the store timeout."""

HEALTH_CHECK_INTERVAL_S = 30
"""A connection idle this long is PINGed before reuse, so a socket silently dropped by a proxy or a
managed service's idle timeout (Upstash, cloud load balancers) fails the health check, not a request."""

CONNECTION_RETRIES = 1
"""One immediate retry on a dead pooled connection (server restart, failover). More would only spend
the store timeout; the caller answers 503 + Retry-After instead."""

SCAN_BATCH = 1000
"""COUNT hint for SCAN: few round trips for operator listings without long server-side steps."""

# One sliding-window hit, shared by both scripts below. The window is a sorted set of hits scored by
# their time: entries at or before now - window have left it (as in the SQLite backend), a refused hit
# is not added, and each accepted hit gets a unique member so hits in the same millisecond all count.
# The key lives as long as its newest hit can still matter. Lua numbers are doubles, exact for epoch
# milliseconds.
_WINDOW_LUA = """
local function hit(key, limit, window, now, member)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  local oldest = now
  if count > 0 then
    oldest = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2])
  end
  if count >= limit then
    return {0, 0, oldest + window - now}
  end
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - 1, oldest + window - now}
end
"""

# KEYS[1] = window; ARGV = limit, window_ms, now_ms, member. Returns {allowed, remaining, reset_ms}.
_HIT_WINDOW_LUA = (
    _WINDOW_LUA
    + """
return hit(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4])
"""
)

# KEYS = [record?, window, touch?]: ARGV[1] and ARGV[2] say whether the record and touch keys are
# present, so the script serves a stored credential and one already verified in memory alike; the
# related keys follow the touch key, ARGV[8] says how many. All keys share a Redis Cluster hash tag
# (keys.py). ARGV[3..7] = secret_hash, limit, window_ms, now_ms, member.
# Returns {0} on no match, else {1, allowed, remaining, reset_ms, record or false, related...}.
#
# The Lua `~=` below is not constant-time, and that is fine: both sides are hashes of high-entropy
# secrets, so timing reveals at most how much of a hash an attacker's guess matched, and preimage
# resistance makes that worthless for finding a secret. Python re-checks with hmac.compare_digest.
_CHECK_CREDENTIAL_LUA = (
    _WINDOW_LUA
    + """
local i = 1
local record = nil
if ARGV[1] == '1' then
  record = redis.call('GET', KEYS[1])
  if not record then return {0} end
  local ok, decoded = pcall(cjson.decode, record)
  if not ok or type(decoded) ~= 'table' or decoded['secret_hash'] ~= ARGV[3] then return {0} end
  i = 2
end
local result = hit(KEYS[i], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7])
if ARGV[2] == '1' then
  redis.call('SET', KEYS[i + 1], ARGV[6])
  i = i + 1
end
-- false, not nil: a nil would end the reply array early.
local reply = {1, result[1], result[2], result[3], record or false}
for r = 1, tonumber(ARGV[8]) do reply[5 + r] = redis.call('GET', KEYS[i + r]) end
return reply
"""
)

# GETDEL arrived in Redis 6.2; the script gives the same atomicity on 6.0.
_GETDEL_LUA = """
local value = redis.call('GET', KEYS[1])
if value then redis.call('DEL', KEYS[1]) end
return value
"""

# Release a lock only if this holder still has it: a holder whose lock expired must not free the lock
# that another holder took since (the pattern in the Redis SET documentation).
_RELEASE_LOCK_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_GET_DATA_VERSION = pack_command("GET", keys.DATA_VERSION)


def _as_redis_error(reply: object) -> object:
    """hiredis hands error replies back as values; redis-py's classes let one code path handle both."""
    if isinstance(reply, hiredis.ReplyError):
        message = str(reply)
        return NoScriptError(message) if message.startswith("NOSCRIPT") else ResponseError(message)
    return reply


_GLOB_SPECIALS = frozenset("\\*?[]")


def _glob_escape(text: str) -> str:
    return "".join("\\" + char if char in _GLOB_SPECIALS else char for char in text)


def _describe(url: str) -> tuple[str, list[str]]:
    """Where the server is, for log lines, and the secrets to scrub from any message."""
    parts = urlsplit(url)
    secrets = [s for s in (parts.password, unquote(parts.password or "")) if s]
    if parts.scheme == "unix":
        return f"unix://{parts.path}", secrets
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{parts.scheme}://{parts.hostname}:{port or 6379}", secrets


def _window(limit: int, reply: Sequence[int]) -> WindowResult:
    allowed, remaining, reset_ms = reply
    return WindowResult(bool(allowed), limit, int(remaining), int(reset_ms))


class RedisStore:
    backend_name = "redis"

    def __init__(
        self,
        client: Redis,
        *,
        timeout_s: float,
        where: str,
        secrets: Sequence[str] = (),
        wire: MultiplexedConnection | None = None,
    ) -> None:
        self._redis = client
        self._wire = wire
        """The hot path's own connection (redis_wire.py); None sends the credential check through redis-py."""
        self._timeout_s = timeout_s
        self._where = where
        self._secrets = tuple(secrets)
        self._hit_script = client.register_script(_HIT_WINDOW_LUA)
        self._check_script = client.register_script(_CHECK_CREDENTIAL_LUA)
        self._getdel_script = client.register_script(_GETDEL_LUA)
        self._release_lock_script = client.register_script(_RELEASE_LOCK_LUA)

    @classmethod
    def from_url(cls, url: str, *, timeout_s: float) -> RedisStore:
        """Open a pool on a ``redis://``, ``rediss://`` or ``unix://`` URL; connections open lazily."""
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            timeout=timeout_s,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            health_check_interval=HEALTH_CHECK_INTERVAL_S,
            retry=Retry(NoBackoff(), CONNECTION_RETRIES),
        )
        where, secrets = _describe(url)
        endpoint = Endpoint.from_url(url)
        wire = MultiplexedConnection(endpoint) if endpoint is not None else None
        return cls(Redis.from_pool(pool), timeout_s=timeout_s, where=where, secrets=secrets, wire=wire)

    # -- plumbing -------------------------------------------------------------------------------

    @asynccontextmanager
    async def _guard(self, operation: str) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(self._timeout_s):
                yield
        except TimeoutError as exc:  # asyncio's and the socket's (redis-py's own is a RedisError)
            raise self._unavailable(operation, f"timed out after {self._timeout_s} s") from exc
        except (RedisError, OSError, WireError) as exc:
            raise self._unavailable(operation, f"{type(exc).__name__}: {exc}") from exc

    def _unavailable(self, operation: str, detail: str) -> StoreUnavailableError:
        for secret in self._secrets:
            detail = detail.replace(secret, "***")
        return StoreUnavailableError(log_reason=f"redis {operation} on {self._where} failed: {detail}")

    @staticmethod
    def _queue_set(pipe: Pipeline, key: str, value: bytes, ttl_ms: int | None) -> None:
        # SET ... PX 0 fails inside EXEC without rolling back the other commands; a key whose TTL has
        # already run out is simply gone, as in the SQLite backend.
        if ttl_ms is not None and ttl_ms <= 0:
            pipe.delete(key)
        else:
            pipe.set(key, value, px=ttl_ms)

    # -- Store protocol -------------------------------------------------------------------------

    async def get(self, key: str) -> bytes | None:
        async with self._guard("GET"):
            return cast(bytes | None, await self._redis.get(key))

    async def mget(self, keys_: Sequence[str]) -> list[bytes | None]:
        if not keys_:
            return []
        async with self._guard("MGET"):
            return cast(list[bytes | None], await self._redis.mget(list(keys_)))

    async def set(self, key: str, value: bytes, ttl_ms: int | None = None) -> None:
        async with self._guard("SET"), self._redis.pipeline(transaction=False) as pipe:
            self._queue_set(pipe, key, value, ttl_ms)
            await pipe.execute()

    async def set_many(self, items: Mapping[str, bytes], ttl_ms: int | None = None) -> None:
        async with self._guard("MULTI"), self._redis.pipeline(transaction=True) as pipe:
            for key, value in items.items():
                self._queue_set(pipe, key, value, ttl_ms)
            pipe.incr(keys.DATA_VERSION)
            await pipe.execute()

    async def getdel(self, key: str) -> bytes | None:
        async with self._guard("GETDEL"):
            return cast(bytes | None, await self._getdel_script(keys=[key]))

    async def delete(self, *keys_: str) -> int:
        if not keys_:
            return 0
        async with self._guard("DEL"):
            removed: int = await self._redis.delete(*keys_)
        return removed

    async def scan(self, prefix: str) -> list[str]:
        found: set[bytes] = set()  # SCAN may return a key more than once
        async with self._guard("SCAN"):
            async for key in self._redis.scan_iter(match=_glob_escape(prefix) + "*", count=SCAN_BATCH):
                found.add(key)
        return sorted(key.decode() for key in found)

    async def data_version(self) -> int:
        async with self._guard("GET"):
            raw = cast(bytes | None, await self._redis.get(keys.DATA_VERSION))
        return int(raw) if raw else 0

    async def hit_window(self, key: str, limit: int, window_ms: int, now_ms: int) -> WindowResult:
        async with self._guard("EVALSHA hit_window"):
            reply = await self._hit_script(keys=[key], args=[limit, window_ms, now_ms, uuid.uuid4().hex])
        return _window(limit, reply)

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
        script_keys = [k for k in (record_key, window_key, touch_key) if k is not None]
        script_keys.extend(related_keys)
        args = [
            "1" if record_key is not None else "0",
            "1" if touch_key is not None else "0",
            secret_hash,
            limit,
            window_ms,
            now_ms,
            uuid.uuid4().hex,
            len(related_keys),
        ]
        async with self._guard("EVALSHA check_credential"):
            reply, raw_version = await self._check_pipeline(script_keys, args)
        version = int(raw_version) if raw_version else 0
        if not reply[0]:
            return CredentialCheck(None, None, version)
        record = cast(bytes | None, reply[4])
        if record_key is not None and (record is None or not secret_hash_matches(record, secret_hash)):
            # Only reachable if cjson and orjson ever disagree. The hit was counted and the key touched,
            # but the request is refused, which is the side that matters.
            return CredentialCheck(None, None, version)
        window = _window(limit, cast(list[int], reply[1:4]))
        related = tuple(value if isinstance(value, bytes) else None for value in reply[5:])
        related += (None,) * (len(related_keys) - len(related))
        return CredentialCheck(record, window, version, related)

    async def _check_pipeline(
        self, script_keys: list[str], args: list[str | int]
    ) -> tuple[list[object], bytes | None]:
        # EVALSHA goes straight into the pipeline: calling the Script object on a pipeline would make
        # redis-py send SCRIPT EXISTS first, a second round trip on every request. A server that lost
        # its script cache (restart, failover, SCRIPT FLUSH) answers NOSCRIPT once; load and resend.
        script = self._check_script
        wire = self._wire

        async def send() -> list[object]:
            if wire is not None:
                frames = pack_command("EVALSHA", script.sha, len(script_keys), *script_keys, *args)
                replies = await wire.execute(frames + _GET_DATA_VERSION, 2)
                return [_as_redis_error(reply) for reply in replies]
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.evalsha(script.sha, len(script_keys), *script_keys, *args)
                pipe.get(keys.DATA_VERSION)
                results: list[object] = await pipe.execute(raise_on_error=False)
            return results

        reply, raw_version = await send()
        if isinstance(reply, NoScriptError):
            script.sha = await self._redis.script_load(script.script)
            reply, raw_version = await send()
        for result in (reply, raw_version):
            if isinstance(result, Exception):
                raise result
        return cast(list[object], reply), cast(bytes | None, raw_version)

    async def acquire_lock(self, key: str, token: str, ttl_ms: int) -> bool:
        if ttl_ms <= 0:
            raise ValueError(f"a lock needs a positive ttl_ms, got {ttl_ms}")
        async with self._guard("SET NX"):
            taken = await self._redis.set(key, token, nx=True, px=ttl_ms)
        return bool(taken)

    async def release_lock(self, key: str, token: str) -> bool:
        async with self._guard("EVALSHA release_lock"):
            released = await self._release_lock_script(keys=[key], args=[token])
        return bool(released)

    async def ping(self) -> None:
        async with self._guard("PING"):
            await self._redis.ping()

    async def aclose(self) -> None:
        if self._wire is not None:
            await self._wire.aclose()
        await self._redis.aclose()
