"""Dynamic Client Registration, RFC 7591: §3.1 request, §3.2.1 response, §3.2.2 errors, bounds,
rate limit, idle expiry, secrets stored only as hashes."""

from __future__ import annotations

import time

import httpx
import pytest
from oauth_support import REDIRECT

from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


async def post(client: httpx.AsyncClient, body: object) -> httpx.Response:
    return await client.post("/oauth/register", json=body)


async def test_3_2_1_public_client_gets_201_and_no_secret(client: httpx.AsyncClient) -> None:
    reply = await post(
        client,
        {"client_name": "Claude", "redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"},
    )
    assert reply.status_code == 201
    body = reply.json()
    assert body["client_id"].startswith("wmc_")
    assert "client_secret" not in body
    assert body["token_endpoint_auth_method"] == "none"
    assert body["redirect_uris"] == [REDIRECT]
    assert body["grant_types"] == ["authorization_code", "refresh_token"]
    assert body["response_types"] == ["code"]
    assert isinstance(body["client_id_issued_at"], int)
    assert reply.headers["cache-control"] == "no-store"


async def test_3_2_1_confidential_client_gets_its_secret_once_stored_as_hash(
    client: httpx.AsyncClient, store: SqliteStore
) -> None:
    reply = await post(client, {"client_name": "Conf", "redirect_uris": ["https://app.example.com/cb"]})
    body = reply.json()
    assert body["token_endpoint_auth_method"] == "client_secret_basic"  # §2 default
    assert body["client_secret"].startswith("wmcs_")
    assert body["client_secret_expires_at"] == 0
    for key, value in store._db.execute("SELECT key, value FROM kv").fetchall():
        assert body["client_secret"] not in key
        assert body["client_secret"].encode() not in bytes(value)


async def test_unknown_fields_are_ignored_not_echoed(client: httpx.AsyncClient) -> None:
    reply = await post(
        client,
        {
            "redirect_uris": [REDIRECT],
            "token_endpoint_auth_method": "none",
            "logo_uri": "https://evil.example/x.png",
            "client_uri": "https://evil.example",
            "software_statement": "eyJ...",
            "x-made-up": 1,
        },
    )
    assert reply.status_code == 201
    assert not {"logo_uri", "client_uri", "software_statement", "x-made-up"} & set(reply.json())


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "invalid_redirect_uri"),
        ({"redirect_uris": []}, "invalid_redirect_uri"),
        ({"redirect_uris": "https://a.example/cb"}, "invalid_client_metadata"),
        ({"redirect_uris": ["http://example.com/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://a.example/cb#f"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["javascript:alert(1)"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://u@a.example/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": [f"https://a.example/{n}" for n in range(11)]}, "invalid_redirect_uri"),
        ({"redirect_uris": [REDIRECT], "client_name": "n" * 101}, "invalid_client_metadata"),
        ({"redirect_uris": [REDIRECT], "client_name": 7}, "invalid_client_metadata"),
        (
            {"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "private_key_jwt"},
            "invalid_client_metadata",
        ),
        ({"redirect_uris": [REDIRECT], "grant_types": ["implicit"]}, "invalid_client_metadata"),
        ({"redirect_uris": [REDIRECT], "response_types": ["token"]}, "invalid_client_metadata"),
        ([REDIRECT], "invalid_client_metadata"),
    ],
)
async def test_3_2_2_errors(client: httpx.AsyncClient, body: object, error: str) -> None:
    reply = await post(client, body)
    assert reply.status_code == 400
    assert reply.json()["error"] == error
    assert reply.json()["error_description"]


async def test_not_json_is_refused(client: httpx.AsyncClient) -> None:
    reply = await client.post("/oauth/register", content=b"{", headers={"Content-Type": "application/json"})
    assert reply.json()["error"] == "invalid_client_metadata"
    form = await client.post("/oauth/register", data={"redirect_uris": REDIRECT})
    assert form.json()["error"] == "invalid_request"


async def test_body_is_limited(client: httpx.AsyncClient) -> None:
    reply = await post(client, {"redirect_uris": [REDIRECT], "padding": "x" * 20_000})
    assert reply.status_code == 413


async def test_rate_limited_per_ip(client_factory) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(registration_rate_limit=2)
    body = {"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"}
    statuses = [(await post(client, body)).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    reply = await post(client, body)
    assert reply.json()["error"] == "rate_limit_exceeded"
    assert int(reply.headers["retry-after"]) > 0


async def test_redirect_uri_allowlist_setting(client_factory) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(redirect_uri_patterns="https://claude.ai/*, http://127.0.0.1*")
    assert (
        await post(client, {"redirect_uris": ["https://claude.ai/api/mcp/auth_callback"]})
    ).status_code == 201
    assert (await post(client, {"redirect_uris": [REDIRECT]})).status_code == 201
    reply = await post(client, {"redirect_uris": ["https://evil.example/cb"]})
    assert reply.json()["error"] == "invalid_redirect_uri"


async def test_registered_clients_expire_after_idle_ttl(
    client: httpx.AsyncClient, store: SqliteStore
) -> None:
    body = (await post(client, {"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"})).json()
    [(expires,)] = store._db.execute(
        "SELECT expires_at_ms FROM kv WHERE key = ?", ("wm:client:" + body["client_id"],)
    ).fetchall()
    days = (expires - time.time() * 1000) / 86_400_000
    assert 29.9 < days <= 30


async def test_legacy_root_register_path(client: httpx.AsyncClient) -> None:
    reply = await client.post(
        "/register", json={"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"}
    )
    assert reply.status_code == 201
