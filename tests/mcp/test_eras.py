"""Every protocol era on one endpoint: the handshake era (2025-03-26 .. 2025-11-25) and the stateless
2026-07-28 revision (server/discover, per-request _meta, routing headers, resultType, caching hints)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

pytestmark = pytest.mark.anyio

MODERN = "2026-07-28"
META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": {"name": "tests", "version": "1"},
}


def modern_request(method: str, params: dict[str, Any] | None = None, id_: int = 1) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": id_, "method": method, "params": {**(params or {}), "_meta": META}}


def modern_headers(key: str, method: str, name: str | None = None) -> dict[str, str]:
    headers = {"X-WorldMonitor-Key": key, "MCP-Protocol-Version": MODERN, "Mcp-Method": method}
    if name is not None:
        headers["Mcp-Name"] = name
    return headers


async def test_2026_server_discover_lists_versions_capabilities_and_caching_hints(
    client: httpx.AsyncClient, api_key: str
) -> None:
    reply = await client.post(
        "/mcp", json=modern_request("server/discover"), headers=modern_headers(api_key, "server/discover")
    )
    assert reply.status_code == 200
    result = reply.json()["result"]
    assert result["supportedVersions"] == ["2025-03-26", "2025-06-18", "2025-11-25", MODERN]
    assert result["resultType"] == "complete"
    assert result["serverInfo"]["name"] == "worldmonitor"
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "worldmonitor"
    assert {"tools", "resources", "prompts", "completions"} <= set(result["capabilities"])
    assert result["ttlMs"] > 0
    assert result["cacheScope"] in {"public", "private"}
    assert "mcp-session-id" not in reply.headers


async def test_2026_results_carry_result_type_server_info_and_list_hints(
    client: httpx.AsyncClient, api_key: str
) -> None:
    listed = (
        await client.post(
            "/mcp", json=modern_request("tools/list"), headers=modern_headers(api_key, "tools/list")
        )
    ).json()
    assert listed["result"]["resultType"] == "complete"
    assert listed["result"]["ttlMs"] == 300_000
    assert listed["result"]["cacheScope"] == "public"
    assert len(listed["result"]["tools"]) == 22
    called = await client.post(
        "/mcp",
        json=modern_request("tools/call", {"name": "get_natural_disasters", "arguments": {}}),
        headers=modern_headers(api_key, "tools/call", "get_natural_disasters"),
    )
    result = called.json()["result"]
    assert result["resultType"] == "complete"
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["version"]
    assert "ttlMs" not in result
    assert result["content"][0]["type"] == "text"


@pytest.mark.parametrize(
    ("header", "value"),
    [("Mcp-Method", "tools/list"), ("MCP-Protocol-Version", "2025-11-25"), ("Mcp-Name", "get_market_data")],
)
async def test_2026_routing_header_mismatch_is_400_32020(
    client: httpx.AsyncClient, api_key: str, header: str, value: str
) -> None:
    headers = modern_headers(api_key, "tools/call", "get_natural_disasters")
    headers[header] = value
    reply = await client.post(
        "/mcp", json=modern_request("tools/call", {"name": "get_natural_disasters"}), headers=headers
    )
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == -32020


async def test_2026_missing_routing_headers_are_a_mismatch(client: httpx.AsyncClient, api_key: str) -> None:
    reply = await client.post(
        "/mcp", json=modern_request("tools/list"), headers={"X-WorldMonitor-Key": api_key}
    )
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == -32020


async def test_2026_mcp_name_may_be_base64_encoded(client: httpx.AsyncClient, api_key: str) -> None:
    headers = modern_headers(api_key, "tools/call", "=?base64?Z2V0X25hdHVyYWxfZGlzYXN0ZXJz?=")
    reply = await client.post(
        "/mcp", json=modern_request("tools/call", {"name": "get_natural_disasters"}), headers=headers
    )
    assert reply.status_code == 200


async def test_2026_duplicated_routing_header_is_a_mismatch(client: httpx.AsyncClient, api_key: str) -> None:
    headers = [
        ("X-WorldMonitor-Key", api_key),
        ("MCP-Protocol-Version", MODERN),
        ("Mcp-Method", "tools/list"),
        ("Mcp-Method", "tools/list"),
    ]
    reply = await client.post("/mcp", content=orjson.dumps(modern_request("tools/list")), headers=headers)
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == -32020


async def test_2026_unsupported_version_is_400_32022_listing_supported(
    client: httpx.AsyncClient, api_key: str
) -> None:
    body = modern_request("tools/list")
    body["params"]["_meta"] = {**META, "io.modelcontextprotocol/protocolVersion": "2027-01-01"}
    headers = {**modern_headers(api_key, "tools/list"), "MCP-Protocol-Version": "2027-01-01"}
    reply = await client.post("/mcp", json=body, headers=headers)
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["code"] == -32022
    assert error["data"]["requested"] == "2027-01-01"
    assert MODERN in error["data"]["supported"]


async def test_2026_missing_capabilities_in_meta_is_400_32602(
    client: httpx.AsyncClient, api_key: str
) -> None:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/list",
        "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": MODERN}},
    }
    reply = await client.post("/mcp", json=body, headers=modern_headers(api_key, "tools/list"))
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == -32602


@pytest.mark.parametrize("method", ["no/such", "initialize", "ping"])
async def test_2026_unknown_method_is_404_32601(client: httpx.AsyncClient, api_key: str, method: str) -> None:
    """initialize and ping do not exist in 2026-07-28."""
    reply = await client.post("/mcp", json=modern_request(method), headers=modern_headers(api_key, method))
    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == -32601


async def test_2026_unknown_tool_is_400_32602(client: httpx.AsyncClient, api_key: str) -> None:
    reply = await client.post(
        "/mcp",
        json=modern_request("tools/call", {"name": "nope"}),
        headers=modern_headers(api_key, "tools/call", "nope"),
    )
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == -32602


async def test_2026_session_id_and_last_event_id_are_ignored(client: httpx.AsyncClient, api_key: str) -> None:
    headers = {
        **modern_headers(api_key, "tools/list"),
        "Mcp-Session-Id": "stale-session",
        "Last-Event-ID": "42",
    }
    assert (await client.post("/mcp", json=modern_request("tools/list"), headers=headers)).status_code == 200


async def test_server_discover_without_meta_fails_the_2026_ladder(
    client: httpx.AsyncClient, api_key: str
) -> None:
    """A discover probe without _meta is still a 2026-07-28 request: it fails that era's ladder."""
    reply = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "server/discover"},
        headers={"X-WorldMonitor-Key": api_key},
    )
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == -32602


async def test_claude_sends_a_2026_header_on_a_2025_connection(
    client: httpx.AsyncClient, api_key: str
) -> None:
    """Tolerated: the body speaks the handshake era, so it is served as one."""
    reply = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"X-WorldMonitor-Key": api_key, "MCP-Protocol-Version": MODERN},
    )
    assert reply.status_code == 200
    assert "resultType" not in reply.json()["result"]


async def test_legacy_unknown_method_stays_200(client: httpx.AsyncClient, api_key: str) -> None:
    reply = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "no/such"},
        headers={"X-WorldMonitor-Key": api_key, "MCP-Protocol-Version": "2025-11-25"},
    )
    assert reply.status_code == 200
    assert reply.json()["error"]["code"] == -32601


# -- batches -----------------------------------------------------------------------------------------


async def test_batches_are_accepted_on_2025_03_26(client: httpx.AsyncClient, api_key: str) -> None:
    """2025-03-26 transports: the body may be a JSON-RPC batch; responses come back as an array."""
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "no/such"},
        {"jsonrpc": "2.0", "id": 3, "method": "initialize", "params": {"protocolVersion": "2025-03-26"}},
    ]
    for headers in (
        {"X-WorldMonitor-Key": api_key},
        {"X-WorldMonitor-Key": api_key, "MCP-Protocol-Version": "2025-03-26"},
    ):
        reply = await client.post("/mcp", json=batch, headers=headers)
        assert reply.status_code == 200
        replies = {item["id"]: item for item in reply.json()}
        assert replies[1]["result"] == {}
        assert replies[2]["error"]["code"] == -32601
        assert replies[3]["error"]["code"] == -32600  # initialize MUST NOT be batched


async def test_batch_of_notifications_is_202(client: httpx.AsyncClient, api_key: str) -> None:
    batch = [{"jsonrpc": "2.0", "method": "notifications/initialized"}]
    reply = await client.post("/mcp", json=batch, headers={"X-WorldMonitor-Key": api_key})
    assert reply.status_code == 202
    assert reply.content == b""


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25"])
async def test_batches_are_refused_after_2025_03_26(
    client: httpx.AsyncClient, api_key: str, version: str
) -> None:
    batch = [{"jsonrpc": "2.0", "id": 1, "method": "ping"}]
    reply = await client.post(
        "/mcp", json=batch, headers={"X-WorldMonitor-Key": api_key, "MCP-Protocol-Version": version}
    )
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == -32600


async def test_empty_batch_is_invalid(client: httpx.AsyncClient, api_key: str) -> None:
    reply = await client.post("/mcp", json=[], headers={"X-WorldMonitor-Key": api_key})
    assert reply.status_code == 400


# -- reply formats -----------------------------------------------------------------------------------


async def test_event_stream_only_client_gets_one_sse_event(client: httpx.AsyncClient, api_key: str) -> None:
    reply = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 7, "method": "ping"},
        headers={"X-WorldMonitor-Key": api_key, "Accept": "text/event-stream"},
    )
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/event-stream")
    assert reply.text == 'event: message\ndata: {"jsonrpc":"2.0","id":7,"result":{}}\n\n'


@pytest.mark.parametrize("accept", ["text/html", "application/xml, text/plain", "application/json;q=0"])
async def test_accepting_neither_json_nor_sse_is_406(
    client: httpx.AsyncClient, api_key: str, accept: str
) -> None:
    reply = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
        headers={"X-WorldMonitor-Key": api_key, "Accept": accept},
    )
    assert reply.status_code == 406


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/json, text/event-stream"])
async def test_json_when_json_is_acceptable(
    client: httpx.AsyncClient, api_key: str, accept: str | None
) -> None:
    headers = {"X-WorldMonitor-Key": api_key}
    if accept is not None:
        headers["Accept"] = accept
    reply = await client.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers=headers)
    assert reply.headers["content-type"] == "application/json"


async def test_2026_resources_read_carries_caching_hints(client: httpx.AsyncClient, api_key: str) -> None:
    reply = await client.post(
        "/mcp",
        json=modern_request("resources/read", {"uri": "worldmonitor://freshness"}),
        headers=modern_headers(api_key, "resources/read", "worldmonitor://freshness"),
    )
    result = reply.json()["result"]
    assert result["ttlMs"] == 60_000
    assert result["cacheScope"] == "public"


async def test_rfc9110_5_5_whitespace_around_routing_headers_is_ignored(
    client: httpx.AsyncClient, api_key: str
) -> None:
    headers = modern_headers(api_key, "tools/call", "  get_natural_disasters\t")
    reply = await client.post(
        "/mcp", json=modern_request("tools/call", {"name": "get_natural_disasters"}), headers=headers
    )
    assert reply.status_code == 200


async def test_logging_set_level_only_in_the_handshake_era(client: httpx.AsyncClient, api_key: str) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "logging/setLevel", "params": {"level": "info"}}
    legacy = await client.post("/mcp", json=body, headers={"X-WorldMonitor-Key": api_key})
    assert legacy.json()["result"] == {}
    bad = await client.post(
        "/mcp", json={**body, "params": {"level": "loud"}}, headers={"X-WorldMonitor-Key": api_key}
    )
    assert bad.json()["error"]["code"] == -32602
    modern = await client.post(
        "/mcp",
        json=modern_request("logging/setLevel", {"level": "info"}),
        headers=modern_headers(api_key, "logging/setLevel"),
    )
    assert modern.status_code == 404
