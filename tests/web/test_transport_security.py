"""The MCP transport's DNS-rebinding rule (transports, "Security Warning"): Host and Origin checks."""

from __future__ import annotations

import httpx
import pytest

from worldmonitor_mcp.settings import Settings
from worldmonitor_mcp.web.transport_security import TransportSecurityPolicy, hostname_of, is_loopback

pytestmark = pytest.mark.anyio

PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "192.168.1.10:8000", ""])
async def test_foreign_host_is_403(client: httpx.AsyncClient, api_key: str, host: str) -> None:
    reply = await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": api_key, "Host": host})
    assert reply.status_code == 403
    assert reply.json()["error"]["code"] == -32600
    assert reply.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST"])
async def test_loopback_hosts_pass(client: httpx.AsyncClient, api_key: str, host: str) -> None:
    reply = await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": api_key, "Host": host})
    assert reply.status_code == 200


@pytest.mark.parametrize("origin", ["https://evil.example", "http://attacker.test:8000", "null"])
async def test_loopback_bind_refuses_foreign_origins(
    client: httpx.AsyncClient, api_key: str, origin: str
) -> None:
    reply = await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": api_key, "Origin": origin})
    assert reply.status_code == 403


@pytest.mark.parametrize("origin", ["http://localhost:6274", "http://127.0.0.1:8000", "http://[::1]:3000"])
async def test_loopback_bind_accepts_loopback_origins(
    client: httpx.AsyncClient, api_key: str, origin: str
) -> None:
    reply = await client.post("/mcp", json=PING, headers={"X-WorldMonitor-Key": api_key, "Origin": origin})
    assert reply.status_code == 200


async def test_public_bind_accepts_any_origin_but_checks_host(client_factory, api_key: str) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(host="0.0.0.0", public_url="https://mcp.example.com")
    ok = await client.post(
        "/mcp",
        json=PING,
        headers={"X-WorldMonitor-Key": api_key, "Host": "mcp.example.com", "Origin": "https://claude.ai"},
    )
    assert ok.status_code == 200
    wrong_host = await client.post(
        "/mcp", json=PING, headers={"X-WorldMonitor-Key": api_key, "Host": "rebound.example"}
    )
    assert wrong_host.status_code == 403


async def test_configured_lists_replace_the_defaults(client_factory, api_key: str) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(allowed_hosts="mcp.internal", allowed_origins="https://app.example")
    headers = {"X-WorldMonitor-Key": api_key, "Host": "mcp.internal"}
    assert (
        await client.post("/mcp", json=PING, headers={**headers, "Origin": "https://app.example"})
    ).status_code == 200
    assert (
        await client.post("/mcp", json=PING, headers={**headers, "Origin": "http://localhost:1"})
    ).status_code == 403


def test_public_bind_without_known_names_refuses_to_start() -> None:
    with pytest.raises(ValueError, match="WORLDMONITOR_PUBLIC_URL"):
        Settings(host="0.0.0.0")


def test_no_auth_only_on_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        Settings(host="0.0.0.0", public_url="https://x.example", no_auth=True)
    assert Settings(host="127.0.0.1", no_auth=True).no_auth


async def test_no_auth_serves_without_credentials(client_factory) -> None:  # type: ignore[no-untyped-def]
    client = client_factory(no_auth=True)
    reply = await client.post("/mcp", json=PING)
    assert reply.status_code == 200
    assert (await client.post("/mcp", json=PING, headers={"Host": "evil.example"})).status_code == 403


@pytest.mark.parametrize(
    ("header", "name"),
    [("a.example:80", "a.example"), ("[::1]:8000", "::1"), ("::1", "::1"), ("X.EXAMPLE", "x.example")],
)
def test_hostname_of(header: str, name: str) -> None:
    assert hostname_of(header) == name


def test_loopback_detection() -> None:
    assert is_loopback("127.1.2.3")
    assert is_loopback("app.localhost")
    assert not is_loopback("10.0.0.1")
    assert not TransportSecurityPolicy(
        public_url="http://127.0.0.1:8000", bind_host="127.0.0.1", extra_hosts=[], allowed_origins=None
    ).origin_allowed("https://127.0.0.1.evil.example")
