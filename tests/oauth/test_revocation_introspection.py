"""Token revocation (RFC 7009) and introspection (RFC 7662)."""

from __future__ import annotations

import httpx
import pytest
from oauth_support import basic, code_flow, register

from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


async def works(client: httpx.AsyncClient, access: str) -> bool:
    reply = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
        headers={"Authorization": f"Bearer {access}"},
    )
    return reply.status_code == 200


async def test_rfc7009_2_1_revoking_a_refresh_token_revokes_its_family(
    client: httpx.AsyncClient, api_key: str
) -> None:
    registration, tokens = await code_flow(client, api_key)
    reply = await client.post(
        "/oauth/revoke",
        data={
            "token": tokens["refresh_token"],
            "token_type_hint": "refresh_token",
            "client_id": registration["client_id"],
        },
    )
    assert reply.status_code == 200
    assert reply.content == b""
    assert not await works(client, tokens["access_token"])
    again = await client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": registration["client_id"],
        },
    )
    assert again.json()["error"] == "invalid_grant"


async def test_rfc7009_revoking_an_access_token(client: httpx.AsyncClient, api_key: str) -> None:
    registration, tokens = await code_flow(client, api_key)
    reply = await client.post(
        "/oauth/revoke", data={"token": tokens["access_token"], "client_id": registration["client_id"]}
    )
    assert reply.status_code == 200
    assert not await works(client, tokens["access_token"])


async def test_rfc7009_2_2_unknown_token_is_200(client: httpx.AsyncClient) -> None:
    registration = await register(client)
    reply = await client.post(
        "/oauth/revoke", data={"token": "nonsense", "client_id": registration["client_id"]}
    )
    assert reply.status_code == 200


async def test_another_clients_token_is_left_alone(client: httpx.AsyncClient, api_key: str) -> None:
    _, tokens = await code_flow(client, api_key)
    intruder = await register(client)
    reply = await client.post(
        "/oauth/revoke", data={"token": tokens["refresh_token"], "client_id": intruder["client_id"]}
    )
    assert reply.status_code == 200
    assert await works(client, tokens["access_token"])


async def test_revocation_requires_a_known_client(client: httpx.AsyncClient) -> None:
    reply = await client.post("/oauth/revoke", data={"token": "x", "client_id": "wmc_" + "1" * 32})
    assert reply.status_code == 401
    assert reply.json()["error"] == "invalid_client"


async def test_client_credentials_token_revoked_with_its_api_key(
    client: httpx.AsyncClient, api_key: str
) -> None:
    token = (
        await client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "client_id": "cc", "client_secret": api_key},
        )
    ).json()["access_token"]
    reply = await client.post(
        "/oauth/revoke", data={"token": token, "client_id": "cc", "client_secret": api_key}
    )
    assert reply.status_code == 200
    assert not await works(client, token)


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
