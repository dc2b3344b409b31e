"""The operator's first run: ``serve`` on an empty data dir prints a key once, and only once.

The key is printed with ready-to-paste configurations; a second ``serve`` on the same data dir finds the
stored key and prints none, and the first key still authenticates there (keys are durable in SQLite).
Requests follow MCP 2025-11-25, basic/transports ("Streamable HTTP": one JSON-RPC message per POST).
"""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest
from server import KEY_BANNER, KEY_HEADER, KEY_PATTERN, start_server

pytestmark = pytest.mark.e2e

EXPECTED_TOOL_COUNT = 22  # 18 cache tools + 4 analysis tools


def test_first_serve_prints_a_key_once_and_it_survives_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    first = start_server(data_dir, tmp_path / "first")
    try:
        key = first.first_key()
        assert key is not None, f"no key after {KEY_BANNER!r}\n{first.describe()}"
        assert KEY_PATTERN.fullmatch(key), f"malformed first key {key!r}"
        printed = first.stdout()
        assert printed.count(key) >= 2, "the ready-to-paste configurations should carry the key"
        assert first.mcp_url in printed, "the printed configurations should name this server's endpoint"
        assert f"{KEY_HEADER}: {key}" in printed
    finally:
        exit_code = first.stop()
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal so the exit status says why.
    assert exit_code in {0, -signal.SIGTERM}, f"SIGTERM should stop the server\n{first.describe()}"
    assert "Application shutdown complete" in first.stderr(), f"no graceful shutdown\n{first.describe()}"

    second = start_server(data_dir, tmp_path / "second")
    try:
        again = second.stdout()
        assert KEY_BANNER not in again, f"a second serve printed a key banner again:\n{second.describe()}"
        assert KEY_PATTERN.search(again) is None, f"a second serve printed a key again:\n{second.describe()}"
        response = httpx.post(
            second.mcp_url,
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={KEY_HEADER: key, "Accept": "application/json, text/event-stream"},
            timeout=10.0,
        )
        assert response.status_code == 200, response.text
        assert len(response.json()["result"]["tools"]) == EXPECTED_TOOL_COUNT
    finally:
        second.stop()
