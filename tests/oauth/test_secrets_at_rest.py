"""After whole authorization-code flows (consent, code, tokens, refresh, revocation), no API key, code,
token or client secret is anywhere in the store (both backends) or in the logs at DEBUG; on Redis the
grant check of /mcp (token + key + grant in one script) works and revocation takes effect."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from oauth_support import REDIRECT, RESOURCE, approve, register

from support import FakeClock
from worldmonitor_mcp.app import create_app
from worldmonitor_mcp.keys import ApiKeyRepository
from worldmonitor_mcp.settings import Settings
from worldmonitor_mcp.store import Store

pytestmark = pytest.mark.anyio

PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}


def random_part(secret: str) -> str:
    """The random 256 bits at the end of every secret here (43 base64url characters); the ids before
    them (key id, grant id) are not secret."""
    return secret[-43:]


async def whole_flow(client: httpx.AsyncClient, api_key: str) -> list[str]:
    """Register (confidential), consent, exchange, refresh, revoke: returns every secret seen."""
    registration = await register(client, method="client_secret_post")
    code, verifier = await approve(client, api_key, registration["client_id"])
    secret = registration["client_secret"]
    tokens = (
        await client.post(
            "/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "code_verifier": verifier,
                "client_id": registration["client_id"],
                "client_secret": secret,
                "resource": RESOURCE,
            },
        )
    ).json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await client.post("/mcp", json=PING, headers=auth)).status_code == 200
    rotated = (
        await client.post(
            "/oauth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
                "client_id": registration["client_id"],
                "client_secret": secret,
            },
        )
    ).json()
    revoke = {
        "token": rotated["refresh_token"],
        "client_id": registration["client_id"],
        "client_secret": secret,
    }
    assert (await client.post("/oauth/revoke", data=revoke)).status_code == 200
    new_auth = {"Authorization": f"Bearer {rotated['access_token']}"}
    assert (await client.post("/mcp", json=PING, headers=new_auth)).status_code == 401  # family revoked
    return [api_key, code, verifier, secret, *tokens.values(), *rotated.values()]


async def test_no_secret_in_sqlite_after_whole_flows(
    client: httpx.AsyncClient, api_key: str, store: Any
) -> None:
    secrets = [s for s in await whole_flow(client, api_key) if isinstance(s, str) and len(s) > 20]
    dump = b"".join(bytes(k.encode()) + bytes(v) for k, v in store._db.execute("SELECT key, value FROM kv"))
    dump += b"".join(
        r[0].encode() + r[1].encode() for r in store._db.execute("SELECT key, hit_id FROM window_hits")
    )
    assert b"wm:grant:" in dump
    assert b"wm:refresh:" in dump
    for secret in secrets:
        assert random_part(secret).encode() not in dump, secret[:8]


async def test_no_secret_in_logs_of_whole_flows_at_debug(
    client: httpx.AsyncClient, api_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        secrets = await whole_flow(client, api_key)
        wrong = "wm_000000000000_" + "S" * 43
        registration = await register(client)
        await approve(client, api_key, registration["client_id"])
        await client.post(
            "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": wrong, "client_id": "x"}
        )
    text = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert "request_id=" in text
    for secret in [*secrets, wrong]:
        if isinstance(secret, str) and len(secret) > 20:
            assert random_part(secret) not in text, secret[:8]


@pytest.mark.redis
async def test_no_secret_in_redis_and_grants_work_there(
    redis_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    import redis.asyncio as aioredis

    from worldmonitor_mcp.store.redis import RedisStore

    store: Store = RedisStore.from_url(redis_url, timeout_s=1.0)
    raw = aioredis.Redis.from_url(redis_url)
    try:
        api_key, _ = await ApiKeyRepository(store).create("redis oauth", now_ms=clock())
        app = create_app(Settings(data_dir=tmp_path), store=store, clock_ms=clock)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
        ) as client:
            secrets = await whole_flow(client, api_key)
        dump = b""
        async for key in raw.scan_iter(match="*"):
            dump += key
            kind = await raw.type(key)
            if kind == b"string":
                dump += await raw.get(key) or b""
            elif kind == b"zset":
                dump += b"".join(await raw.zrange(key, 0, -1))
        assert b"wm:grant:" in dump
        for secret in secrets:
            if isinstance(secret, str) and len(secret) > 20:
                assert random_part(secret).encode() not in dump, secret[:8]
    finally:
        await raw.aclose()
        await store.aclose()
