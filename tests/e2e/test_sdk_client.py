"""The official MCP Python SDK client against a real ``worldmonitor-mcp serve`` process.

Spec: MCP 2025-11-25, basic/lifecycle (initialize, version negotiation, initialized notification) and
basic/transports "Streamable HTTP" (POST per message, JSON response, 202 for a notification, 405 for the
optional GET stream), with the credential in the ``X-WorldMonitor-Key`` header on every request.

The SDK (``mcp`` 2.x) talks HTTP through ``httpx2``; a response hook records each reply's status and
headers, so the tests see the HTTP layer the SDK otherwise hides (the 401 of a refused key).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx2
import mcp_types
import pytest
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from server import KEY_HEADER, ServerProcess

import worldmonitor_mcp

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

EXPECTED_TOOL_COUNT = 22  # 18 cache tools + 4 analysis tools
LATEST_HANDSHAKE_VERSION = "2025-11-25"
UNAUTHORIZED = -32001
SNAPSHOT = Path(worldmonitor_mcp.__file__).parent / "snapshot" / "usgs_earthquakes_4.5_week.geojson"


@dataclass(frozen=True)
class Reply:
    method: str
    status: int
    headers: httpx2.Headers


@asynccontextmanager
async def connect(
    url: str,
    key: str | None,
    replies: list[Reply] | None = None,
    *,
    mode: Literal["legacy", "auto"] = "legacy",
) -> AsyncIterator[Client]:
    """An SDK ``Client`` over Streamable HTTP that sends ``key`` (if any) on every request."""

    async def record(response: httpx2.Response) -> None:
        if replies is not None:
            replies.append(Reply(response.request.method, response.status_code, response.headers))

    headers = {KEY_HEADER: key} if key is not None else {}
    async with httpx2.AsyncClient(
        headers=headers, timeout=httpx2.Timeout(30.0), event_hooks={"response": [record]}
    ) as http:
        transport = streamable_http_client(url, http_client=http)
        async with Client(transport, mode=mode, read_timeout_seconds=30.0) as client:
            yield client


def snapshot_earthquakes() -> tuple[int, list[dict[str, Any]]]:
    """The bundled USGS sample: ``metadata.generated`` (epoch ms) and its features."""
    collection = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return collection["metadata"]["generated"], collection["features"]


def tool_answer(result: mcp_types.CallToolResult) -> dict[str, Any]:
    """The JSON a cache tool returns as its one text item."""
    assert not result.is_error, result
    assert len(result.content) == 1, result.content
    block = result.content[0]
    assert isinstance(block, mcp_types.TextContent), block
    answer: dict[str, Any] = json.loads(block.text)
    return answer


def mcp_errors(group: BaseExceptionGroup[MCPError]) -> list[MCPError]:
    """The ``MCPError``s in ``group``, however deeply nested: the SDK raises a handshake error from
    inside two anyio task groups (transport, session), so it arrives wrapped in exception groups."""
    found: list[MCPError] = []
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            found.extend(mcp_errors(error))
        else:
            found.append(error)
    return found


def iso_utc(text: Any) -> datetime:
    assert isinstance(text, str), f"expected an ISO 8601 string, got {text!r}"
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, f"{text!r} has no UTC offset"
    return moment.astimezone(UTC)


async def test_initialize_negotiates_the_latest_handshake_version(
    e2e_server: ServerProcess, e2e_key: str
) -> None:
    """Lifecycle, "Initialization" and "Version Negotiation": the server answers the version the client
    asked for, declares the tools capability and names itself; then tools work without a session id."""
    replies: list[Reply] = []
    async with connect(e2e_server.mcp_url, e2e_key, replies) as client:
        assert client.protocol_version == LATEST_HANDSHAKE_VERSION
        assert client.server_capabilities.tools is not None
        assert client.server_info is not None
        assert client.server_info.name == "worldmonitor"
        assert client.instructions
        await client.list_tools()
    # initialize -> 200 JSON, notifications/initialized -> 202, tools/list -> 200 (stateless: no session).
    assert [(r.method, r.status) for r in replies] == [("POST", 200), ("POST", 202), ("POST", 200)]
    assert all("mcp-session-id" not in r.headers for r in replies)
    assert replies[0].headers["content-type"].startswith("application/json")


async def test_tools_list_names_every_tool(e2e_server: ServerProcess, e2e_key: str) -> None:
    """Server features, tools: ``tools/list`` returns every tool with a name, description and an
    object input schema, in one page."""
    async with connect(e2e_server.mcp_url, e2e_key) as client:
        listed = await client.list_tools()
    names = [tool.name for tool in listed.tools]
    assert len(names) == EXPECTED_TOOL_COUNT, names
    assert len(set(names)) == len(names), names
    assert "get_natural_disasters" in names
    assert listed.next_cursor is None
    for tool in listed.tools:
        assert tool.description, tool.name
        assert tool.input_schema.get("type") == "object", tool.name


async def test_get_natural_disasters_returns_the_snapshot_earthquakes(
    e2e_server: ServerProcess, e2e_key: str
) -> None:
    """``tools/call get_natural_disasters`` answers the bundled USGS sample, honestly marked stale: the
    seeder stamps it with the feed's own ``metadata.generated`` (2020), not with the load time."""
    generated_ms, features = snapshot_earthquakes()
    async with connect(e2e_server.mcp_url, e2e_key) as client:
        # A limit of the sample's size: the default answer holds 30 items per list.
        result = await client.call_tool("get_natural_disasters", {"limit": len(features)})
    answer = tool_answer(result)
    assert set(answer) >= {"cached_at", "stale", "data", "freshness"}, answer.keys()
    assert answer["stale"] is True
    generated = datetime.fromtimestamp(generated_ms / 1000, tz=UTC)
    assert iso_utc(answer["cached_at"]) == generated
    assert set(answer["data"]) == {"earthquakes", "fires", "events"}
    assert answer["freshness"]["earthquakes"]["stale"] is True
    assert iso_utc(answer["freshness"]["earthquakes"]["cached_at"]) == generated

    stored = answer["data"]["earthquakes"]
    assert isinstance(stored, dict), f"expected WorldMonitor's {{earthquakes: [...]}}, got {stored!r:.200}"
    quakes = {quake["id"]: quake for quake in stored["earthquakes"]}
    assert len(quakes) == len(features)
    for feature in (features[0], features[-1]):
        quake = quakes.get(feature["id"])
        assert quake is not None, f"USGS event {feature['id']} missing from {sorted(quakes)[:5]}..."
        assert quake["place"] == feature["properties"]["place"]
        assert quake["magnitude"] == feature["properties"]["mag"]
        assert quake["occurredAt"] == feature["properties"]["time"]


@pytest.mark.parametrize(
    ("key", "www_authenticate"),
    [
        pytest.param("wm_000000000000_" + "A" * 43, 'error="invalid_token"', id="wrong-key"),
        pytest.param(None, 'realm="worldmonitor"', id="no-key"),
    ],
)
async def test_refused_credential_is_a_401_and_the_server_stays_healthy(
    e2e_server: ServerProcess, e2e_key: str, key: str | None, www_authenticate: str
) -> None:
    """Authorization (MCP 2025-11-25, basic/authorization; RFC 6750 section 3): a missing or invalid
    credential gets HTTP 401 with ``WWW-Authenticate: Bearer`` and JSON-RPC error -32001, which the SDK
    raises from ``initialize``; the server keeps serving valid keys afterwards."""
    replies: list[Reply] = []
    refused: list[MCPError] = []
    try:
        async with connect(e2e_server.mcp_url, key, replies):
            pytest.fail("the handshake succeeded without a valid credential")
    except* MCPError as raised:
        refused = mcp_errors(raised)
    assert [error.code for error in refused] == [UNAUTHORIZED], refused
    assert [(r.method, r.status) for r in replies] == [("POST", 401)]
    challenge = replies[0].headers.get("www-authenticate", "")
    assert challenge.startswith("Bearer "), challenge
    assert www_authenticate in challenge, challenge

    assert e2e_server.alive(), e2e_server.describe()
    async with connect(e2e_server.mcp_url, e2e_key) as client:
        listed = await client.list_tools()
    assert len(listed.tools) == EXPECTED_TOOL_COUNT
