"""Token introspection, RFC 7662: who may ask, what an active token reports, and that anything else is
just ``{"active": false}``."""

from __future__ import annotations

import httpx
import pytest
from oauth_support import basic, code_flow

from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


async def test_rfc7662_confidential_client_introspects_its_tokens(
    client: httpx.AsyncClient, api_key: str
) -> None:
    registration, tokens = await code_flow(client, api_key, method="client_secret_basic")
    auth = {"Authorization": basic(registration["client_id"], registration["client_secret"])}
    reply = await client.post("/oauth/introspect", data={"token": tokens["access_token"]}, headers=auth)
    assert reply.status_code == 200
    body = reply.json()
    assert body["active"] is True
    assert body["client_id"] == registration["client_id"]
    assert body["scope"] == "mcp"
    assert body["aud"] == "http://127.0.0.1:8000/mcp"
    assert body["iss"] == "http://127.0.0.1:8000"
    assert body["token_type"] == "Bearer"
    assert body["exp"] - body["iat"] == 3600
    refresh = await client.post("/oauth/introspect", data={"token": tokens["refresh_token"]}, headers=auth)
    assert refresh.json()["active"] is True
    assert refresh.json()["token_type"] == "refresh_token"


async def test_rfc7662_2_2_revoked_unknown_or_foreign_token_is_just_inactive(
    client: httpx.AsyncClient, api_key: str
) -> None:
    registration, tokens = await code_flow(client, api_key, method="client_secret_post")
    form = {"client_id": registration["client_id"], "client_secret": registration["client_secret"]}
    _, other_tokens = await code_flow(client, api_key)
    foreign = await client.post("/oauth/introspect", data={**form, "token": other_tokens["access_token"]})
    assert foreign.json() == {"active": False}
    unknown = await client.post("/oauth/introspect", data={**form, "token": "garbage"})
    assert unknown.json() == {"active": False}
    await client.post("/oauth/revoke", data={**form, "token": tokens["refresh_token"]})
    revoked = await client.post("/oauth/introspect", data={**form, "token": tokens["access_token"]})
    assert revoked.json() == {"active": False}


async def test_rfc7662_2_1_public_clients_cannot_introspect(client: httpx.AsyncClient, api_key: str) -> None:
    registration, tokens = await code_flow(client, api_key)
    reply = await client.post(
        "/oauth/introspect", data={"token": tokens["access_token"], "client_id": registration["client_id"]}
    )
    assert reply.status_code == 401
    assert reply.json()["error"] == "invalid_client"


async def test_operator_key_introspects_tokens_of_its_key(client: httpx.AsyncClient, api_key: str) -> None:
    _, tokens = await code_flow(client, api_key)
    reply = await client.post(
        "/oauth/introspect",
        data={"token": tokens["access_token"], "client_id": "ops", "client_secret": api_key},
    )
    assert reply.json()["active"] is True


async def test_static_operator_key_sees_every_token(client_factory, api_key: str, store: SqliteStore) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(valid_keys="operator-static-key-0123456789")
    _, tokens = await code_flow(client, api_key)
    reply = await client.post(
        "/oauth/introspect",
        data={"token": tokens["access_token"]},
        headers={"Authorization": basic("ops", "operator-static-key-0123456789")},
    )
    assert reply.json()["active"] is True
