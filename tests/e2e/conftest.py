"""Fixtures for the end-to-end tests: one real server process shared by the whole session.

The server starts with an empty data directory, as on a laptop's first run, so it loads the bundled
snapshot and prints a first API key; the tests use that printed key, which checks the first-run path.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server import KEY_PATTERN, ServerProcess, start_server

SHARED_SERVER_ENV = {
    # Every test of the session shares one key; the default 60 requests a minute would make the suite's
    # outcome depend on its speed. Rate limiting has its own tests (tests/test_ratelimit.py).
    "WORLDMONITOR_RATE_LIMIT": "100000",
}


@pytest.fixture(scope="session")
def e2e_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """``worldmonitor-mcp serve`` on a free port with a fresh data dir, stopped at session end."""
    root = tmp_path_factory.mktemp("e2e-server")
    server = start_server(root / "data", root / "logs", env=SHARED_SERVER_ENV)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def e2e_key(e2e_server: ServerProcess) -> str:
    """The key the server printed on its first start (the line after "shown only this once")."""
    key = e2e_server.first_key()
    if key is None or not KEY_PATTERN.fullmatch(key):
        pytest.fail(
            f"the first `serve` on an empty data dir printed no usable API key (found {key!r}).\n"
            f"{e2e_server.describe()}",
            pytrace=False,
        )
    return key
