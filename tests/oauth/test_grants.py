"""Grants (token families): revoking a grant or its API key ends every token of the family at once,
and the check on /mcp stays one store round trip."""

from __future__ import annotations

import httpx
import pytest
from oauth_support import code_flow

from support import FakeClock
from worldmonitor_mcp.keys import ApiKeyRepository, parse_key_id
from worldmonitor_mcp.oauth.grants import GrantRepository
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}


async def status(client: httpx.AsyncClient, access: str) -> int:
    reply = await client.post("/mcp", json=PING, headers={"Authorization": f"Bearer {access}"})
    return reply.status_code


async def test_a_grant_records_key_client_and_times(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore
) -> None:
    registration, _ = await code_flow(client, api_key)
    [grant] = await GrantRepository(store, ttl_s=60).list()
    assert grant.key_id == parse_key_id(api_key)
    assert grant.client_id == registration["client_id"]
    assert grant.client_name == "Test Client"
    assert grant.scope == "mcp"
    assert grant.resource == "http://127.0.0.1:8000/mcp"
    assert not grant.revoked


async def test_revoking_a_grant_ends_its_access_tokens_at_once(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore, clock: FakeClock
) -> None:
    _, tokens = await code_flow(client, api_key)
    _, other = await code_flow(client, api_key)
    repository = GrantRepository(store, ttl_s=60)
    grant_id = tokens["access_token"].split("_")[2]  # wmat_<key id>_<grant id>_<secret>
    await repository.revoke(await repository.find(grant_id), reason="test", now_ms=clock())
    assert await status(client, tokens["access_token"]) == 401
    assert await status(client, other["access_token"]) == 200  # another grant of the same key lives on


async def test_revoking_the_api_key_revokes_every_grant(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore, clock: FakeClock
) -> None:
    _, tokens = await code_flow(client, api_key)
    key_id = parse_key_id(api_key) or ""
    await ApiKeyRepository(store).revoke(key_id, now_ms=clock())
    assert await status(client, tokens["access_token"]) == 401
    repository = GrantRepository(store, ttl_s=60)
    assert await repository.revoke_for_key(key_id, now_ms=clock()) == 1
    assert all(g.revoked for g in await repository.list(key_id))


async def test_grant_bound_token_is_checked_in_one_store_round_trip(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, tokens = await code_flow(client, api_key)
    calls: list[str] = []
    for name in ("get", "mget", "set", "check_credential", "hit_window", "data_version", "scan"):
        original = getattr(store, name)

        def counting(
            *args: object, _name: str = name, _original: object = original, **kwargs: object
        ) -> object:
            calls.append(_name)
            return _original(*args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(store, name, counting)
    assert await status(client, tokens["access_token"]) == 200
    assert calls == ["check_credential"]
