"""The authorization endpoint: RFC 6749 §4.1.1-4.1.2.1 (with OAuth 2.1 and RFC 9207), the consent page
and its form (CSRF, nonce, Origin, headers, rate limits)."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from oauth_support import (
    ISSUER,
    REDIRECT,
    authorize_params,
    nonce_of,
    pkce_pair,
    query_of,
    register,
)

from support import FakeClock
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


async def consent_page(client: httpx.AsyncClient, **extra: str) -> tuple[httpx.Response, str]:
    registration = await register(client)
    _, challenge = pkce_pair()
    page = await client.get(
        "/oauth/authorize", params=authorize_params(registration["client_id"], challenge, **extra)
    )
    return page, registration["client_id"]


async def test_consent_page_shows_client_redirect_host_and_what_it_can_read(
    client: httpx.AsyncClient,
) -> None:
    page, _ = await consent_page(client)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "Test Client" in page.text
    assert "127.0.0.1:9999" in page.text
    assert "Read all WorldMonitor data" in page.text
    assert 'type="password"' in page.text
    assert "<script" not in page.text
    assert "http://" not in re.sub(r'(action="[^"]*"|127\.0\.0\.1:9999)', "", page.text.split("<body>")[1])


async def test_consent_page_security_headers(client: httpx.AsyncClient) -> None:
    page, _ = await consent_page(client)
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'none'" in csp
    assert "form-action 'self'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    nonce = re.search(r"style-src 'nonce-([^']+)'", csp)
    assert nonce
    assert f'<style nonce="{nonce.group(1)}">' in page.text


async def test_loopback_only_client_gets_a_warning(client: httpx.AsyncClient) -> None:
    page, _ = await consent_page(client)
    assert "runs on your own computer" in page.text
    registration = await register(client, redirect_uris=["https://app.example.com/cb"])
    _, challenge = pkce_pair()
    params = authorize_params(registration["client_id"], challenge, redirect_uri="https://app.example.com/cb")
    web = await client.get("/oauth/authorize", params=params)
    assert web.status_code == 200
    assert "runs on your own computer" not in web.text


async def test_client_name_is_escaped(client: httpx.AsyncClient) -> None:
    registration = await register(client, client_name='<script>alert("x")</script>')
    _, challenge = pkce_pair()
    page = await client.get("/oauth/authorize", params=authorize_params(registration["client_id"], challenge))
    assert "<script>" not in page.text
    assert "&lt;script&gt;" in page.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"client_id": "wmc_" + "0" * 32}, "unknown client_id"),
        ({"client_id": ""}, "client_id is missing"),
        ({"redirect_uri": "http://127.0.0.1:9999/other"}, "registered redirect URIs"),
        ({"redirect_uri": "https://evil.example/callback"}, "registered redirect URIs"),
        ({"redirect_uri": "http://127.0.0.1:9999/callback#x"}, "registered redirect URIs"),
    ],
)
async def test_4_1_2_1_bad_client_or_redirect_uri_is_a_page_never_a_redirect(
    client: httpx.AsyncClient, change: dict[str, str], message: str
) -> None:
    registration = await register(client)
    _, challenge = pkce_pair()
    params = {**authorize_params(registration["client_id"], challenge), **change}
    reply = await client.get("/oauth/authorize", params=params)
    assert reply.status_code == 400
    assert "location" not in reply.headers
    assert message in reply.text
    assert reply.headers["x-frame-options"] == "DENY"


async def test_3_1_repeated_redirect_uri_is_a_page(client: httpx.AsyncClient) -> None:
    registration = await register(client)
    _, challenge = pkce_pair()
    params = [
        *list(authorize_params(registration["client_id"], challenge).items()),
        ("redirect_uri", REDIRECT),
    ]
    reply = await client.get("/oauth/authorize", params=params)
    assert reply.status_code == 400
    assert "location" not in reply.headers


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": ""}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"resource": "https://other.example/mcp"}, "invalid_target"),
        ({"prompt": "none"}, "login_required"),
    ],
)
async def test_4_1_2_1_after_the_redirect_uri_is_verified_errors_redirect_with_state_and_iss(
    client: httpx.AsyncClient, change: dict[str, str], error: str
) -> None:
    registration = await register(client)
    _, challenge = pkce_pair()
    params = {**authorize_params(registration["client_id"], challenge), **change}
    reply = await client.get("/oauth/authorize", params=params)
    assert reply.status_code == 302
    location = reply.headers["location"]
    assert location.startswith(REDIRECT + "?")
    query = query_of(location)
    assert query["error"] == error
    assert query["state"] == "st-123"
    assert query["iss"] == ISSUER  # RFC 9207 §2


async def test_3_1_repeated_other_parameter_redirects_invalid_request(client: httpx.AsyncClient) -> None:
    registration = await register(client)
    _, challenge = pkce_pair()
    params = [*list(authorize_params(registration["client_id"], challenge).items()), ("state", "two")]
    reply = await client.get("/oauth/authorize", params=params)
    assert reply.status_code == 302
    assert query_of(reply.headers["location"])["error"] == "invalid_request"


async def test_unknown_scopes_are_narrowed_not_fatal(client: httpx.AsyncClient, api_key: str) -> None:
    page, _ = await consent_page(client, scope="mcp claudeai offline_access made:up")
    assert page.status_code == 200
    assert "Read all WorldMonitor data" in page.text


async def test_rfc8252_7_3_loopback_redirect_on_another_port(client: httpx.AsyncClient, api_key: str) -> None:
    registration = await register(client)
    _, challenge = pkce_pair()
    other_port = "http://127.0.0.1:45678/callback"
    params = authorize_params(registration["client_id"], challenge, redirect_uri=other_port)
    page = await client.get("/oauth/authorize", params=params)
    assert page.status_code == 200
    approved = await client.post(
        "/oauth/authorize", data={"nonce": nonce_of(page), "api_key": api_key, "action": "approve"}
    )
    assert approved.headers["location"].startswith(other_port + "?")


async def test_approve_redirects_303_with_code_state_and_iss(client: httpx.AsyncClient, api_key: str) -> None:
    page, _ = await consent_page(client)
    reply = await client.post(
        "/oauth/authorize", data={"nonce": nonce_of(page), "api_key": api_key, "action": "approve"}
    )
    assert reply.status_code == 303
    query = query_of(reply.headers["location"])
    assert set(query) == {"code", "state", "iss"}
    assert query["state"] == "st-123"
    assert query["iss"] == ISSUER
    assert len(query["code"]) >= 43  # 256 random bits, base64url
    assert reply.headers["cache-control"] == "no-store"


async def test_redirect_keeps_the_redirect_uris_own_query(client: httpx.AsyncClient, api_key: str) -> None:
    uri = "https://app.example.com/cb?tenant=7"
    registration = await register(client, redirect_uris=[uri])
    _, challenge = pkce_pair()
    page = await client.get(
        "/oauth/authorize", params=authorize_params(registration["client_id"], challenge, redirect_uri=uri)
    )
    reply = await client.post(
        "/oauth/authorize", data={"nonce": nonce_of(page), "api_key": api_key, "action": "approve"}
    )
    assert reply.headers["location"].startswith("https://app.example.com/cb?tenant=7&code=")


async def test_deny_redirects_access_denied(client: httpx.AsyncClient) -> None:
    page, _ = await consent_page(client)
    reply = await client.post("/oauth/authorize", data={"nonce": nonce_of(page), "action": "deny"})
    assert reply.status_code == 303
    query = query_of(reply.headers["location"])
    assert query["error"] == "access_denied"
    assert query["state"] == "st-123"
    assert query["iss"] == ISSUER
    assert "code" not in query


async def test_nonce_is_single_use(client: httpx.AsyncClient, api_key: str) -> None:
    page, _ = await consent_page(client)
    form = {"nonce": nonce_of(page), "api_key": api_key, "action": "approve"}
    assert (await client.post("/oauth/authorize", data=form)).status_code == 303
    replay = await client.post("/oauth/authorize", data=form)
    assert replay.status_code == 400
    assert "expired" in replay.text
    assert "location" not in replay.headers


async def test_forged_nonce_is_refused(client: httpx.AsyncClient, api_key: str) -> None:
    reply = await client.post(
        "/oauth/authorize", data={"nonce": "A" * 43, "api_key": api_key, "action": "approve"}
    )
    assert reply.status_code == 400
    assert "location" not in reply.headers


async def test_nonce_expires_after_ten_minutes(client: httpx.AsyncClient, store: SqliteStore) -> None:
    await consent_page(client)
    [(expires_at_ms,)] = store._db.execute(
        "SELECT expires_at_ms FROM kv WHERE key LIKE 'wm:consent:%'"
    ).fetchall()
    remaining_s = (expires_at_ms - time.time() * 1000) / 1000
    assert 590 < remaining_s <= 600


@pytest.mark.parametrize("origin", ["https://evil.example", "http://127.0.0.1:9999", "null-ish"])
async def test_csrf_consent_post_from_a_foreign_origin_is_403(
    client: httpx.AsyncClient, api_key: str, origin: str
) -> None:
    page, _ = await consent_page(client)
    reply = await client.post(
        "/oauth/authorize",
        data={"nonce": nonce_of(page), "api_key": api_key, "action": "approve"},
        headers={"Origin": origin},
    )
    assert reply.status_code == 403
    assert "location" not in reply.headers


@pytest.mark.parametrize("origin", [None, "null", "http://127.0.0.1:8000"])
async def test_consent_post_without_origin_null_or_own_origin_is_accepted(
    client: httpx.AsyncClient, api_key: str, origin: str | None
) -> None:
    page, _ = await consent_page(client)
    headers = {} if origin is None else {"Origin": origin}
    reply = await client.post(
        "/oauth/authorize",
        data={"nonce": nonce_of(page), "api_key": api_key, "action": "approve"},
        headers=headers,
    )
    assert reply.status_code == 303


async def test_wrong_key_re_renders_the_page_with_a_fresh_nonce(
    client: httpx.AsyncClient, api_key: str
) -> None:
    page, _ = await consent_page(client)
    wrong = "wm_000000000000_" + "Q" * 43
    reply = await client.post(
        "/oauth/authorize", data={"nonce": nonce_of(page), "api_key": wrong, "action": "approve"}
    )
    assert reply.status_code == 400
    assert "not valid" in reply.text
    assert wrong not in reply.text
    retry = await client.post(
        "/oauth/authorize", data={"nonce": nonce_of(reply), "api_key": api_key, "action": "approve"}
    )
    assert retry.status_code == 303
    assert "code" in query_of(retry.headers["location"])


async def test_revoked_key_cannot_approve(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore, clock: FakeClock
) -> None:
    from worldmonitor_mcp.keys import ApiKeyRepository, parse_key_id

    await ApiKeyRepository(store).revoke(parse_key_id(api_key) or "", now_ms=clock())
    page, _ = await consent_page(client)
    reply = await client.post(
        "/oauth/authorize", data={"nonce": nonce_of(page), "api_key": api_key, "action": "approve"}
    )
    assert reply.status_code == 400


async def test_consent_form_needs_form_encoding(client: httpx.AsyncClient, api_key: str) -> None:
    page, _ = await consent_page(client)
    reply = await client.post("/oauth/authorize", json={"nonce": nonce_of(page), "api_key": api_key})
    assert reply.status_code == 400


async def test_authorize_is_rate_limited_per_ip(client_factory) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(authorize_rate_limit=3)
    statuses = [(await client.get("/oauth/authorize")).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    reply = await client.get("/oauth/authorize")
    assert int(reply.headers["retry-after"]) >= 1


async def test_consent_key_checks_are_rate_limited_per_key(client_factory, api_key: str) -> None:  # type: ignore[no-untyped-def]
    """Key guesses from many addresses still share one window: the pasted key's."""
    client = client_factory(authorize_rate_limit=3, trusted_proxy_hops=1)
    registration = await register(client)
    _, challenge = pkce_pair()
    params = authorize_params(registration["client_id"], challenge)
    statuses = []
    for n in range(4):
        ip = {"X-Forwarded-For": f"198.51.100.{n}"}
        page = await client.get("/oauth/authorize", params=params, headers=ip)
        form = {"nonce": nonce_of(page), "api_key": api_key, "action": "approve"}
        statuses.append((await client.post("/oauth/authorize", data=form, headers=ip)).status_code)
    assert statuses == [303, 303, 303, 429]


async def test_store_failure_is_a_503_page_not_a_400(client: httpx.AsyncClient, store: SqliteStore) -> None:
    _page, client_id = await consent_page(client)
    await store.aclose()
    _, challenge = pkce_pair()
    reply = await client.get("/oauth/authorize", params=authorize_params(client_id, challenge))
    assert reply.status_code == 503
    assert reply.headers["retry-after"] == "5"
    assert "text/html" in reply.headers["content-type"]


async def test_legacy_root_authorize_path(client: httpx.AsyncClient) -> None:
    registration = await register(client)
    _, challenge = pkce_pair()
    page = await client.get("/authorize", params=authorize_params(registration["client_id"], challenge))
    assert page.status_code == 200


async def test_an_unexpected_failure_is_a_500_page(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from worldmonitor_mcp.oauth.authorize import AuthorizationEndpoint

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(AuthorizationEndpoint, "validate", broken)
    reply = await client.get("/oauth/authorize", params={"client_id": "x"})
    assert reply.status_code == 500
    assert "text/html" in reply.headers["content-type"]
    assert "boom" not in reply.text
    assert "boom" in caplog.text
