"""The official MCP SDK client in the 2026-07-28 era against the real server process: ``mode="auto"``
probes ``server/discover`` and adopts the stateless revision (no initialize handshake)."""

from __future__ import annotations

import json

import httpx2
import mcp_types
import pytest
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client
from server import KEY_HEADER, ServerProcess

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def test_sdk_auto_mode_adopts_2026_07_28_and_calls_tools(
    e2e_server: ServerProcess, e2e_key: str
) -> None:
    methods: list[str] = []

    async def record(request: httpx2.Request) -> None:
        methods.append(request.headers.get("mcp-method", "-"))

    async with httpx2.AsyncClient(headers={KEY_HEADER: e2e_key}, event_hooks={"request": [record]}) as http:
        transport = streamable_http_client(e2e_server.mcp_url, http_client=http)
        async with Client(transport, mode="auto") as client:
            assert client.protocol_version == "2026-07-28"
            tools = await client.list_tools()
            result = await client.call_tool("get_natural_disasters", {})
            resource = await client.read_resource("worldmonitor://freshness")
    assert len(tools.tools) == 22
    assert "initialize" not in methods
    assert methods[0] == "server/discover"
    block = result.content[0]
    assert isinstance(block, mcp_types.TextContent)
    assert json.loads(block.text)["stale"] is True
    content = resource.contents[0]
    assert isinstance(content, mcp_types.TextResourceContents)
    assert "get_natural_disasters" in json.loads(content.text)["tools"]
