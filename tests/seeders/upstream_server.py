"""A real HTTP server standing in for the upstream feeds: a ``ThreadingHTTPServer`` on a free loopback port.

Each path answers from a script of ``Reply`` objects, one per request (the last one repeats), or from a
``ConditionalFile`` that honours ``If-None-Match`` / ``If-Modified-Since`` like a real CDN. Every request
is recorded (path, query, headers), and the server counts how many requests run at once per path, so a
test can prove that two schedulers never fetch the same feed together.

Slow replies wait on an event that the fixture sets at teardown, so no handler thread outlives a test.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    """Wait this long before the status line (a slow upstream)."""
    chunks: int = 1
    """Send the body in this many pieces, ``chunk_gap_s`` apart (an upstream that trickles)."""
    chunk_gap_s: float = 0.0
    send_length: bool = True
    """False: no Content-Length; the body ends when the connection closes."""


@dataclass(frozen=True)
class ConditionalFile:
    """A static file with validators: 304 when the request's validators match, else 200 with the body."""

    body: bytes
    etag: str | None = '"v1"'
    last_modified: str | None = "Mon, 02 Nov 2020 00:59:03 GMT"

    def reply(self, headers: dict[str, str]) -> Reply:
        validators = {}
        if self.etag:
            validators["ETag"] = self.etag
        if self.last_modified:
            validators["Last-Modified"] = self.last_modified
        if self.etag and headers.get("if-none-match") == self.etag:
            return Reply(304, headers=validators)
        if not self.etag and self.last_modified and headers.get("if-modified-since") == self.last_modified:
            return Reply(304, headers=validators)
        return Reply(200, self.body, {"Content-Type": "application/octet-stream", **validators})


@dataclass(frozen=True)
class Seen:
    path: str
    query: str
    headers: dict[str, str]


class Upstream:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply] | ConditionalFile] = {}
        self.requests: list[Seen] = []
        self.active: dict[str, int] = {}
        self.max_active: dict[str, int] = {}
        self.released = threading.Event()
        self._lock = threading.Lock()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                upstream._handle(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        # A short poll interval: shutdown() waits for the serve loop's next poll.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def script(self, path: str, *replies: Reply) -> str:
        """Answer ``path`` with ``replies`` in order, the last one repeating; returns the URL."""
        self.routes[path] = list(replies)
        return self.url(path)

    def file(self, path: str, file: ConditionalFile) -> str:
        self.routes[path] = file
        return self.url(path)

    def hits(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == path]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next_reply(self, path: str, headers: dict[str, str]) -> Reply:
        with self._lock:
            route = self.routes.get(path)
            if route is None:
                return Reply(404, b"no such route")
            if isinstance(route, ConditionalFile):
                return route.reply(headers)
            return route.pop(0) if len(route) > 1 else route[0]

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        headers = {name.lower(): value for name, value in handler.headers.items()}
        with self._lock:
            self.requests.append(Seen(parts.path, parts.query, headers))
            self.active[parts.path] = self.active.get(parts.path, 0) + 1
            self.max_active[parts.path] = max(self.max_active.get(parts.path, 0), self.active[parts.path])
        try:
            self._send(handler, self._next_reply(parts.path, headers))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout, size cap): that is what the test wanted
        finally:
            with self._lock:
                self.active[parts.path] -= 1

    def _send(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.delay_s and self.released.wait(reply.delay_s):
            return
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if reply.send_length:
            handler.send_header("Content-Length", str(len(reply.body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        if reply.status == 304 or not reply.body:
            return
        size = -(-len(reply.body) // reply.chunks)
        for start in range(0, len(reply.body), size):
            handler.wfile.write(reply.body[start : start + size])
            handler.wfile.flush()
            if reply.chunk_gap_s and self.released.wait(reply.chunk_gap_s):
                return


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    server.start()
    try:
        yield server
    finally:
        server.stop()
