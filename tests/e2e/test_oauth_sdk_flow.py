"""The official MCP SDK client's OAuth provider against the real server process: it gets a 401 from
/mcp, discovers the protected resource metadata (RFC 9728) and the authorization server (RFC 8414),
registers itself (RFC 7591), runs authorization code + PKCE with the resource indicator, and lists the
tools. Its redirect handler is the person: it submits the consent form over HTTP with the API key.
A second connection with the stored tokens refreshes them (rotation) when the access token is gone.
"""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import httpx2
import pytest
from mcp.client import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)
from server import ServerProcess, start_server

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

NONCE = re.compile(r'name="nonce" value="([^"]+)"')
REDIRECT_URI = "http://127.0.0.1:45999/callback"
OAUTH_SERVER_ENV = {
    "WORLDMONITOR_RATE_LIMIT": "100000",
    "WORLDMONITOR_AUTHORIZE_RATE_LIMIT": "1000",
    "WORLDMONITOR_REGISTRATION_RATE_LIMIT": "1000",
}


class MemoryStorage:
    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


class ConsentByHttp:
    """The SDK's redirect and callback handlers: fill in the consent form like a person would."""

    def __init__(self, key: str) -> None:
        self._key = key
        self._result: AuthorizationCodeResult | None = None
        self.authorization_urls: list[str] = []

    async def redirect(self, authorization_url: str) -> None:
        self.authorization_urls.append(authorization_url)
        async with httpx.AsyncClient() as http:
            page = await http.get(authorization_url)
            assert page.status_code == 200, page.text
            nonce = NONCE.search(page.text)
            assert nonce, page.text
            reply = await http.post(
                authorization_url.split("?")[0],
                data={"nonce": nonce.group(1), "api_key": self._key, "action": "approve"},
            )
        assert reply.status_code == 303, reply.text
        query = {k: v[0] for k, v in parse_qs(urlsplit(reply.headers["location"]).query).items()}
        self._result = AuthorizationCodeResult(
            code=query["code"], state=query.get("state"), iss=query.get("iss")
        )

    async def callback(self) -> AuthorizationCodeResult:
        assert self._result is not None, "the redirect handler did not run"
        return self._result


@pytest.fixture(scope="module")
def oauth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("oauth-sdk")
    server = start_server(root / "data", root / "logs", env=OAUTH_SERVER_ENV)
    try:
        yield server
    finally:
        server.stop()


def provider(server: ServerProcess, storage: MemoryStorage, consent: ConsentByHttp) -> OAuthClientProvider:
    metadata = OAuthClientMetadata(
        client_name="SDK e2e client",
        redirect_uris=[REDIRECT_URI],  # type: ignore[list-item]
        grant_types=["authorization_code", "refresh_token"],
        response_types=["code"],
        token_endpoint_auth_method="none",
    )
    return OAuthClientProvider(
        server.mcp_url,
        metadata,
        storage,
        redirect_handler=consent.redirect,
        callback_handler=consent.callback,
    )


async def list_tools(server: ServerProcess, auth: OAuthClientProvider) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        async with httpx2.AsyncClient(auth=auth) as http:
            transport = streamable_http_client(server.mcp_url, http_client=http)
            async with Client(transport, mode="legacy") as client:
                return len((await client.list_tools()).tools)


async def test_sdk_oauth_provider_registers_authorizes_and_lists_tools(oauth_server: ServerProcess) -> None:
    key = oauth_server.first_key()
    assert key, oauth_server.describe()
    storage = MemoryStorage()
    consent = ConsentByHttp(key)
    assert await list_tools(oauth_server, provider(oauth_server, storage, consent)) >= 18
    [url] = consent.authorization_urls
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["resource"] == [oauth_server.mcp_url]
    assert storage.client_info is not None
    assert storage.client_info.client_id.startswith("wmc_")
    assert storage.tokens is not None
    assert storage.tokens.refresh_token


async def test_sdk_refreshes_with_a_rotated_refresh_token(oauth_server: ServerProcess) -> None:
    key = oauth_server.first_key()
    assert key
    storage = MemoryStorage()
    consent = ConsentByHttp(key)
    auth = provider(oauth_server, storage, consent)
    await list_tools(oauth_server, auth)
    assert storage.tokens is not None
    first = storage.tokens
    # An hour later the access token has expired: the SDK refreshes instead of asking the person again.
    auth.context.token_expiry_time = time.time() - 1
    assert await list_tools(oauth_server, auth) >= 18
    assert len(consent.authorization_urls) == 1, "the SDK asked for consent again instead of refreshing"
    assert storage.tokens.refresh_token != first.refresh_token  # rotated
    assert storage.tokens.access_token != first.access_token
