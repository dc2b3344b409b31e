"""The authorization code grant at the token endpoint: RFC 6749 §4.1.3 / §10.5, RFC 7636 §4.6,
RFC 8707 §2.2, and the token's audience on /mcp (MCP "Token Audience Binding and Validation")."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from oauth_support import REDIRECT, RESOURCE, approve, code_flow, register

from support import FakeClock
from worldmonitor_mcp.keys import ApiKeyRepository, parse_key_id
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

TOOLS_LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}


def exchange(client_id: str, code: str, verifier: str, **extra: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        "client_id": client_id,
        "resource": RESOURCE,
        **extra,
    }


async def mcp(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/mcp", json=TOOLS_LIST, headers={"Authorization": f"Bearer {token}"})


async def test_4_1_3_code_for_tokens_then_tools_list(client: httpx.AsyncClient, api_key: str) -> None:
    _, tokens = await code_flow(client, api_key)
    assert set(tokens) == {"access_token", "token_type", "expires_in", "scope", "refresh_token"}
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["scope"] == "mcp"
    reply = await mcp(client, tokens["access_token"])
    assert reply.status_code == 200
    assert reply.json()["result"]["tools"]


async def test_refresh_token_issued_to_public_clients_without_offline_access(
    client: httpx.AsyncClient, api_key: str
) -> None:
    registration = await register(client)
    code, verifier = await approve(client, api_key, registration["client_id"], scope="mcp")
    reply = await client.post("/oauth/token", data=exchange(registration["client_id"], code, verifier))
    assert "refresh_token" in reply.json()


async def test_confidential_client_authenticates_with_its_secret(
    client: httpx.AsyncClient, api_key: str
) -> None:
    _, tokens = await code_flow(client, api_key, method="client_secret_post")
    assert (await mcp(client, tokens["access_token"])).status_code == 200


async def test_confidential_client_without_secret_is_invalid_client(
    client: httpx.AsyncClient, api_key: str
) -> None:
    registration = await register(client, method="client_secret_basic")
    code, verifier = await approve(client, api_key, registration["client_id"])
    reply = await client.post("/oauth/token", data=exchange(registration["client_id"], code, verifier))
    assert reply.status_code == 401
    assert reply.json()["error"] == "invalid_client"


async def test_unknown_client_id_is_401_invalid_client(client: httpx.AsyncClient) -> None:
    """Claude registers again when the token endpoint says invalid_client."""
    reply = await client.post("/oauth/token", data=exchange("wmc_" + "0" * 32, "wmac_x", "v" * 43))
    assert reply.status_code == 401
    assert reply.json()["error"] == "invalid_client"


async def test_10_5_code_is_single_use_and_a_replay_revokes_the_tokens(
    client: httpx.AsyncClient, api_key: str
) -> None:
    registration = await register(client)
    code, verifier = await approve(client, api_key, registration["client_id"])
    form = exchange(registration["client_id"], code, verifier)
    first = await client.post("/oauth/token", data=form)
    assert first.status_code == 200
    tokens = first.json()
    assert (await mcp(client, tokens["access_token"])).status_code == 200
    replay = await client.post("/oauth/token", data=form)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # §4.1.2: "SHOULD revoke (when possible) all tokens previously issued based on that authorization code"
    assert (await mcp(client, tokens["access_token"])).status_code == 401
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": form["client_id"],
    }
    assert (await client.post("/oauth/token", data=refresh)).json()["error"] == "invalid_grant"


async def test_code_lives_60_seconds(client: httpx.AsyncClient, api_key: str, clock: FakeClock) -> None:
    registration = await register(client)
    code, verifier = await approve(client, api_key, registration["client_id"])
    clock.advance(60)
    reply = await client.post("/oauth/token", data=exchange(registration["client_id"], code, verifier))
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_grant"


async def test_code_stored_only_as_hash_with_60s_ttl(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore
) -> None:
    import time

    registration = await register(client)
    code, _ = await approve(client, api_key, registration["client_id"])
    rows = store._db.execute("SELECT key, value, expires_at_ms FROM kv WHERE key LIKE 'wm:code:%'").fetchall()
    assert len(rows) == 1
    key, value, expires_at_ms = rows[0]
    assert code not in key
    assert code.encode() not in bytes(value)
    assert 55 < (expires_at_ms - time.time() * 1000) / 1000 <= 60


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_verifier": "W" * 43}, "invalid_grant"),  # RFC 7636 §4.6
        ({"code_verifier": ""}, "invalid_request"),
        ({"redirect_uri": "http://127.0.0.1:9999/other"}, "invalid_grant"),  # §4.1.3 identical
        ({"redirect_uri": "http://127.0.0.1:1234/callback"}, "invalid_grant"),
        ({"resource": "https://other.example/mcp"}, "invalid_target"),  # RFC 8707 §2.2
        ({"code": "wmac_" + "A" * 43}, "invalid_grant"),
    ],
)
async def test_code_is_bound_to_its_request(
    client: httpx.AsyncClient, api_key: str, change: dict[str, str], error: str
) -> None:
    registration = await register(client)
    code, verifier = await approve(client, api_key, registration["client_id"])
    form = {**exchange(registration["client_id"], code, verifier), **change}
    if not form["code_verifier"]:
        del form["code_verifier"]
    reply = await client.post("/oauth/token", data=form)
    assert reply.status_code == 400
    assert reply.json()["error"] == error


async def test_code_is_bound_to_its_client(client: httpx.AsyncClient, api_key: str) -> None:
    victim = await register(client)
    attacker = await register(client)
    code, verifier = await approve(client, api_key, victim["client_id"])
    reply = await client.post("/oauth/token", data=exchange(attacker["client_id"], code, verifier))
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_grant"


async def test_missing_resource_defaults_to_ours(client: httpx.AsyncClient, api_key: str) -> None:
    registration = await register(client)
    code, verifier = await approve(client, api_key, registration["client_id"])
    form = exchange(registration["client_id"], code, verifier)
    del form["resource"]
    reply = await client.post("/oauth/token", data=form)
    assert reply.status_code == 200
    assert (await mcp(client, reply.json()["access_token"])).status_code == 200


async def test_key_revoked_between_consent_and_exchange(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore, clock: FakeClock
) -> None:
    registration = await register(client)
    code, verifier = await approve(client, api_key, registration["client_id"])
    await ApiKeyRepository(store).revoke(parse_key_id(api_key) or "", now_ms=clock())
    reply = await client.post("/oauth/token", data=exchange(registration["client_id"], code, verifier))
    assert reply.json()["error"] == "invalid_grant"


async def test_audience_mcp_accepts_only_tokens_issued_for_itself(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore
) -> None:
    """A token whose recorded audience is another resource is invalid_token on /mcp."""
    _, tokens = await code_flow(client, api_key)
    [(key, value)] = store._db.execute("SELECT key, value FROM kv WHERE key LIKE 'wm:token:%'").fetchall()
    record: dict[str, Any] = orjson.loads(bytes(value))
    record["aud"] = "https://other.example/mcp"
    store._db.execute("UPDATE kv SET value = ? WHERE key = ?", (orjson.dumps(record), key))
    reply = await mcp(client, tokens["access_token"])
    assert reply.status_code == 401
    assert 'error="invalid_token"' in reply.headers["www-authenticate"]


async def test_client_credentials_tokens_carry_the_audience_too(
    client: httpx.AsyncClient, api_key: str
) -> None:
    reply = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "x",
            "client_secret": api_key,
            "resource": RESOURCE,
        },
    )
    assert reply.status_code == 200
    wrong = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "x",
            "client_secret": api_key,
            "resource": "https://e/x",
        },
    )
    assert wrong.json()["error"] == "invalid_target"


async def test_legacy_root_token_path(client: httpx.AsyncClient, api_key: str) -> None:
    registration = await register(client)
    code, verifier = await approve(client, api_key, registration["client_id"])
    reply = await client.post("/token", data=exchange(registration["client_id"], code, verifier))
    assert reply.status_code == 200


async def test_4_1_3_redirect_uri_omitted_in_both_requests_with_one_registered(
    client: httpx.AsyncClient, api_key: str
) -> None:
    """RFC 6749 §3.1.2.3 / §4.1.3: with one registered redirect URI the request may omit it, and then
    the token request need not repeat it; when the request named it, the token request must too."""
    from oauth_support import nonce_of, pkce_pair, query_of

    registration = await register(client)
    verifier, challenge = pkce_pair()
    params = {"response_type": "code", "client_id": registration["client_id"], "code_challenge": challenge}
    params["code_challenge_method"] = "S256"
    page = await client.get("/oauth/authorize", params=params)
    approved = await client.post(
        "/oauth/authorize", data={"nonce": nonce_of(page), "api_key": api_key, "action": "approve"}
    )
    assert approved.headers["location"].startswith(REDIRECT + "?")
    form = exchange(registration["client_id"], query_of(approved.headers["location"])["code"], verifier)
    del form["redirect_uri"]
    assert (await client.post("/oauth/token", data=form)).status_code == 200
    code, verifier = await approve(client, api_key, registration["client_id"])
    named = exchange(registration["client_id"], code, verifier)
    del named["redirect_uri"]
    assert (await client.post("/oauth/token", data=named)).json()["error"] == "invalid_grant"
