"""The public_discovery setting: initialize, ping and tools/list without credentials, so a client can
authenticate lazily at its first tools/call; off by default."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio

ACCEPT = {"Accept": "application/json, text/event-stream"}


def rpc(method: str, params: dict[str, object] | None = None) -> dict[str, object]:
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}}


async def test_default_keeps_discovery_protected(client_factory) -> None:  # type: ignore[no-untyped-def]
    client = client_factory()
    reply = await client.post("/mcp", json=rpc("tools/list"), headers=ACCEPT)
    assert reply.status_code == 401


@pytest.mark.parametrize("method", ["ping", "tools/list"])
async def test_discovery_methods_are_public_when_enabled(client_factory, method: str) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(public_discovery=True)
    reply = await client.post("/mcp", json=rpc(method), headers=ACCEPT)
    assert reply.status_code == 200, reply.text
    assert "result" in reply.json()


async def test_tools_call_still_needs_credentials_with_the_challenge(client_factory) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(public_discovery=True)
    reply = await client.post(
        "/mcp", json=rpc("tools/call", {"name": "get_cyber_threats", "arguments": {}}), headers=ACCEPT
    )
    assert reply.status_code == 401
    challenge = reply.headers["www-authenticate"]
    assert 'resource_metadata="http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp"' in challenge
    assert 'scope="mcp"' in challenge


async def test_a_bad_credential_is_still_refused(client_factory) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(public_discovery=True)
    reply = await client.post(
        "/mcp",
        json=rpc("tools/list"),
        headers={**ACCEPT, "Authorization": "Bearer wmat_000000000000_" + "A" * 43},
    )
    assert reply.status_code == 401


async def test_anonymous_discovery_is_rate_limited_per_ip(client_factory) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(public_discovery=True, rate_limit=2)
    statuses = [(await client.post("/mcp", json=rpc("ping"), headers=ACCEPT)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
