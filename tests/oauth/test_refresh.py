"""Refresh tokens: RFC 6749 §6, rotation with a grace window and reuse detection (RFC 9700 §4.14.2),
sliding lifetime, scope narrowing, stored only as hashes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from oauth_support import code_flow

from support import FakeClock
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


async def refresh(client: httpx.AsyncClient, client_id: str, token: str, **extra: str) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": token, "client_id": client_id, **extra}
    return await client.post("/oauth/token", data=data)


async def works(client: httpx.AsyncClient, access: str) -> bool:
    reply = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
        headers={"Authorization": f"Bearer {access}"},
    )
    return reply.status_code == 200


async def start(client: httpx.AsyncClient, api_key: str) -> tuple[str, dict[str, Any]]:
    registration, tokens = await code_flow(client, api_key)
    return registration["client_id"], tokens


async def test_6_rotation_every_use_returns_a_new_refresh_token(
    client: httpx.AsyncClient, api_key: str
) -> None:
    client_id, tokens = await start(client, api_key)
    reply = await refresh(client, client_id, tokens["refresh_token"])
    assert reply.status_code == 200
    rotated = reply.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert rotated["access_token"] != tokens["access_token"]
    assert await works(client, rotated["access_token"])
    assert reply.headers["cache-control"] == "no-store"


async def test_grace_window_the_previous_token_works_for_60_seconds(
    client: httpx.AsyncClient, api_key: str, clock: FakeClock
) -> None:
    """A client that lost the response retries with the token it still has."""
    client_id, tokens = await start(client, api_key)
    first = await refresh(client, client_id, tokens["refresh_token"])
    assert first.status_code == 200
    clock.advance(59)
    retry = await refresh(client, client_id, tokens["refresh_token"])
    assert retry.status_code == 200
    latest = retry.json()
    assert await works(client, latest["access_token"])
    after = await refresh(client, client_id, latest["refresh_token"])
    assert after.status_code == 200


async def test_rfc9700_4_14_reuse_after_the_grace_window_revokes_the_family(
    client: httpx.AsyncClient, api_key: str, clock: FakeClock
) -> None:
    client_id, tokens = await start(client, api_key)
    rotated = (await refresh(client, client_id, tokens["refresh_token"])).json()
    clock.advance(61)
    reuse = await refresh(client, client_id, tokens["refresh_token"])
    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"
    # Both parties lose: the legitimate holder's current tokens die with the family.
    assert not await works(client, rotated["access_token"])
    assert (await refresh(client, client_id, rotated["refresh_token"])).json()["error"] == "invalid_grant"


async def test_rfc9700_4_14_token_rotated_away_by_a_grace_retry_is_reuse(
    client: httpx.AsyncClient, api_key: str
) -> None:
    client_id, tokens = await start(client, api_key)
    lost = (await refresh(client, client_id, tokens["refresh_token"])).json()  # the answer "lost"
    retried = (await refresh(client, client_id, tokens["refresh_token"])).json()
    reuse = await refresh(client, client_id, lost["refresh_token"])
    assert reuse.json()["error"] == "invalid_grant"
    assert not await works(client, retried["access_token"])


async def test_refresh_token_is_bound_to_its_client(client: httpx.AsyncClient, api_key: str) -> None:
    _, tokens = await start(client, api_key)
    other, _ = await start(client, api_key)
    reply = await refresh(client, other, tokens["refresh_token"])
    assert reply.json()["error"] == "invalid_grant"


async def test_sliding_lifetime(client_factory, api_key: str, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(refresh_token_ttl_s=3600)
    client_id, tokens = await start(client, api_key)
    token = tokens["refresh_token"]
    for _ in range(3):  # 3 x 50 minutes: longer than one lifetime, fine because each use renews it
        clock.advance(3000)
        reply = await refresh(client, client_id, token)
        assert reply.status_code == 200, reply.text
        token = reply.json()["refresh_token"]
    clock.advance(3600)
    assert (await refresh(client, client_id, token)).json()["error"] == "invalid_grant"


async def test_6_scope_may_narrow_never_widen(client: httpx.AsyncClient, api_key: str) -> None:
    client_id, tokens = await start(client, api_key)
    assert (await refresh(client, client_id, tokens["refresh_token"], scope="mcp")).status_code == 200
    client_id, tokens = await start(client, api_key)
    wider = await refresh(client, client_id, tokens["refresh_token"], scope="mcp admin")
    assert wider.json()["error"] == "invalid_scope"


async def test_refresh_with_another_resource_is_invalid_target(
    client: httpx.AsyncClient, api_key: str
) -> None:
    client_id, tokens = await start(client, api_key)
    reply = await refresh(client, client_id, tokens["refresh_token"], resource="https://other.example/mcp")
    assert reply.json()["error"] == "invalid_target"


async def test_refresh_tokens_and_access_tokens_stored_only_as_hashes(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore
) -> None:
    client_id, tokens = await start(client, api_key)
    rotated = (await refresh(client, client_id, tokens["refresh_token"])).json()
    secrets = [
        tokens["refresh_token"],
        tokens["access_token"],
        rotated["refresh_token"],
        rotated["access_token"],
    ]
    for key, value in store._db.execute("SELECT key, value FROM kv").fetchall():
        for secret in [*secrets, api_key]:
            tail = secret.rsplit("_", 1)[-1]  # the random part: ids are not secret
            assert tail not in key
            assert tail.encode() not in bytes(value)


async def test_revoked_api_key_ends_refresh(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore, clock: FakeClock
) -> None:
    from worldmonitor_mcp.keys import ApiKeyRepository, parse_key_id

    client_id, tokens = await start(client, api_key)
    await ApiKeyRepository(store).revoke(parse_key_id(api_key) or "", now_ms=clock())
    assert not await works(client, tokens["access_token"])
    assert (await refresh(client, client_id, tokens["refresh_token"])).json()["error"] == "invalid_grant"
