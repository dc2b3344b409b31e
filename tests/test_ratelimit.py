"""Rate limiting on /mcp: exact rolling window, 429 with Retry-After (RFC 9110 §10.2.3, RFC 6585 §4) and
the RateLimit-Policy / RateLimit fields of draft-ietf-httpapi-ratelimit-headers."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}


async def test_limit_exceeded_is_429_with_retry_after_and_headers(
    client_factory, api_key: str, clock
) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(rate_limit=3, rate_limit_window_s=60)
    headers = {"X-WorldMonitor-Key": api_key}
    accepted = []
    for _ in range(3):
        reply = await client.post("/mcp", json=PING, headers=headers)
        accepted.append(reply)
        clock.advance(10)
    assert [r.status_code for r in accepted] == [200, 200, 200]
    assert accepted[0].headers["ratelimit-policy"] == '"default";q=3;w=60'
    assert accepted[0].headers["ratelimit"] == '"default";r=2;t=60'
    assert accepted[2].headers["ratelimit"] == '"default";r=0;t=40'

    refused = await client.post("/mcp", json=PING, headers=headers)  # 30 s after the first hit
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "30"  # the first hit leaves the window 60 s after it
    assert refused.headers["ratelimit"] == '"default";r=0;t=30'
    body = refused.json()
    assert body["error"]["code"] == -32029
    assert body["error"]["data"] == {"retry_after": 30}

    clock.advance(30)  # the oldest hit has left the window: exactly one slot is free
    assert (await client.post("/mcp", json=PING, headers=headers)).status_code == 200
    assert (await client.post("/mcp", json=PING, headers=headers)).status_code == 429


async def test_refused_requests_do_not_extend_the_penalty(client_factory, api_key: str, clock) -> None:  # type: ignore[no-untyped-def]
    """A client hammering while limited is not counted, so it recovers when its window frees."""
    client = client_factory(rate_limit=2, rate_limit_window_s=10)
    headers = {"X-WorldMonitor-Key": api_key}
    for _ in range(2):
        assert (await client.post("/mcp", json=PING, headers=headers)).status_code == 200
    for _ in range(20):
        clock.advance(0.25)
        assert (await client.post("/mcp", json=PING, headers=headers)).status_code == 429
    clock.advance(5.01)
    assert (await client.post("/mcp", json=PING, headers=headers)).status_code == 200


async def test_concurrent_burst_never_exceeds_limit(client_factory, api_key: str) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(rate_limit=25, rate_limit_window_s=60)
    replies = await asyncio.gather(
        *(client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": api_key}) for _ in range(80))
    )
    codes = [r.status_code for r in replies]
    assert codes.count(200) == 25
    assert codes.count(429) == 55


async def test_each_principal_has_its_own_window(client_factory, store: SqliteStore, clock) -> None:  # type: ignore[no-untyped-def]
    from worldmonitor_mcp.keys import ApiKeyRepository

    repo = ApiKeyRepository(store)
    first, _ = await repo.create("a", now_ms=clock())
    second, _ = await repo.create("b", now_ms=clock())
    client = client_factory(rate_limit=1)
    assert (await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": first})).status_code == 200
    assert (await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": first})).status_code == 429
    assert (await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": second})).status_code == 200


async def test_limiter_store_key_holds_the_key_id_never_the_key(
    client: httpx.AsyncClient, store: SqliteStore, api_key: str
) -> None:
    await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": api_key})
    key_id = api_key.split("_")[1]
    rows = store._db.execute("SELECT DISTINCT key FROM window_hits").fetchall()
    assert rows == [(f"wm:rl:{{k:{key_id}}}",)]
    secret = api_key.split("_", 2)[2]
    every_key = [r[0] for r in store._db.execute("SELECT key FROM kv").fetchall()]
    every_value = b"".join(bytes(r[0]) for r in store._db.execute("SELECT value FROM kv").fetchall())
    assert not any(secret in k for k in every_key)
    assert secret.encode() not in every_value
