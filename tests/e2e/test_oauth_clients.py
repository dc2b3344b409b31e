"""OAuth clients against the real server process: discovery (RFC 8414), client credentials (RFC 6749
§4.4) with client_secret_basic (§2.3.1), and the token used as a Bearer on /mcp (RFC 6750 §2.1)."""

from __future__ import annotations

import json
import warnings

import httpx
import httpx2
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client
from mcp.client import Client
from mcp.client.auth.extensions.client_credentials import ClientCredentialsOAuthProvider
from mcp.client.streamable_http import streamable_http_client
from server import ServerProcess

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def test_authlib_client_secret_basic_discovers_gets_a_token_and_lists_tools(
    e2e_server: ServerProcess, e2e_key: str
) -> None:
    async with httpx.AsyncClient() as plain:
        metadata = (await plain.get(f"{e2e_server.base_url}/.well-known/oauth-authorization-server")).json()
    assert metadata["issuer"] == e2e_server.base_url
    assert "client_secret_basic" in metadata["token_endpoint_auth_methods_supported"]

    async with AsyncOAuth2Client(
        client_id="worldmonitor",
        client_secret=e2e_key,
        token_endpoint_auth_method="client_secret_basic",
        scope="mcp",
    ) as oauth:
        token = await oauth.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
        assert token["token_type"] == "Bearer"
        assert token["scope"] == "mcp"
        reply = await oauth.post(
            e2e_server.mcp_url,
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={"Accept": "application/json, text/event-stream"},
        )
    assert reply.status_code == 200
    assert len(reply.json()["result"]["tools"]) == 22
    assert e2e_key not in reply.text


async def test_sdk_client_with_a_token_from_the_token_endpoint(
    e2e_server: ServerProcess, e2e_key: str
) -> None:
    """The official SDK client over Streamable HTTP carrying an access token as its Bearer header."""
    async with httpx.AsyncClient() as plain:
        token = (
            await plain.post(
                f"{e2e_server.base_url}/oauth/token",
                data={"grant_type": "client_credentials", "client_id": "sdk", "client_secret": e2e_key},
            )
        ).json()["access_token"]
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http:
        transport = streamable_http_client(e2e_server.mcp_url, http_client=http)
        async with Client(transport, mode="legacy") as client:
            tools = await client.list_tools()
            result = await client.call_tool("get_cyber_threats", {})
    assert len(tools.tools) == 22
    answer = json.loads(result.content[0].text)  # type: ignore[union-attr]
    assert answer["data"]["kev"]["vulnerabilities"]


class _MemoryTokens:
    def __init__(self) -> None:
        self.tokens = None
        self.client_info = None

    async def get_tokens(self):  # type: ignore[no-untyped-def]
        return self.tokens

    async def set_tokens(self, tokens) -> None:  # type: ignore[no-untyped-def]
        self.tokens = tokens

    async def get_client_info(self):  # type: ignore[no-untyped-def]
        return self.client_info

    async def set_client_info(self, info) -> None:  # type: ignore[no-untyped-def]
        self.client_info = info


async def test_sdk_client_credentials_provider_discovers_and_lists_tools(
    e2e_server: ServerProcess, e2e_key: str
) -> None:
    provider = ClientCredentialsOAuthProvider(
        e2e_server.mcp_url, _MemoryTokens(), "worldmonitor", e2e_key, issuer=e2e_server.base_url
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        async with httpx2.AsyncClient(auth=provider) as http:
            transport = streamable_http_client(e2e_server.mcp_url, http_client=http)
            async with Client(transport, mode="legacy") as client:
                tools = await client.list_tools()
    assert len(tools.tools) >= 18
