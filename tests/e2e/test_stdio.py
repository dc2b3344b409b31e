"""The official MCP SDK client over the stdio transport (basic/transports "stdio"), the way Claude
Desktop and Cursor start a local server: ``worldmonitor-mcp stdio`` as a child process."""

from __future__ import annotations

import json
from pathlib import Path

import mcp_types
import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters
from server import server_command

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


def parameters(data_dir: Path) -> StdioServerParameters:
    command, *args = server_command()
    return StdioServerParameters(
        command=command, args=[*args, "stdio"], env={"WORLDMONITOR_DATA_DIR": str(data_dir)}
    )


async def test_sdk_client_over_stdio_lists_tools_and_reads_the_snapshot(tmp_path: Path) -> None:
    async with Client(parameters(tmp_path), mode="legacy") as client:
        assert client.server_info is not None
        assert client.server_info.name == "worldmonitor"
        tools = await client.list_tools()
        result = await client.call_tool("get_natural_disasters", {})
        resources = await client.list_resources()
        prompts = await client.list_prompts()
    assert len(tools.tools) == 22
    block = result.content[0]
    assert isinstance(block, mcp_types.TextContent)
    answer = json.loads(block.text)
    assert answer["stale"] is True
    assert answer["data"]["earthquakes"]["earthquakes"][0]["id"] == "us7000c93g"  # first of the USGS sample
    assert any(str(r.uri) == "worldmonitor://freshness" for r in resources.resources)
    assert {p.name for p in prompts.prompts} >= {"country_briefing"}


async def test_sdk_client_over_stdio_in_the_2026_era(tmp_path: Path) -> None:
    async with Client(parameters(tmp_path), mode="auto") as client:
        tools = await client.list_tools()
        assert client.protocol_version == "2026-07-28"
    assert len(tools.tools) == 22
