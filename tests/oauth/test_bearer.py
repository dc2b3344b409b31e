"""Access tokens presented on /mcp: RFC 6750 §2.1 (header), §3 and §3.1 (challenges and error codes)."""

from __future__ import annotations

import hmac
import inspect

import httpx
import orjson
import pytest
from oauth_support import request_token

from support import FakeClock
from worldmonitor_mcp.keys import ApiKeyRepository
from worldmonitor_mcp.keys import verify as key_verify
from worldmonitor_mcp.oauth.access_tokens import AccessTokenRecord
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
CHALLENGE = 'resource_metadata="http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp", scope="mcp"'
INVALID = f'Bearer realm="worldmonitor", error="invalid_token", {CHALLENGE}'


async def token(client: httpx.AsyncClient, secret: str) -> str:
    reply = await request_token(client, secret)
    assert reply.status_code == 200, reply.text
    return str(reply.json()["access_token"])


async def ping(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    return await client.post("/mcp", json=PING, headers=headers)


async def test_rfc6750_2_1_valid_bearer_token_works(client: httpx.AsyncClient, api_key: str) -> None:
    access = await token(client, api_key)
    reply = await ping(client, Authorization=f"Bearer {access}")
    assert reply.status_code == 200
    assert reply.json()["result"] == {}


@pytest.mark.parametrize(
    "bad", ["wmat_000000000000_" + "A" * 43, "garbage-token", "wmat_env-000000000000_" + "B" * 43]
)
async def test_rfc6750_3_1_unknown_token_is_401_invalid_token(client: httpx.AsyncClient, bad: str) -> None:
    reply = await ping(client, Authorization=f"Bearer {bad}")
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"] == INVALID
    assert reply.json()["error"] == {
        "code": -32001,
        "message": "Invalid or expired token. Re-authenticate via /oauth/token.",
    }


async def test_rfc6750_3_no_credentials_is_401_with_realm_only(client: httpx.AsyncClient) -> None:
    reply = await ping(client)
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"] == f'Bearer realm="worldmonitor", {CHALLENGE}'
    assert reply.json()["error"]["code"] == -32001


async def test_expiry_with_injected_clock_and_store_ttl_removes_the_record(
    client: httpx.AsyncClient, api_key: str, clock: FakeClock, store: SqliteStore
) -> None:
    access = await token(client, api_key)
    clock.advance(3599)
    assert (await ping(client, Authorization=f"Bearer {access}")).status_code == 200
    clock.advance(1)
    expired = await ping(client, Authorization=f"Bearer {access}")
    assert expired.status_code == 401
    assert expired.headers["www-authenticate"] == INVALID
    # The store's own TTL is 3600 s too: the record is set to disappear by itself.
    [row] = store._db.execute("SELECT expires_at_ms FROM kv WHERE key LIKE 'wm:token:%'").fetchall()
    assert row[0] is not None


async def test_store_ttl_removes_token_records(client_factory, api_key: str, store: SqliteStore) -> None:  # type: ignore[no-untyped-def]
    """The record is set with the store's TTL: with a 60 s lifetime it is stored to expire in 60 s."""
    import time

    client = client_factory(access_token_ttl_s=60)
    await token(client, api_key)
    [(expires_at_ms,)] = store._db.execute(
        "SELECT expires_at_ms FROM kv WHERE key LIKE 'wm:token:%'"
    ).fetchall()
    assert abs(expires_at_ms - (time.time() * 1000 + 60_000)) < 5_000


async def test_revoking_the_api_key_kills_its_tokens_at_once(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore
) -> None:
    access = await token(client, api_key)
    assert (await ping(client, Authorization=f"Bearer {access}")).status_code == 200
    await ApiKeyRepository(store).revoke(api_key.split("_")[1], now_ms=1)
    reply = await ping(client, Authorization=f"Bearer {access}")
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"] == INVALID


async def test_tokens_from_configured_keys_work_and_die_with_the_key(client_factory) -> None:  # type: ignore[no-untyped-def]
    with_key = client_factory(valid_keys="legacy-secret")
    access = await token(with_key, "legacy-secret")
    assert (await ping(with_key, Authorization=f"Bearer {access}")).status_code == 200
    without_key = client_factory(valid_keys="another-secret")
    assert (await ping(without_key, Authorization=f"Bearer {access}")).status_code == 401


async def test_bearer_is_checked_before_the_key_header(client: httpx.AsyncClient, api_key: str) -> None:
    reply = await ping(
        client, Authorization="Bearer wmat_000000000000_" + "A" * 43, **{"X-WorldMonitor-Key": api_key}
    )
    assert reply.status_code == 401


@pytest.mark.parametrize(
    "header", [b"Bearer", b"Bearer ", b"Bearer a b", "Bearer tok\u00e9n".encode(), b"bearer  "]
)
async def test_rfc6750_3_1_malformed_authorization_is_400_invalid_request(
    client: httpx.AsyncClient, header: bytes
) -> None:
    """§3.1 invalid_request: "the request ... is otherwise malformed" -> SHOULD respond 400."""
    reply = await client.post("/mcp", json=PING, headers=[(b"Authorization", header)])
    assert reply.status_code == 400
    assert (
        reply.headers["www-authenticate"]
        == f'Bearer realm="worldmonitor", error="invalid_request", {CHALLENGE}'
    )


async def test_other_schemes_count_as_no_bearer_credential(client: httpx.AsyncClient, api_key: str) -> None:
    assert (await ping(client, Authorization="Basic Zm9vOmJhcg==")).status_code == 401
    both = await ping(client, Authorization="Basic Zm9vOmJhcg==", **{"X-WorldMonitor-Key": api_key})
    assert both.status_code == 200


@pytest.mark.parametrize("param", ["access_token", "key", "token"])
async def test_rfc6750_2_3_token_in_query_or_body_is_never_accepted(
    client: httpx.AsyncClient, api_key: str, param: str
) -> None:
    access = await token(client, api_key)
    in_query = await client.post(f"/mcp?{param}={access}", json=PING)
    assert in_query.status_code == 401
    in_body = await client.post(
        "/mcp", content=f"{param}={access}", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert in_body.status_code == 401


async def test_token_principal_shares_the_key_rate_limit(client_factory, api_key: str) -> None:  # type: ignore[no-untyped-def]
    """The verified principal is the key id: tokens and the key itself count in one window."""
    client = client_factory(rate_limit=3)
    access = await token(client, api_key)
    assert (await ping(client, **{"X-WorldMonitor-Key": api_key})).status_code == 200
    assert (await ping(client, Authorization=f"Bearer {access}")).status_code == 200
    assert (await ping(client, Authorization=f"Bearer {access}")).status_code == 200
    assert (await ping(client, Authorization=f"Bearer {access}")).status_code == 429


async def test_store_down_during_bearer_resolution_is_503_then_recovers(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore
) -> None:
    access = await token(client, api_key)
    store._db.execute("ALTER TABLE window_hits RENAME TO window_hits_away")
    down = await ping(client, Authorization=f"Bearer {access}")
    assert down.status_code == 503
    assert down.headers["retry-after"] == "5"
    assert down.json()["error"]["code"] == -32603
    assert "www-authenticate" not in down.headers
    store._db.execute("ALTER TABLE window_hits_away RENAME TO window_hits")
    assert (await ping(client, Authorization=f"Bearer {access}")).status_code == 200


async def test_no_plaintext_key_or_token_in_the_store_after_a_full_flow(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore
) -> None:
    access = await token(client, api_key)
    await ping(client, Authorization=f"Bearer {access}")
    await ping(client, **{"X-WorldMonitor-Key": api_key})
    dump = b"".join(
        k.encode() + bytes(v) for k, v in store._db.execute("SELECT key, value FROM kv").fetchall()
    ) + b"".join(k.encode() for (k,) in store._db.execute("SELECT key FROM window_hits").fetchall())
    for secret in (api_key, access, api_key.split("_", 2)[2], access.split("_", 2)[2]):
        assert secret.encode() not in dump
    records = [
        AccessTokenRecord.from_json(bytes(v))
        for (v,) in store._db.execute("SELECT value FROM kv WHERE key LIKE 'wm:token:%'").fetchall()
    ]
    assert [(r.principal_id, r.client_id, r.scope) for r in records] == [
        (api_key.split("_")[1], "worldmonitor", "mcp")
    ]


def test_key_comparisons_are_constant_time() -> None:
    """Secrets are compared as equal-length SHA-256 digests with hmac.compare_digest."""
    source = inspect.getsource(key_verify)
    assert "hmac.compare_digest" in source
    assert hmac.compare_digest("a" * 64, "a" * 64)
    statics = key_verify.StaticKeys(["one", "two"])
    assert statics.principal(key_verify.hash_secret("two")) is not None
    assert statics.principal(key_verify.hash_secret("three")) is None


async def test_tool_failure_is_masked_and_logged_with_request_id(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore, caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import logging
    import sqlite3

    access = await token(client, api_key)

    async def failing(keys: list[str]) -> list[bytes | None]:
        def boom(db: sqlite3.Connection) -> list[bytes | None]:
            raise sqlite3.OperationalError("disk I/O error reading page 7")

        return store._run(boom)

    monkeypatch.setattr(store, "mget", failing)
    with caplog.at_level(logging.ERROR):
        reply = await client.post(
            "/mcp",
            json={"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "get_market_data"}},
            headers={"Authorization": f"Bearer {access}"},
        )
    assert reply.json()["error"] == {"code": -32603, "message": "Internal error: data fetch failed"}
    log = "\n".join(r.getMessage() for r in caplog.records)
    assert reply.headers["x-request-id"] in log
    assert "disk I/O error" in log
    assert b"disk I/O" not in orjson.dumps(reply.json())


async def test_no_secret_in_logs_of_a_whole_flow_at_debug(
    client: httpx.AsyncClient, api_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    with caplog.at_level(logging.DEBUG):
        access = await token(client, api_key)
        await ping(client, Authorization=f"Bearer {access}")
        await ping(client, Authorization=f"Bearer {access}x")
        await request_token(client, api_key + "wrong")
        await client.post(f"/mcp?access_token={access}", json=PING)
    text = "\n".join(
        f"{r.name} {r.getMessage()}" for r in caplog.records if r.name.startswith("worldmonitor")
    )
    assert "request_id=" in text
    for secret in (api_key, access, api_key.split("_", 2)[2], access.split("_", 2)[2]):
        assert secret not in text


@pytest.mark.redis
async def test_no_plaintext_key_or_token_in_redis_after_a_full_flow(
    redis_url: str, clock: FakeClock, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """The same scan on the Redis backend: every key, every string value and every sorted-set member."""
    import redis.asyncio as aioredis

    from worldmonitor_mcp.app import create_app
    from worldmonitor_mcp.settings import Settings
    from worldmonitor_mcp.store.redis import RedisStore

    store = RedisStore.from_url(redis_url, timeout_s=1.0)
    raw = aioredis.Redis.from_url(redis_url)
    try:
        api_key, _ = await ApiKeyRepository(store).create("redis flow", now_ms=clock())
        app = create_app(Settings(data_dir=tmp_path), store=store, clock_ms=clock)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
        ) as client:
            access = await token(client, api_key)
            assert (await ping(client, Authorization=f"Bearer {access}")).status_code == 200
            assert (await ping(client, **{"X-WorldMonitor-Key": api_key})).status_code == 200
        dump = b""
        async for key in raw.scan_iter(match="*"):
            dump += key
            kind = await raw.type(key)
            if kind == b"string":
                dump += await raw.get(key) or b""
            elif kind == b"zset":
                dump += b"".join(await raw.zrange(key, 0, -1))
        assert b"wm:token:" in dump
        for secret in (api_key, access, api_key.split("_", 2)[2], access.split("_", 2)[2]):
            assert secret.encode() not in dump
    finally:
        await raw.aclose()
        await store.aclose()
