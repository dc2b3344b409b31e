"""Resources (server/resources), prompts (server/prompts) and completion (server/utilities/completion)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from worldmonitor_mcp.seeders import load_snapshot
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


async def rpc(
    client: httpx.AsyncClient, key: str, method: str, params: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": method}
    if params is not None:
        body["params"] = params
    reply = await client.post("/mcp", json=body, headers={"X-WorldMonitor-Key": key})
    return reply.json()  # type: ignore[no-any-return]


async def test_initialize_declares_resources_prompts_and_completions(
    client: httpx.AsyncClient, api_key: str
) -> None:
    capabilities = (await rpc(client, api_key, "initialize", {"protocolVersion": "2025-11-25"}))["result"][
        "capabilities"
    ]
    assert {"tools", "resources", "prompts", "completions"} <= set(capabilities)


async def test_resources_list_names_freshness_and_each_dataset(
    client: httpx.AsyncClient, api_key: str
) -> None:
    resources = (await rpc(client, api_key, "resources/list"))["result"]["resources"]
    uris = [r["uri"] for r in resources]
    assert uris[0] == "worldmonitor://freshness"
    assert "worldmonitor://data/get_natural_disasters" in uris
    assert uris[1] == "worldmonitor://sources"
    assert len(uris) == 20
    templates = (await rpc(client, api_key, "resources/templates/list"))["result"]["resourceTemplates"]
    assert templates[0]["uriTemplate"] == "worldmonitor://data/{tool}"


async def test_dataset_resource_reads_through_the_tool(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore
) -> None:
    await load_snapshot(store)
    result = (
        await rpc(client, api_key, "resources/read", {"uri": "worldmonitor://data/get_natural_disasters"})
    )["result"]
    [content] = result["contents"]
    assert content["mimeType"] == "application/json"
    tool = (await rpc(client, api_key, "tools/call", {"name": "get_natural_disasters"}))["result"]
    assert content["text"] == tool["content"][0]["text"]


async def test_freshness_resource_reports_every_tool(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore
) -> None:
    await load_snapshot(store)
    [content] = (await rpc(client, api_key, "resources/read", {"uri": "worldmonitor://freshness"}))["result"][
        "contents"
    ]
    report = orjson.loads(content["text"])["tools"]
    assert len(report) == 18
    quakes = report["get_natural_disasters"]["datasets"]["seismology:earthquakes:v1"]
    assert quakes["cached_at"] == "2020-11-02T00:59:03.000Z"
    assert quakes["stale"] is True
    assert quakes["record_count"] == 50


@pytest.mark.parametrize(
    "uri", ["worldmonitor://data/nope", "https://example.com/", "worldmonitor://freshness/x"]
)
async def test_unknown_resource_is_32602_with_the_uri(
    client: httpx.AsyncClient, api_key: str, uri: str
) -> None:
    """SEP-2164: resource not found is -32602 and names the URI."""
    error = (await rpc(client, api_key, "resources/read", {"uri": uri}))["error"]
    assert error["code"] == -32602
    assert error["data"] == {"uri": uri}


async def test_prompts_list_and_get_country_briefing(client: httpx.AsyncClient, api_key: str) -> None:
    prompts = (await rpc(client, api_key, "prompts/list"))["result"]["prompts"]
    assert {p["name"] for p in prompts} == {
        "country_briefing",
        "disaster_watch",
        "cyber_watch",
        "market_open",
    }
    got = await rpc(
        client, api_key, "prompts/get", {"name": "country_briefing", "arguments": {"country_code": "jp"}}
    )
    text = got["result"]["messages"][0]["content"]["text"]
    assert "Japan (JP)" in text
    assert "get_conflict_events" in text
    assert "stale" in text


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("country_briefing", {}),
        ("country_briefing", {"country_code": "XX"}),
        ("country_briefing", {"country_code": "JP", "extra": "1"}),
        ("disaster_watch", {"min_magnitude": "eleven"}),
        ("disaster_watch", {"min_magnitude": "12"}),
        ("nope", {}),
        ("cyber_watch", {"vendor": 5}),
    ],
)
async def test_prompt_arguments_are_validated(
    client: httpx.AsyncClient, api_key: str, name: str, arguments: dict[str, Any]
) -> None:
    error = (await rpc(client, api_key, "prompts/get", {"name": name, "arguments": arguments}))["error"]
    assert error["code"] == -32602


async def test_complete_country_codes_and_tool_names(client: httpx.AsyncClient, api_key: str) -> None:
    countries = await rpc(
        client,
        api_key,
        "completion/complete",
        {
            "ref": {"type": "ref/prompt", "name": "country_briefing"},
            "argument": {"name": "country_code", "value": "ja"},
        },
    )
    assert "JP" in countries["result"]["completion"]["values"]  # by name: Japan
    tools = await rpc(
        client,
        api_key,
        "completion/complete",
        {
            "ref": {"type": "ref/resource", "uri": "worldmonitor://data/{tool}"},
            "argument": {"name": "tool", "value": "get_m"},
        },
    )
    assert tools["result"]["completion"]["values"] == ["get_market_data", "get_military_posture"]


async def test_complete_caps_at_100_values(client: httpx.AsyncClient, api_key: str) -> None:
    everything = await rpc(
        client,
        api_key,
        "completion/complete",
        {
            "ref": {"type": "ref/prompt", "name": "country_briefing"},
            "argument": {"name": "country_code", "value": ""},
        },
    )
    completion = everything["result"]["completion"]
    assert len(completion["values"]) == 100
    assert completion["total"] > 200
    assert completion["hasMore"] is True


async def test_sources_resource_lists_every_feed_with_provenance(
    client: httpx.AsyncClient, api_key: str
) -> None:
    [content] = (await rpc(client, api_key, "resources/read", {"uri": "worldmonitor://sources"}))["result"][
        "contents"
    ]
    feeds = {feed["feed"]: feed for feed in orjson.loads(content["text"])["feeds"]}
    usgs = feeds["usgs-earthquakes"]
    assert usgs["key"] == "seismology:earthquakes:v1"
    assert usgs["records"] == 50
    assert usgs["data_time"] == "2020-11-02T00:59:03Z"
    assert "takkJakob/test2" in usgs["copied_from"]
    assert usgs["licence"]
    assert all(feed["copied_from"] and feed["sha256"] for feed in feeds.values())
