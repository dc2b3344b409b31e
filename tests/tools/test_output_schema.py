"""outputSchema and structuredContent: every tool declares the schema, every answer conforms to it.

MCP 2025-06-18 "Structured content": a tool with an outputSchema MUST return structuredContent that
conforms to it, and SHOULD also return the serialized JSON in a text item for older clients.
Checked with the jsonschema package (Draft 2020-12) on the real snapshot and on an empty store.
"""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest
from tool_calls import CallTool, structured

from worldmonitor_mcp.store.sqlite import SqliteStore
from worldmonitor_mcp.tools import CACHE_TOOLS

pytestmark = pytest.mark.anyio

ASKS: list[dict[str, Any]] = [
    {},
    {"limit": 0},
    {"limit": 1},
    {"summary": True},
    {"projection": "keys(@)"},
    {"jmespath": "*"},
]


CACHE_TOOL_NAMES = {spec.name for spec in CACHE_TOOLS}


async def tool_list(client: httpx.AsyncClient, api_key: str) -> dict[str, dict[str, Any]]:
    """The cache tools as tools/list describes them (other kinds of tool are tested beside their code)."""
    reply = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"X-WorldMonitor-Key": api_key},
    )
    listed = {tool["name"]: tool for tool in reply.json()["result"]["tools"]}
    assert set(listed) >= CACHE_TOOL_NAMES
    return {name: tool for name, tool in listed.items() if name in CACHE_TOOL_NAMES}


async def test_every_cache_tool_declares_a_valid_object_output_schema(
    client: httpx.AsyncClient, api_key: str
) -> None:
    for tool in (await tool_list(client, api_key)).values():
        schema = tool["outputSchema"]
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object"
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


async def test_every_cache_tool_declares_a_valid_input_schema(
    client: httpx.AsyncClient, api_key: str
) -> None:
    for tool in (await tool_list(client, api_key)).values():
        jsonschema.Draft202012Validator.check_schema(tool["inputSchema"])
        assert tool["inputSchema"]["additionalProperties"] is False
        assert {"limit", "summary", "projection"} <= set(tool["inputSchema"]["properties"])


async def test_cache_tools_are_annotated_read_only_idempotent_and_closed_world(
    client: httpx.AsyncClient, api_key: str
) -> None:
    for tool in (await tool_list(client, api_key)).values():
        annotations = tool["annotations"]
        assert annotations["readOnlyHint"] is True
        assert annotations["idempotentHint"] is True
        assert annotations["openWorldHint"] is False
        assert annotations["destructiveHint"] is False
        assert annotations["title"] == tool["title"]
        assert tool["title"]


async def conforms(
    call_tool: CallTool, schemas: dict[str, dict[str, Any]], name: str, arguments: Any
) -> None:
    answer = structured(await call_tool(name, arguments))
    errors = list(jsonschema.Draft202012Validator(schemas[name]["outputSchema"]).iter_errors(answer))
    assert not errors, f"{name} {arguments}: {[e.message for e in errors][:3]}"


@pytest.mark.parametrize("arguments", ASKS)
async def test_answers_on_the_real_snapshot_conform(
    client: httpx.AsyncClient, api_key: str, call_tool: CallTool, snapshot_store: SqliteStore, arguments: Any
) -> None:
    schemas = await tool_list(client, api_key)
    for spec in CACHE_TOOLS:
        await conforms(call_tool, schemas, spec.name, arguments)


@pytest.mark.parametrize("arguments", ASKS)
async def test_answers_on_an_empty_store_conform(
    client: httpx.AsyncClient, api_key: str, call_tool: CallTool, arguments: Any
) -> None:
    schemas = await tool_list(client, api_key)
    for spec in CACHE_TOOLS:
        await conforms(call_tool, schemas, spec.name, arguments)


async def test_filtered_and_over_budget_answers_conform(
    client: httpx.AsyncClient, api_key: str, call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    schemas = await tool_list(client, api_key)
    await conforms(call_tool, schemas, "get_natural_disasters", {"limit": 0})  # over its budget: a summary
    await conforms(call_tool, schemas, "get_natural_disasters", {"country": "JP", "since": "2020-01-01"})
    await conforms(call_tool, schemas, "get_cyber_threats", {"type": "c2_server", "datasets": ["kev"]})
