"""Hypothesis-generated JSON-RPC bodies and MCP headers against the whole /mcp endpoint: whatever
arrives, the answer is a clean HTTP status below 500 with a JSON-RPC body (or none), never a
traceback, in both protocol eras."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worldmonitor_mcp.app import create_app
from worldmonitor_mcp.keys import ApiKeyRepository
from worldmonitor_mcp.settings import Settings
from worldmonitor_mcp.store.sqlite import SqliteStore

METHODS = [
    "initialize",
    "ping",
    "server/discover",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/read",
    "resources/templates/list",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "logging/setLevel",
    "notifications/initialized",
    "nope",
]
VERSIONS = ["2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28", "1999-01-01", ""]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
metas = st.fixed_dictionaries(
    {},
    optional={
        "io.modelcontextprotocol/protocolVersion": st.sampled_from(VERSIONS) | json_values,
        "io.modelcontextprotocol/clientCapabilities": json_values,
        "io.modelcontextprotocol/clientInfo": json_values,
    },
)
params = st.fixed_dictionaries(
    {},
    optional={
        "_meta": metas | json_values,
        "name": st.sampled_from(["get_natural_disasters", "country_briefing", "x"]) | json_values,
        "uri": st.sampled_from(["worldmonitor://freshness", "worldmonitor://data/get_market_data"])
        | json_values,
        "arguments": st.dictionaries(st.text(max_size=10), json_values, max_size=3) | json_values,
        "protocolVersion": st.sampled_from(VERSIONS),
        "ref": json_values,
        "argument": json_values,
        "level": st.text(max_size=8),
    },
)
messages = st.fixed_dictionaries(
    {"jsonrpc": st.just("2.0") | json_values, "method": st.sampled_from(METHODS) | json_values},
    optional={
        "id": st.integers(min_value=0, max_value=10**6) | st.text(max_size=6) | json_values,
        "params": params | json_values,
    },
)
bodies = (
    messages.map(orjson.dumps) | st.lists(messages, max_size=3).map(orjson.dumps) | st.binary(max_size=64)
)
header_values = st.sampled_from(METHODS + VERSIONS + ["get_natural_disasters", "=?base64?!!?="]) | st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "MCP-Protocol-Version": header_values,
        "Mcp-Method": header_values,
        "Mcp-Name": header_values,
        "Accept": st.sampled_from(
            ["application/json", "text/event-stream", "text/html", "*/*", "", "application/json;q=0"]
        ),
        "Content-Type": st.sampled_from(
            ["application/json", "text/plain", "application/x-www-form-urlencoded"]
        ),
    },
)


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str]:
    import asyncio

    path = tmp_path_factory.mktemp("fuzz")
    store = SqliteStore(path / "store.sqlite3")
    key, _ = asyncio.run(ApiKeyRepository(store).create("fuzz", now_ms=1))
    app = create_app(Settings(data_dir=path, rate_limit=1_000_000), store=store)
    return app, key


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, extra=headers)
def test_no_body_or_header_produces_a_5xx(
    fuzz_app: tuple[Any, str], body: bytes, extra: dict[str, str]
) -> None:
    import asyncio

    app, key = fuzz_app

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            return await client.post("/mcp", content=body, headers={"X-WorldMonitor-Key": key, **extra})

    reply = asyncio.run(send())
    assert reply.status_code < 500, (body, extra, reply.text)
    assert b"Traceback" not in reply.content
    if reply.status_code == 202:
        assert reply.content == b""
    elif reply.headers.get("content-type", "").startswith("text/event-stream"):
        assert reply.content.startswith(b"event: message\ndata: ")
    else:
        decoded = orjson.loads(reply.content)
        items = decoded if isinstance(decoded, list) else [decoded]
        assert all(item["jsonrpc"] == "2.0" and ("result" in item or "error" in item) for item in items)
