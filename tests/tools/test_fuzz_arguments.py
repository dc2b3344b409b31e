"""Fuzzing tool arguments through the app: random JSON never yields a 5xx, and never a protocol error
other than -32602 for an unknown tool; a successful answer always conforms to the tool's outputSchema.

One app, store and event loop serve every example (hypothesis runs examples synchronously), with the
real snapshot loaded so that filters, limits and projections meet real data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import FakeClock
from worldmonitor_mcp.app import create_app
from worldmonitor_mcp.keys import ApiKeyRepository
from worldmonitor_mcp.seeders import load_snapshot
from worldmonitor_mcp.settings import Settings
from worldmonitor_mcp.store.sqlite import SqliteStore
from worldmonitor_mcp.tools import CACHE_TOOLS

TOOL_NAMES = [spec.name for spec in CACHE_TOOLS]
ARGUMENT_NAMES = sorted(
    {f.name for spec in CACHE_TOOLS for f in spec.filters}
    | {"limit", "summary", "projection", "jmespath", "datasets"}
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
jmespath_soup = st.lists(
    st.sampled_from(
        [
            "earthquakes",
            "fires",
            "kev",
            "events",
            ".",
            "[",
            "]",
            "[]",
            "*",
            "@",
            "|",
            "&",
            ",",
            "(",
            ")",
            "{a: ",
            "}",
            "[?",
            ">",
            "<=",
            "==",
            "`5`",
            '`"x"`',
            "'x'",
            "!",
            "&&",
            "||",
            "length(",
            "keys(",
            "values(",
            "sort_by(",
            "max_by(",
            "abs(",
            "to_number(",
            "sum(",
            "join(",
            "starts_with(",
            "magnitude",
            "[0]",
            "[-1]",
            "[::2]",
            "[1:3]",
            "not_null(",
            "merge(",
            "reverse(",
            "type(",
            "to_string(",
        ]
    ),
    min_size=1,
    max_size=12,
).map("".join)
plausible = {
    "limit": st.integers(min_value=-2, max_value=200_000),
    "summary": st.booleans(),
    "projection": jmespath_soup,
    "jmespath": jmespath_soup,
    "min_magnitude": st.floats(min_value=-5, max_value=12, allow_nan=False),
    "country": st.sampled_from(["JP", "GR", "usa", "Russia", "XK", "Atlantis", "", "zz"])
    | st.lists(st.text(max_size=4)),
    "since": st.sampled_from(["24h", "7d", "2025-01-01", "2020-11-01T00:00Z", "0m", "999999w", "soon"]),
    "datasets": st.lists(st.sampled_from(["earthquakes", "fires", "events", "kev", "nope"]), max_size=3),
}
argument_values = st.one_of(json_values, *plausible.values())
arguments = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(ARGUMENT_NAMES) | st.text(max_size=12), argument_values, max_size=5),
    st.fixed_dictionaries({}, optional={name: strategy for name, strategy in plausible.items()}),
)


@dataclass
class World:
    loop: asyncio.AbstractEventLoop
    client: httpx.AsyncClient
    key: str
    output_schemas: dict[str, dict[str, Any]]

    def call(self, name: str, arguments: Any) -> httpx.Response:
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": name, "arguments": arguments},
        }
        return self.loop.run_until_complete(
            self.client.post("/mcp", content=orjson.dumps(body), headers=self.headers)
        )

    @property
    def headers(self) -> dict[str, str]:
        return {"X-WorldMonitor-Key": self.key, "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    loop = asyncio.new_event_loop()
    directory: Path = tmp_path_factory.mktemp("fuzz")
    store = SqliteStore(directory / "store.sqlite3")
    clock = FakeClock()
    app = create_app(Settings(data_dir=directory, rate_limit=10**9), store=store, clock_ms=clock)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000")

    async def setup() -> tuple[str, dict[str, dict[str, Any]]]:
        await load_snapshot(store)
        key, _ = await ApiKeyRepository(store).create("fuzz", now_ms=clock())
        listed = await client.post(
            "/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={"X-WorldMonitor-Key": key},
        )
        return key, {tool["name"]: tool["outputSchema"] for tool in listed.json()["result"]["tools"]}

    key, schemas = loop.run_until_complete(setup())
    yield World(loop, client, key, schemas)
    loop.run_until_complete(client.aclose())
    loop.run_until_complete(store.aclose())
    loop.close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from([*TOOL_NAMES, "no_such_tool"]), arguments=arguments)
def test_random_arguments_get_a_tool_result_or_32602_for_an_unknown_tool(
    world: World, name: str, arguments: Any
) -> None:
    reply = world.call(name, arguments)
    assert reply.status_code == 200, reply.text
    message = reply.json()
    if name not in TOOL_NAMES:
        assert message["error"]["code"] == -32602
        return
    assert "error" not in message, message
    result = message["result"]
    assert isinstance(result["isError"], bool)
    [item] = result["content"]
    assert item["type"] == "text"
    assert item["text"]
    if result["isError"]:
        assert "Traceback" not in item["text"]
        return
    structured = result["structuredContent"]
    assert orjson.loads(item["text"]) == structured
    jsonschema.validate(structured, world.output_schemas[name], cls=jsonschema.Draft202012Validator)
