"""Authentication on /mcp: RFC 6750 §3 challenges, API keys, static keys, and store outages."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from worldmonitor_mcp.app import create_app
from worldmonitor_mcp.keys import ApiKeyRepository
from worldmonitor_mcp.settings import Settings
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
CHALLENGE = 'resource_metadata="http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp", scope="mcp"'


async def test_no_credentials_is_401_with_bare_challenge(client: httpx.AsyncClient) -> None:
    """RFC 6750 §3.1: a request without authentication information gets no error code in the challenge."""
    reply = await client.post("/mcp", json=PING)
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"] == f'Bearer realm="worldmonitor", {CHALLENGE}'
    assert reply.json()["error"]["code"] == -32001


@pytest.mark.parametrize(
    "key",
    [
        "wm_000000000000_" + "A" * 43,  # well-formed, unknown id
        "not-a-worldmonitor-key",
        "wm_",
        "x" * 5000,
    ],
)
async def test_unknown_key_is_401_invalid_token(client: httpx.AsyncClient, key: str) -> None:
    """RFC 6750 §3.1 invalid_token: the credential is not valid."""
    reply = await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": key})
    assert reply.status_code == 401
    assert (
        reply.headers["www-authenticate"]
        == f'Bearer realm="worldmonitor", error="invalid_token", {CHALLENGE}'
    )
    assert reply.json()["error"]["code"] == -32001
    assert key not in reply.text


async def test_valid_key_with_wrong_secret_is_401(client: httpx.AsyncClient, api_key: str) -> None:
    """The id of a real key with another secret must not pass: the whole key is hashed and compared."""
    forged = api_key[:16] + ("B" if api_key[16] != "B" else "C") + api_key[17:]
    reply = await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": forged})
    assert reply.status_code == 401


async def test_valid_key_passes_and_bearer_form_is_accepted(client: httpx.AsyncClient, api_key: str) -> None:
    assert (await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": api_key})).status_code == 200
    bearer = await client.post("/mcp", json=PING, headers={"Authorization": f"Bearer {api_key}"})
    assert bearer.status_code == 200


async def test_revoked_key_is_401_invalid_token(
    client: httpx.AsyncClient, store: SqliteStore, api_key: str
) -> None:
    key_id = api_key.split("_")[1]
    await ApiKeyRepository(store).revoke(key_id, now_ms=0)
    reply = await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": api_key})
    assert reply.status_code == 401
    assert 'error="invalid_token"' in reply.headers["www-authenticate"]


@pytest.mark.parametrize("param", ["key", "api_key", "apikey", "token", "access_token"])
async def test_credential_in_query_string_is_never_accepted(
    client: httpx.AsyncClient, api_key: str, param: str
) -> None:
    """RFC 6750 §2.3 discourages URI credentials; this server ignores them entirely."""
    reply = await client.post(f"/mcp?{param}={api_key}", json=PING)
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"] == f'Bearer realm="worldmonitor", {CHALLENGE}'


async def test_static_keys_from_settings_are_accepted(client_factory) -> None:  # type: ignore[no-untyped-def]
    """WORLDMONITOR_VALID_KEYS compatibility: any of the listed keys authenticates."""
    client = client_factory(valid_keys="legacy-one, legacy-two")
    for key in ["legacy-one", "legacy-two"]:
        assert (await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": key})).status_code == 200
    assert (await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": "legacy"})).status_code == 401


async def test_last_used_time_is_recorded(
    client: httpx.AsyncClient, store: SqliteStore, api_key: str, clock
) -> None:  # type: ignore[no-untyped-def]
    await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": api_key})
    [record] = await ApiKeyRepository(store).list()
    assert record.last_used_at_ms == clock()


async def test_store_locked_during_auth_is_503_retry_after_then_recovers(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """design.md error table: store unreachable while authenticating -> 503 + Retry-After, never 401."""
    path = tmp_path / "locked.sqlite3"
    store = SqliteStore(path, timeout_s=0.1)
    key, _ = await ApiKeyRepository(store).create("t", now_ms=clock())
    app = create_app(Settings(data_dir=tmp_path), store=store, clock_ms=clock)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000")
    # Another process holds SQLite's write lock; the app waits its store timeout, then gives up.
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        reply = await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": key})
        assert reply.status_code == 503
        assert reply.headers["retry-after"] == "5"
        assert reply.json()["error"]["code"] == -32603
        assert "www-authenticate" not in reply.headers
        assert "locked" not in reply.text
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    recovered = await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": key})
    assert recovered.status_code == 200
    await client.aclose()
    await store.aclose()
