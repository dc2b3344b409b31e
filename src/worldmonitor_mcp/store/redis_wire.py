"""One multiplexed Redis connection for the hot path: many requests in flight, replies matched in order.

bench/ measured redis-py's per-command machinery (a pool checkout guarded by an asyncio.Condition, a
Pipeline object, command packing) at about 40 % of the Redis server's CPU on the credential check, the
one round trip every request makes. This connection writes pre-packed RESP frames and resolves a FIFO
of futures as the hiredis reader parses the replies (Redis answers on a connection in order), so a
request costs one write and one parse. Everything else keeps using redis-py.

Any failure (connect, read, protocol, timeout) closes the connection and fails every request in
flight: once one reply is missed, the order that matches replies to requests is lost. The next
request reconnects. Only ``redis://`` and ``unix://`` URLs use it; TLS (``rediss://``) stays on
redis-py, which knows the certificate options.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import hiredis

READ_CHUNK_BYTES = 65_536


def pack_command(*parts: bytes | str | int) -> bytes:
    """One command in RESP: ``*<n>`` then each argument as a bulk string."""
    encoded = [part if isinstance(part, bytes) else str(part).encode() for part in parts]
    return b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in encoded)


@dataclass(frozen=True, slots=True)
class Endpoint:
    host: str | None
    port: int
    path: str | None
    username: str | None
    password: str | None
    db: int

    @classmethod
    def from_url(cls, url: str) -> Endpoint | None:
        """The endpoint of a ``redis://`` or ``unix://`` URL; None for anything this client does not do."""
        parts = urlsplit(url)
        query = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        if parts.scheme == "unix":
            return cls(None, 0, parts.path, username, password, int(query.get("db", 0)))
        if parts.scheme != "redis" or set(query) - {"db"}:
            return None
        path_db = parts.path.lstrip("/")
        db = int(path_db) if path_db else int(query.get("db", 0))
        return cls(parts.hostname or "localhost", parts.port or 6379, None, username, password, db)

    def handshake(self) -> list[bytes]:
        commands = []
        if self.password is not None:
            auth = ("AUTH", self.username, self.password) if self.username else ("AUTH", self.password)
            commands.append(pack_command(*auth))
        if self.db:
            commands.append(pack_command("SELECT", self.db))
        return commands


class WireError(Exception):
    """The connection failed; every request in flight on it failed with it."""


class MultiplexedConnection:
    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._pending: deque[tuple[asyncio.Future[list[object]], int, list[object]]] = deque()
        self._connecting: asyncio.Lock = asyncio.Lock()

    async def execute(self, frames: bytes, replies: int) -> list[object]:
        """Send already packed commands and return their ``replies`` replies, in order."""
        writer = self._writer if self._writer is not None else await self._connect()
        future: asyncio.Future[list[object]] = asyncio.get_running_loop().create_future()
        self._pending.append((future, replies, []))
        writer.write(frames)
        try:
            return await future
        except asyncio.CancelledError:
            # A cancelled waiter (the caller's timeout) leaves its replies unread: the order is lost.
            self._fail(WireError("a request was abandoned mid-flight"))
            raise

    async def _connect(self) -> asyncio.StreamWriter:
        async with self._connecting:
            if self._writer is not None:
                return self._writer
            endpoint = self._endpoint
            if endpoint.path is not None:
                reader, writer = await asyncio.open_unix_connection(endpoint.path)
            else:
                reader, writer = await asyncio.open_connection(endpoint.host, endpoint.port)
            parser = hiredis.Reader()
            try:
                for command in endpoint.handshake():
                    writer.write(command)
                    reply = await _read_one(reader, parser)
                    if isinstance(reply, hiredis.ReplyError):
                        raise WireError(f"handshake refused: {str(reply).split(' ', 1)[0]}")
            except BaseException:
                writer.close()
                raise
            self._writer = writer
            self._reader_task = asyncio.create_task(self._read_replies(reader, parser))
            return writer

    async def _read_replies(self, reader: asyncio.StreamReader, parser: hiredis.Reader) -> None:
        try:
            while True:
                data = await reader.read(READ_CHUNK_BYTES)
                if not data:
                    raise WireError("the server closed the connection")
                parser.feed(data)
                while (reply := parser.gets()) is not False:
                    self._deliver(reply)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # any read or protocol failure ends this connection
            self._fail(exc if isinstance(exc, WireError) else WireError(f"{type(exc).__name__}: {exc}"))

    def _deliver(self, reply: object) -> None:
        if not self._pending:
            self._fail(WireError("a reply arrived that no request was waiting for"))
            return
        future, wanted, collected = self._pending[0]
        collected.append(reply)
        if len(collected) == wanted:
            self._pending.popleft()
            if not future.done():
                future.set_result(collected)

    def _fail(self, error: Exception) -> None:
        writer, self._writer = self._writer, None
        task, self._reader_task = self._reader_task, None
        if writer is not None:
            writer.close()
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        while self._pending:
            future, _, _ = self._pending.popleft()
            if not future.done():
                future.set_exception(error)

    async def aclose(self) -> None:
        task = self._reader_task
        self._fail(WireError("closed"))
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)


async def _read_one(reader: asyncio.StreamReader, parser: hiredis.Reader) -> object:
    while (reply := parser.gets()) is False:
        data = await reader.read(READ_CHUNK_BYTES)
        if not data:
            raise WireError("the server closed the connection during the handshake")
        parser.feed(data)
    return reply
