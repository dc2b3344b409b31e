"""RFC 8414 authorization server metadata and RFC 9728 protected resource metadata."""

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
    base = "http://127.0.0.1:8000"
    assert reply.json() == {
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "registration_endpoint": f"{base}/oauth/register",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "introspection_endpoint": f"{base}/oauth/introspect",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_post", "client_secret_basic"],
        "revocation_endpoint_auth_methods_supported": ["none", "client_secret_post", "client_secret_basic"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "scopes_supported": ["mcp", "offline_access"],
        "client_id_metadata_document_supported": True,
        "authorization_response_iss_parameter_supported": True,
    }


@pytest.mark.parametrize(
    "path", ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]
)
async def test_rfc9728_3_protected_resource_metadata_at_both_well_known_uris(
    client: httpx.AsyncClient, path: str
) -> None:
    reply = await client.get(path)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["cache-control"] == "public, max-age=3600"
    assert reply.headers["access-control-allow-origin"] == "*"
    assert reply.json() == {
        "resource": "http://127.0.0.1:8000/mcp",
        "authorization_servers": ["http://127.0.0.1:8000"],
        "scopes_supported": ["mcp"],
        "bearer_methods_supported": ["header"],
        "resource_name": "WorldMonitor",
    }
    assert "offline_access" not in reply.json()["scopes_supported"]


async def test_rfc9728_5_1_every_401_names_the_metadata_and_the_scope(client: httpx.AsyncClient) -> None:
    reply = await client.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert reply.status_code == 401
    challenge = reply.headers["www-authenticate"]
    assert 'resource_metadata="http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp"' in challenge
    assert 'scope="mcp"' in challenge
    metadata = await client.get("/.well-known/oauth-protected-resource/mcp")
    assert metadata.status_code == 200


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
