"""The token endpoint: RFC 6749 §3.2, §4.4 (client credentials), §2.3.1 (client authentication),
§5.1 (success) and §5.2 (errors); rate limiting per credential."""

from __future__ import annotations

import logging

import httpx
import pytest
from oauth_support import FORM, basic, request_token

from support import FakeClock
from worldmonitor_mcp.keys import ApiKeyRepository
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


async def test_rfc6749_4_4_client_secret_post_issues_a_bearer_token(
    client: httpx.AsyncClient, api_key: str
) -> None:
    reply = await request_token(client, api_key)
    assert reply.status_code == 200
    body = reply.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "mcp"
    assert len(body["access_token"]) >= 43


async def test_rfc6749_5_1_token_reply_is_not_cacheable(client: httpx.AsyncClient, api_key: str) -> None:
    reply = await request_token(client, api_key)
    assert reply.headers["cache-control"] == "no-store"
    assert reply.headers["pragma"] == "no-cache"


async def test_rfc6749_2_3_1_client_secret_basic_with_form_urlencoded_parts(
    client_factory, store: SqliteStore, clock: FakeClock
) -> None:  # type: ignore[no-untyped-def]
    """Basic credentials are form-urlencoded first: a client id with ':' and spaces survives."""
    client = client_factory(valid_keys="s3cr:et+with spaces")
    reply = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": basic("my client:1", "s3cr:et+with spaces")},
    )
    assert reply.status_code == 200, reply.text


async def test_rfc6749_5_2_unknown_secret_is_invalid_client_401(client: httpx.AsyncClient) -> None:
    secret = "wm_000000000000_" + "Z" * 43
    reply = await request_token(client, secret)
    assert reply.status_code == 401
    assert reply.json()["error"] == "invalid_client"
    assert "www-authenticate" not in reply.headers  # no Basic was used
    assert secret not in reply.text


async def test_rfc6749_5_2_basic_failure_carries_basic_challenge(client: httpx.AsyncClient) -> None:
    reply = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": basic("wm", "nope")},
    )
    assert reply.status_code == 401
    assert reply.json()["error"] == "invalid_client"
    assert reply.headers["www-authenticate"] == 'Basic realm="worldmonitor"'


async def test_revoked_key_is_not_a_valid_secret(
    client: httpx.AsyncClient, store: SqliteStore, api_key: str
) -> None:
    await ApiKeyRepository(store).revoke(api_key.split("_")[1], now_ms=1)
    assert (await request_token(client, api_key)).json()["error"] == "invalid_client"


async def test_no_client_authentication_is_invalid_client(client: httpx.AsyncClient) -> None:
    reply = await client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": "x"})
    assert reply.status_code == 401
    assert reply.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    ("grant_type", "error"),
    [
        ("urn:ietf:params:oauth:grant-type:device_code", "unsupported_grant_type"),
        ("password", "unsupported_grant_type"),
        ("", "invalid_request"),
    ],
)
async def test_rfc6749_5_2_grant_type_errors(
    client: httpx.AsyncClient, api_key: str, grant_type: str, error: str
) -> None:
    reply = await request_token(client, api_key, grant_type=grant_type)
    assert reply.status_code == 400
    assert reply.json()["error"] == error


async def test_missing_grant_type_is_invalid_request(client: httpx.AsyncClient, api_key: str) -> None:
    reply = await client.post("/oauth/token", data={"client_id": "wm", "client_secret": api_key})
    assert reply.json()["error"] == "invalid_request"


async def test_rfc6749_3_1_repeated_parameter_is_invalid_request(
    client: httpx.AsyncClient, api_key: str
) -> None:
    body = f"grant_type=client_credentials&grant_type=client_credentials&client_id=a&client_secret={api_key}"
    reply = await client.post("/oauth/token", content=body, headers=FORM)
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_request"


async def test_rfc6749_2_3_two_authentication_methods_is_invalid_request(
    client: httpx.AsyncClient, api_key: str
) -> None:
    """§2.3: the client MUST NOT use more than one authentication method in each request."""
    reply = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "wm", "client_secret": api_key},
        headers={"Authorization": basic("wm", api_key)},
    )
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain", "multipart/form-data; boundary=x", None]
)
async def test_rfc6749_3_2_wrong_content_type_is_invalid_request(
    client: httpx.AsyncClient, api_key: str, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    reply = await client.post(
        "/oauth/token", content=f"grant_type=client_credentials&client_secret={api_key}", headers=headers
    )
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_request"
    assert api_key not in reply.text


@pytest.mark.parametrize(
    ("scope", "status"), [("mcp", 200), ("admin", 400), ("mcp admin", 400), ("mcp  mcp", 400)]
)
async def test_rfc6749_3_3_only_the_mcp_scope(
    client: httpx.AsyncClient, api_key: str, scope: str, status: int
) -> None:
    reply = await request_token(client, api_key, scope=scope)
    assert reply.status_code == status
    if status == 400:
        assert reply.json()["error"] == "invalid_scope"


async def test_body_over_16_kib_is_refused(client: httpx.AsyncClient, api_key: str) -> None:
    reply = await request_token(client, api_key, padding="x" * 17_000)
    assert reply.status_code == 413
    assert reply.json()["error"] == "invalid_request"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_non_post_is_405(client: httpx.AsyncClient, method: str) -> None:
    reply = await client.request(method, "/oauth/token")
    assert reply.status_code == 405
    assert "POST" in reply.headers["allow"]


async def test_options_is_204_with_cors(client: httpx.AsyncClient) -> None:
    reply = await client.options("/oauth/token")
    assert reply.status_code == 204
    assert reply.headers["access-control-allow-origin"] == "*"


async def test_token_lifetime_is_settable(client_factory, api_key: str) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(access_token_ttl_s=120)
    assert (await request_token(client, api_key)).json()["expires_in"] == 120


async def test_eleventh_request_in_60_s_is_429_and_other_credentials_are_unaffected(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore, clock: FakeClock
) -> None:
    for _ in range(10):
        assert (await request_token(client, api_key)).status_code == 200
        clock.advance(1)
    limited = await request_token(client, api_key)
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limit_exceeded"
    assert limited.headers["retry-after"] == "50"
    other, _ = await ApiKeyRepository(store).create("other", now_ms=clock())
    assert (await request_token(client, other)).status_code == 200
    clock.advance(50)
    assert (await request_token(client, api_key)).status_code == 200


async def test_attackers_failures_never_limit_a_legitimate_client(
    client: httpx.AsyncClient, api_key: str
) -> None:
    """The limiter keys on the presented secret's hash, so wrong secrets fill only their own windows."""
    for attempt in range(30):
        await request_token(client, f"wm_000000000000_{attempt:043d}")
    assert (await request_token(client, api_key)).status_code == 200


async def test_requests_without_a_secret_are_limited_per_client_ip(client: httpx.AsyncClient) -> None:
    codes = [
        (await client.post("/oauth/token", data={"grant_type": "client_credentials"})).status_code
        for _ in range(11)
    ]
    assert codes == [401] * 10 + [429]


async def test_forwarded_address_is_used_only_behind_trusted_proxies(client_factory) -> None:  # type: ignore[no-untyped-def]
    trusting = client_factory(trusted_proxy_hops=1, token_rate_limit=1)
    for hop in ["10.0.0.1", "10.0.0.2"]:
        reply = await trusting.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            headers={"X-Forwarded-For": f"1.1.1.1, {hop}"},
        )
        assert reply.status_code == 401  # each forwarded client has its own window
    naive = client_factory(token_rate_limit=1)
    codes = [
        (
            await naive.post(
                "/oauth/token", data={"grant_type": "client_credentials"}, headers={"X-Forwarded-For": hop}
            )
        ).status_code
        for hop in ["10.0.0.3", "10.0.0.4"]
    ]
    assert codes == [401, 429]  # without trusted proxies the header is ignored: one peer, one window


async def test_store_failure_is_503_retry_after(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore
) -> None:
    """The seed answered 500; a 503 with Retry-After tells the client to retry."""
    store._db.execute("DROP TABLE window_hits")
    reply = await request_token(client, api_key)
    assert reply.status_code == 503
    assert reply.headers["retry-after"] == "5"
    assert reply.json()["error"] == "temporarily_unavailable"
    assert "window_hits" not in reply.text


async def test_refusals_are_logged_without_the_secret(
    client: httpx.AsyncClient, api_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await request_token(client, api_key + "x")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "invalid_client" in text
    assert api_key not in text
