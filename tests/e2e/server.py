"""Start and stop a real ``worldmonitor-mcp serve`` process for the end-to-end tests.

The server is the installed console script of the venv running pytest (found beside ``sys.executable``),
started on a free loopback port with its own data directory and a clean ``WORLDMONITOR_*`` environment,
so an operator's own settings (a Redis URL, static keys) never leak into a test. Its stdout and stderr
go to files (a pipe nobody reads would block the server once full); every failure message quotes them.

Readiness is an ``OPTIONS /mcp`` answered with 204: it needs no credential, and it answers only once
uvicorn is listening, which is after ``serve`` has loaded the snapshot and printed the first key.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
import pytest

START_TIMEOUT_S = 60.0
"""A cold start (imports, snapshot into an empty SQLite store) takes ~2 s; a loaded 2-core box, more."""

STOP_TIMEOUT_S = 10.0
"""Time allowed for a graceful shutdown after SIGTERM before the process is killed."""

KEY_HEADER = "X-WorldMonitor-Key"
KEY_BANNER = "shown only this once"
"""``serve`` prints the first key on the first non-empty line after the line holding this text."""

KEY_PATTERN = re.compile(r"wm_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")
"""An API key: ``wm_<12 hex id>_<43 url-safe base64 chars (32 random bytes)>``."""

_PORT_ATTEMPTS = 3
"""A free port can be taken between choosing it and the server binding it; then retry on a new one."""


def server_command() -> list[str]:
    """The argv that runs ``worldmonitor-mcp``: the console script in this interpreter's bin directory.

    ``sys.executable`` is not resolved: in a venv it is a symlink whose own directory holds the scripts.
    Without the script (an unusual install) the same entry point is run through the interpreter.
    """
    bin_dir = Path(sys.executable).parent
    for name in ("worldmonitor-mcp", "worldmonitor-mcp.exe"):
        script = bin_dir / name
        if script.is_file() and os.access(script, os.X_OK):
            return [str(script)]
    return [sys.executable, "-c", "from worldmonitor_mcp.cli import main; main()"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_environment(data_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any ``WORLDMONITOR_*``, plus the data dir and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORLDMONITOR_")}
    env["WORLDMONITOR_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"  # the first key must reach the stdout file before uvicorn starts
    env.update(extra or {})
    return env


def _tail(text: str, lines: int = 60) -> str:
    kept = text.splitlines()[-lines:]
    return "\n".join(f"    | {line}" for line in kept) if kept else "    (empty)"


@dataclass
class ServerProcess:
    """One running ``serve`` process and the files holding what it printed."""

    process: subprocess.Popen[bytes]
    port: int
    data_dir: Path
    stdout_path: Path
    stderr_path: Path
    _files: list[IO[bytes]] = field(default_factory=list, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def mcp_url(self) -> str:
        return f"{self.base_url}/mcp"

    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def describe(self) -> str:
        """The command's exit status and both outputs, for failure messages."""
        status = "running" if self.alive() else f"exited with code {self.process.returncode}"
        return (
            f"server pid {self.process.pid} on port {self.port}: {status}\n"
            f"  stdout ({self.stdout_path}):\n{_tail(self.stdout())}\n"
            f"  stderr ({self.stderr_path}):\n{_tail(self.stderr())}"
        )

    def first_key(self) -> str | None:
        """The key ``serve`` printed on first start: the first non-empty line after the banner line."""
        lines = self.stdout().splitlines()
        for index, line in enumerate(lines):
            if KEY_BANNER in line:
                following = [candidate.strip() for candidate in lines[index + 1 :] if candidate.strip()]
                return following[0] if following else None
        return None

    def stop(self) -> int:
        """SIGTERM, then SIGKILL after ``STOP_TIMEOUT_S``. Returns the exit code. Idempotent."""
        try:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=STOP_TIMEOUT_S)
        finally:
            for handle in self._files:
                handle.close()
            self._files.clear()
        return self.process.returncode


def _spawn(data_dir: Path, log_dir: Path, port: int, env: dict[str, str], attempt: int) -> ServerProcess:
    stdout_path = log_dir / f"serve-{port}-{attempt}.stdout"
    stderr_path = log_dir / f"serve-{port}-{attempt}.stderr"
    stdout = stdout_path.open("wb")
    stderr = stderr_path.open("wb")
    command = [*server_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, env=env, cwd=log_dir
        )
    except OSError:
        stdout.close()
        stderr.close()
        raise
    return ServerProcess(process, port, data_dir, stdout_path, stderr_path, [stdout, stderr])


def _wait_until_ready(server: ServerProcess, timeout_s: float) -> bool:
    """True once ``OPTIONS /mcp`` answers 204; False if the process exits first. Fails on timeout."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if not server.alive():
                return False
            try:
                response = client.options(server.mcp_url)
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            if response.status_code == 204:
                return True
            server.stop()
            pytest.fail(
                f"OPTIONS {server.mcp_url} answered {response.status_code}, expected 204 "
                f"(CORS preflight).\n{server.describe()}",
                pytrace=False,
            )
    server.stop()
    pytest.fail(
        f"`worldmonitor-mcp serve` did not answer OPTIONS {server.mcp_url} within {timeout_s:.0f} s.\n"
        f"{server.describe()}",
        pytrace=False,
    )


def start_server(
    data_dir: Path,
    log_dir: Path,
    *,
    env: Mapping[str, str] | None = None,
    timeout_s: float = START_TIMEOUT_S,
) -> ServerProcess:
    """Start ``worldmonitor-mcp serve`` on a free port and return it once it answers.

    The caller must ``stop()`` it. Fails the test (with the server's output) when it cannot start.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    environment = server_environment(data_dir, env)
    for attempt in range(1, _PORT_ATTEMPTS + 1):
        server = _spawn(data_dir, log_dir, free_port(), environment, attempt)
        if _wait_until_ready(server, timeout_s):
            return server
        server.stop()
        if "address already in use" not in server.stderr().lower() or attempt == _PORT_ATTEMPTS:
            pytest.fail(
                f"`worldmonitor-mcp serve` exited during start-up.\n{server.describe()}", pytrace=False
            )
    raise AssertionError("unreachable")
