"""Shared fixtures for the whole suite."""

from __future__ import annotations

import pytest

pytest_plugins = [
    "redis_server",  # a real Redis/Valkey server started by the session (tests/redis_server.py)
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# -- in-process application fixtures ------------------------------------------------------------------

from collections.abc import AsyncIterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402

from support import AppFactory, FakeClock  # noqa: E402
from worldmonitor_mcp.app import create_app  # noqa: E402
from worldmonitor_mcp.keys import ApiKeyRepository  # noqa: E402
from worldmonitor_mcp.settings import Settings  # noqa: E402
from worldmonitor_mcp.store.sqlite import SqliteStore  # noqa: E402


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    sqlite = SqliteStore(tmp_path / "store.sqlite3")
    yield sqlite
    await sqlite.aclose()


@pytest.fixture
async def api_key(store: SqliteStore, clock: FakeClock) -> str:
    key, _ = await ApiKeyRepository(store).create("tests", now_ms=clock())
    return key


@pytest.fixture
async def client_factory(store: SqliteStore, clock: FakeClock, tmp_path: Path) -> AsyncIterator[AppFactory]:
    """Build the app with settings overrides and return an httpx client bound to it in-process."""
    clients: list[httpx.AsyncClient] = []

    def build(**overrides: Any) -> httpx.AsyncClient:
        settings = Settings(data_dir=tmp_path, **overrides)
        app = create_app(settings, store=store, clock_ms=clock)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000")
        clients.append(client)
        return client

    yield build
    for client in clients:
        await client.aclose()


@pytest.fixture
async def client(client_factory: AppFactory) -> httpx.AsyncClient:
    return client_factory()
