"""RFC 8414 authorization server metadata."""

from __future__ import annotations

import httpx
import pytest

from worldmonitor_mcp.settings import Settings

pytestmark = pytest.mark.anyio

PATH = "/.well-known/oauth-authorization-server"


async def test_rfc8414_section_3_metadata_document(client: httpx.AsyncClient) -> None:
    reply = await client.get(PATH)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["cache-control"] == "public, max-age=3600"
    assert reply.headers["access-control-allow-origin"] == "*"
    assert reply.json() == {
        "issuer": "http://127.0.0.1:8000",
        "token_endpoint": "http://127.0.0.1:8000/oauth/token",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "scopes_supported": ["mcp"],
    }
    assert "response_types_supported" not in reply.json()


async def test_rfc8414_section_2_issuer_is_the_configured_public_url_not_the_host_header(
    client_factory,
) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(public_url="https://mcp.example.com/wm")
    reply = await client.get(PATH, headers={"Host": "evil.example"})
    assert reply.json()["issuer"] == "https://mcp.example.com/wm"
    assert reply.json()["token_endpoint"] == "https://mcp.example.com/wm/oauth/token"


@pytest.mark.parametrize(
    "url", ["https://x.example/", "https://x.example?a=1", "https://x.example#f", "x.example"]
)
def test_rfc8414_section_2_public_url_must_be_a_clean_issuer(url: str) -> None:
    with pytest.raises(ValueError, match="WORLDMONITOR_PUBLIC_URL"):
        Settings(public_url=url)


async def test_head_options_and_other_methods(client: httpx.AsyncClient) -> None:
    head = await client.head(PATH)
    assert head.status_code == 200
    assert head.content == b""
    assert int(head.headers["content-length"]) > 100
    assert (await client.options(PATH)).status_code == 204
    for method in ["POST", "PUT", "DELETE"]:
        reply = await client.request(method, PATH)
        assert reply.status_code == 405
        assert "GET" in reply.headers["allow"]
