"""Token revocation, RFC 7009: refresh tokens take their family with them, unknown tokens are 200."""

from __future__ import annotations

import httpx
import pytest
from oauth_support import code_flow, register

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
