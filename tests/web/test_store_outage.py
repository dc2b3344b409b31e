"""design.md error table: a store that is unreachable while authenticating gives 503 + Retry-After
(never 401, so the client keeps its credential), and the server recovers when the store does.
Runs against a real Redis server that this test stops and starts again on the same port."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from redis_server import start_redis, stop_redis
from worldmonitor_mcp.app import create_app
from worldmonitor_mcp.keys import ApiKeyRepository
from worldmonitor_mcp.settings import Settings
from worldmonitor_mcp.store.redis import RedisStore

pytestmark = [pytest.mark.anyio, pytest.mark.redis]

PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}


async def test_redis_down_is_503_then_recovers(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    process, server = start_redis(tmp_path)
    port = int(server.url.rsplit(":", 1)[1].split("/")[0])
    store = RedisStore.from_url(server.url, timeout_s=0.3)
    try:
        key, _ = await ApiKeyRepository(store).create("outage", now_ms=clock())
        # Keys stored in Redis vanish with a non-persistent server; a configured key survives restarts.
        app = create_app(
            Settings(data_dir=tmp_path, valid_keys="static-outage-key"), store=store, clock_ms=clock
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
        ) as client:
            for credential in (key, "static-outage-key"):
                ok = await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": credential})
                assert ok.status_code == 200

            stop_redis(process)
            for credential in (key, "static-outage-key"):
                down = await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": credential})
                assert down.status_code == 503
                assert down.headers["retry-after"] == "5"
                assert "www-authenticate" not in down.headers
                assert down.json()["error"]["code"] == -32603
                assert "127.0.0.1" not in down.text

            process, _ = start_redis(tmp_path, port=port)
            back = await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": "static-outage-key"})
            assert back.status_code == 200
    finally:
        stop_redis(process)
        await store.aclose()


async def test_tools_work_over_redis(redis_url: str, clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The same app over the Redis backend: key auth, rate limit headers and a cache tool read."""
    store = RedisStore.from_url(redis_url, timeout_s=1.0)
    try:
        key, _ = await ApiKeyRepository(store).create("redis", now_ms=clock())
        await store.set_many({"cyber:kev:v1": b'{"vulnerabilities": [{"cveID": "CVE-2025-1"}]}'})
        app = create_app(Settings(data_dir=tmp_path, rate_limit=2), store=store, clock_ms=clock)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
        ) as client:
            call = {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "tools/call",
                "params": {"name": "get_cyber_threats"},
            }
            reply = await client.post("/mcp", json=call, headers={"X-WorldMonitor-Key": key})
            assert reply.status_code == 200
            assert "CVE-2025-1" in reply.json()["result"]["content"][0]["text"]
            assert reply.headers["ratelimit"] == '"default";r=1;t=60'
            await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": key})
            limited = await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": key})
            assert limited.status_code == 429
    finally:
        await store.aclose()
