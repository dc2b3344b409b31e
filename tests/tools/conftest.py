"""Fixtures for the tool tests: call a tool over /mcp in-process, and a store holding the real snapshot."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from tool_calls import CallTool

from worldmonitor_mcp.seeders import load_snapshot
from worldmonitor_mcp.seeders.natural_events import merge_natural_events
from worldmonitor_mcp.store.sqlite import SqliteStore

NATURAL_SOURCES = (  # in the order the composite prefers them: GDACS, then EONET, then ReliefWeb
    "natural:events:gdacs-rss:v1",
    "natural:events:gdacs-geojson:v1",
    "natural:events:eonet:v1",
    "natural:events:reliefweb:v1",
)


@pytest.fixture
def call_tool(client: httpx.AsyncClient, api_key: str) -> CallTool:
    """``await call_tool(name, arguments)`` -> the JSON-RPC reply of ``tools/call``; asserts HTTP 200."""

    async def call(name: str, arguments: Any = None, *, raw_arguments: bool = False) -> dict[str, Any]:
        params: dict[str, Any] = {"name": name}
        if arguments is not None or raw_arguments:
            params["arguments"] = arguments
        reply = await client.post(
            "/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params},
            headers={"X-WorldMonitor-Key": api_key},
        )
        assert reply.status_code == 200, reply.text
        return reply.json()  # type: ignore[no-any-return]

    return call


@pytest.fixture
async def snapshot_store(store: SqliteStore) -> SqliteStore:
    """The store after ``serve`` loads the bundled snapshot, natural events merged as the composite does."""
    await load_snapshot(store)
    if await store.get("natural:events:v1") is None:
        sources = [orjson.loads(raw) if raw else None for raw in await store.mget(list(NATURAL_SOURCES))]
        await store.set_many({"natural:events:v1": orjson.dumps(merge_natural_events(*sources))})
    return store
