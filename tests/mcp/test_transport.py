"""MCP Streamable HTTP transport (spec 2025-11-25, basic/transports) and JSON-RPC 2.0 envelope rules."""

from __future__ import annotations

import logging

import httpx
import pytest

from worldmonitor_mcp.mcp.versions import HANDSHAKE_VERSIONS, LATEST_HANDSHAKE_VERSION
from worldmonitor_mcp.tools import CACHE_TOOLS

pytestmark = pytest.mark.anyio


def rpc(method: str, params: dict[str, object] | None = None, id_: int | str | None = 1) -> dict[str, object]:
    message: dict[str, object] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = params
    if id_ is not None:
        message["id"] = id_
    return message


@pytest.fixture
def headers(api_key: str) -> dict[str, str]:
    return {"X-WorldMonitor-Key": api_key, "Accept": "application/json, text/event-stream"}


@pytest.mark.parametrize("version", HANDSHAKE_VERSIONS)
async def test_initialize_echoes_a_supported_version(
    client: httpx.AsyncClient, headers: dict[str, str], version: str
) -> None:
    """Lifecycle §Version Negotiation: a supported requested version MUST be echoed."""
    reply = await client.post("/mcp", json=rpc("initialize", {"protocolVersion": version}), headers=headers)
    assert reply.status_code == 200
    result = reply.json()["result"]
    assert result["protocolVersion"] == version
    assert result["serverInfo"]["name"] == "worldmonitor"
    assert "tools" in result["capabilities"]


@pytest.mark.parametrize("version", ["2024-11-05", "2099-01-01", None, 7])
async def test_initialize_answers_latest_for_unsupported_version(
    client: httpx.AsyncClient, headers: dict[str, str], version: object
) -> None:
    """Lifecycle §Version Negotiation: otherwise the server answers with a version it supports."""
    reply = await client.post("/mcp", json=rpc("initialize", {"protocolVersion": version}), headers=headers)
    assert reply.json()["result"]["protocolVersion"] == LATEST_HANDSHAKE_VERSION


@pytest.mark.parametrize("method", ["notifications/initialized", "notifications/cancelled", "anything/else"])
async def test_notification_gets_202_and_empty_body(
    client: httpx.AsyncClient, headers: dict[str, str], method: str
) -> None:
    """Transports §Sending Messages: a notification is accepted with 202 and no body."""
    reply = await client.post("/mcp", json=rpc(method, id_=None), headers=headers)
    assert reply.status_code == 202
    assert reply.content == b""


async def test_ping_returns_empty_result(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    reply = await client.post("/mcp", json=rpc("ping", id_="abc"), headers=headers)
    assert reply.json() == {"jsonrpc": "2.0", "id": "abc", "result": {}}


async def test_tools_list_names_the_18_cache_tools_then_the_4_analysis_tools(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    reply = await client.post("/mcp", json=rpc("tools/list"), headers=headers)
    tools = reply.json()["result"]["tools"]
    assert [t["name"] for t in tools] == [spec.name for spec in CACHE_TOOLS] + [
        "get_world_brief",
        "get_country_brief",
        "analyze_situation",
        "generate_forecasts",
    ]
    assert len(tools) == 22
    for tool in tools:
        assert tool["inputSchema"]["type"] == "object"
        assert len(tool["description"]) > 20


async def test_unknown_method_is_32601(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """JSON-RPC 2.0 §5.1: -32601 Method not found, on HTTP 200."""
    reply = await client.post("/mcp", json=rpc("sampling/createMessage", id_=9), headers=headers)
    assert reply.status_code == 200
    assert reply.json()["id"] == 9
    assert reply.json()["error"]["code"] == -32601


async def test_body_that_is_not_json_is_400_parse_error_with_null_id(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    """JSON-RPC 2.0 §5.1: -32700 Parse error; the id cannot be known, so it is null."""
    reply = await client.post("/mcp", content=b'{"jsonrpc": "2.0", "id": 1,', headers=headers)
    assert reply.status_code == 400
    assert reply.json() == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32700, "message": reply.json()["error"]["message"]},
    }


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b"42",
        b'"ping"',
        b'{"jsonrpc":"1.0","id":1,"method":"ping"}',
        b'{"jsonrpc":"2.0","id":1}',
        b'{"jsonrpc":"2.0","id":1,"method":""}',
        b'{"jsonrpc":"2.0","id":null,"method":"ping"}',
        b'{"jsonrpc":"2.0","id":1.5,"method":"ping"}',
        b'{"jsonrpc":"2.0","id":true,"method":"ping"}',
        b'{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}',
        b'{"jsonrpc":"2.0","id":1,"result":{}}',
    ],
)
async def test_json_that_is_not_a_request_is_400_invalid_request(
    client: httpx.AsyncClient, headers: dict[str, str], body: bytes
) -> None:
    """JSON-RPC 2.0 §4 and §5.1: -32600 Invalid Request."""
    reply = await client.post("/mcp", content=body, headers=headers)
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == -32600


async def test_trailing_slash_answers_without_redirect(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    reply = await client.post("/mcp/", json=rpc("ping"), headers=headers)
    assert reply.status_code == 200
    assert reply.json()["result"] == {}


@pytest.mark.parametrize("path", ["/mcp", "/mcp/"])
async def test_options_is_204(client: httpx.AsyncClient, path: str) -> None:
    reply = await client.options(
        path, headers={"Origin": "https://claude.ai", "Access-Control-Request-Method": "POST"}
    )
    assert reply.status_code == 204
    assert reply.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT", "PATCH"])
async def test_other_methods_are_405_with_allow(
    client: httpx.AsyncClient, headers: dict[str, str], method: str
) -> None:
    """Transports §Listening for Messages: a server without an SSE stream answers GET with 405."""
    reply = await client.request(method, "/mcp", headers=headers)
    assert reply.status_code == 405
    assert "POST" in reply.headers["allow"]


async def test_body_over_limit_is_413_from_content_length(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    body = b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"' + b"x" * (1024 * 1024) + b'"}}'
    reply = await client.post("/mcp", content=body, headers=headers)
    assert reply.status_code == 413
    assert reply.json()["error"]["code"] == -32600


async def test_streamed_body_over_limit_is_413_before_it_is_all_read(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    """Without Content-Length the cap applies while streaming: reading stops at the limit."""
    sent = 0

    async def chunks():  # type: ignore[no-untyped-def]
        nonlocal sent
        for _ in range(64):
            sent += 1
            yield b"x" * 65536

    reply = await client.post("/mcp", content=chunks(), headers=headers)
    assert reply.status_code == 413
    assert sent < 64


async def test_every_reply_carries_cors_cache_and_request_id(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    replies = [
        await client.post("/mcp", json=rpc("ping"), headers=headers),
        await client.post("/mcp", json=rpc("ping")),  # 401
        await client.post("/mcp", content=b"nope", headers=headers),  # 400
        await client.get("/mcp", headers=headers),  # 405
        await client.options("/mcp"),  # 204
        await client.post("/mcp", json=rpc("ping", id_=None), headers=headers),  # 202
    ]
    assert [r.status_code for r in replies] == [200, 401, 400, 405, 204, 202]
    for reply in replies:
        assert reply.headers["access-control-allow-origin"] == "*"
        allowed = reply.headers["access-control-allow-headers"].lower()
        for name in [
            "authorization",
            "content-type",
            "x-worldmonitor-key",
            "mcp-session-id",
            "mcp-protocol-version",
            "last-event-id",
        ]:
            assert name in allowed
        exposed = reply.headers["access-control-expose-headers"].lower()
        for name in ["mcp-session-id", "www-authenticate", "retry-after", "ratelimit", "ratelimit-policy"]:
            assert name in exposed
        assert reply.headers["cache-control"] == "no-store"
        assert len(reply.headers["x-request-id"]) >= 8


async def test_request_id_appears_in_the_log_line_without_query_string(
    client: httpx.AsyncClient, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="worldmonitor.access"):
        reply = await client.post("/mcp?api_key=wm_leaked", json=rpc("ping"), headers=headers)
    request_id = reply.headers["x-request-id"]
    lines = [r.getMessage() for r in caplog.records if r.name == "worldmonitor.access"]
    assert any(f"request_id={request_id}" in line and "status=200" in line for line in lines)
    assert not any("wm_leaked" in line for line in lines)


async def test_unexpected_failure_is_masked_with_cors(
    client_factory, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    """A bug inside a method never leaks its exception text; it is logged with the request id."""
    from worldmonitor_mcp.mcp.methods import MethodTable

    async def broken(self: MethodTable, params: dict[str, object], ctx: object) -> bytes:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(MethodTable, "_ping", broken)
    client = client_factory()
    with caplog.at_level(logging.ERROR, logger="worldmonitor.mcp"):
        reply = await client.post("/mcp", json=rpc("ping", id_=5), headers=headers)
    assert reply.status_code == 200
    assert reply.json() == {
        "jsonrpc": "2.0",
        "id": 5,
        "error": {"code": -32603, "message": "Internal error: data fetch failed"},
    }
    assert b"secret internals" not in reply.content
    assert reply.headers["access-control-allow-origin"] == "*"
    assert any(reply.headers["x-request-id"] in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("version", [*HANDSHAKE_VERSIONS, "2026-07-28"])
async def test_supported_or_tolerated_protocol_version_header_passes(
    client: httpx.AsyncClient, headers: dict[str, str], version: str
) -> None:
    reply = await client.post("/mcp", json=rpc("ping"), headers={**headers, "MCP-Protocol-Version": version})
    assert reply.status_code == 200


@pytest.mark.parametrize("version", ["1999-01-01", "latest", ""])
async def test_unsupported_protocol_version_header_is_400(
    client: httpx.AsyncClient, headers: dict[str, str], version: str
) -> None:
    """Transports §Protocol Version Header: an invalid or unsupported version MUST get 400 Bad Request."""
    reply = await client.post(
        "/mcp", json=rpc("tools/list"), headers={**headers, "MCP-Protocol-Version": version}
    )
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == -32022
    assert reply.json()["error"]["data"] == {
        "supported": ["2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"],
        "requested": version,
    }
