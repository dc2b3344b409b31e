"""The analysis tools end to end: the official MCP SDK client against real ``worldmonitor-mcp serve``
processes, one without an LLM (the shared server) and one whose LLM is a local chat-completions server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import mcp_types
import pytest
from server import KEY_PATTERN, ServerProcess, start_server
from test_sdk_client import connect

from chat_server import ChatServer, running_chat_server

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

LLM_KEY = "sk-e2e-llm-key-0123456789"


def answer(result: mcp_types.CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result
    [block] = result.content
    assert isinstance(block, mcp_types.TextContent)
    parsed: dict[str, Any] = json.loads(block.text)
    assert parsed == result.structured_content
    return parsed


async def test_the_four_tools_answer_evidence_without_an_llm(e2e_server: ServerProcess, e2e_key: str) -> None:
    async with connect(e2e_server.mcp_url, e2e_key) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        for name in ("get_world_brief", "get_country_brief", "analyze_situation", "generate_forecasts"):
            assert tools[name].output_schema is not None
            assert tools[name].annotations is not None
            assert tools[name].annotations.read_only_hint is True
        country = answer(await client.call_tool("get_country_brief", {"country_code": "GR"}))
        world = answer(await client.call_tool("get_world_brief", {"geo_context": "Middle East"}))
        situation = answer(await client.call_tool("analyze_situation", {"query": "Pikabot botnet"}))
        forecasts = answer(await client.call_tool("generate_forecasts", {}))
        refused = await client.call_tool("get_country_brief", {"country_code": "XX"})
    quakes = country["sections"]["hazards"]["items"]
    assert quakes
    assert all(q["source"] == "USGS" and q["id"].startswith("quake:") for q in quakes)
    assert country["stale"] is True
    assert country["narrative"] is None
    assert "WORLDMONITOR_LLM_BASE_URL" in country["narrative_reason"]
    assert world["focus"]["resolved"]["regions"] == ["Middle East & North Africa"]
    assert situation["items"]
    assert all(i["match"] for i in situation["items"])
    assert forecasts["forecasts"]
    assert refused.is_error is True
    [text] = refused.content
    assert isinstance(text, mcp_types.TextContent)
    assert "is not an ISO 3166-1 alpha-2 country code" in text.text


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str, ChatServer]]:
    root = tmp_path_factory.mktemp("e2e-llm-server")
    with running_chat_server() as chat:
        env = {
            "WORLDMONITOR_LLM_BASE_URL": chat.url,
            "WORLDMONITOR_LLM_MODEL": "invent",
            "WORLDMONITOR_LLM_API_KEY": LLM_KEY,
            "WORLDMONITOR_LLM_TIMEOUT_S": "5",
        }
        server = start_server(root / "data", root / "logs", env=env)
        try:
            key = server.first_key()
            if key is None or not KEY_PATTERN.fullmatch(key):
                pytest.fail(f"the server printed no first key\n{server.describe()}", pytrace=False)
            yield server, key, chat
        finally:
            server.stop()


async def test_the_narrative_cites_only_the_evidence_and_the_llm_sees_only_its_key(
    llm_server: tuple[ServerProcess, str, ChatServer],
) -> None:
    server, key, chat = llm_server
    async with connect(server.mcp_url, key) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert tools["get_country_brief"].annotations is not None
        assert tools["get_country_brief"].annotations.open_world_hint is True
        brief = answer(await client.call_tool("get_country_brief", {"country_code": "GR"}))
    ids = {i["id"] for s in brief["sections"].values() for i in s["items"]}
    narrative = brief["narrative"]
    assert narrative is not None, brief["narrative_reason"]
    assert set(narrative["citations"]) <= ids
    assert narrative["stripped_citations"] == 2
    assert "invented1" not in narrative["text"]
    [sent] = chat.requests
    assert sent.headers["authorization"] == f"Bearer {LLM_KEY}"
    assert key not in json.dumps(sent.headers) + json.dumps(sent.body)
    assert LLM_KEY not in server.stdout() + server.stderr()
