"""Invalid tool arguments are a tool result with isError and a message the agent can act on (SEP-1303).

Only an unknown tool (or a missing name) is a protocol error, -32602.
"""

from __future__ import annotations

from typing import Any

import pytest
from tool_calls import CallTool, error_text, structured

from worldmonitor_mcp.tools.arguments import DEFAULT_QUERY, ToolArguments
from worldmonitor_mcp.tools.cache_table import CACHE_TOOLS
from worldmonitor_mcp.tools.filters import ArgumentError

pytestmark = pytest.mark.anyio

QUAKES = next(spec for spec in CACHE_TOOLS if spec.name == "get_natural_disasters")


def arguments_of(spec: Any = QUAKES) -> ToolArguments:
    return ToolArguments(spec.name, spec.filters, ["earthquakes", "fires", "events"])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"magnitude": 5},
            'unknown argument "magnitude"; get_natural_disasters takes min_magnitude, country',
        ),
        ({"min_magnitude": "5"}, '"min_magnitude" must be a number from -2 to 10'),
        ({"min_magnitude": 12}, '"min_magnitude" must be a number from -2 to 10; got 12'),
        ({"limit": -1}, '"limit" must be an integer from 0 (all) to 100000; got -1'),
        ({"limit": 2.5}, '"limit" must be an integer'),
        ({"limit": True}, '"limit" must be an integer'),
        ({"summary": "yes"}, '"summary" must be true or false'),
        ({"since": "last week"}, '"since" must be an ISO 8601 date or time such as 2025-01-31'),
        ({"country": "Narnia"}, "'Narnia' names no country we know"),
        ({"category": "tsunami"}, '"category" must be one of earthquakes, floods'),
        (
            {"datasets": ["quakes"]},
            '"datasets" must be a non-empty list of distinct names from earthquakes, fires',
        ),
        ({"projection": "a", "jmespath": "b"}, 'pass "projection" or "jmespath", not both'),
    ],
)
async def test_bad_argument_is_an_error_result_naming_the_fix(
    call_tool: CallTool, arguments: dict[str, Any], message: str
) -> None:
    text = error_text(await call_tool("get_natural_disasters", arguments))
    assert text.startswith("Invalid arguments for get_natural_disasters: ")
    assert message in text


async def test_every_bad_argument_is_named_at_once(call_tool: CallTool) -> None:
    text = error_text(
        await call_tool("get_natural_disasters", {"limit": "all", "nope": 1, "min_magnitude": None})
    )
    assert 'unknown argument "nope"' in text
    assert '"limit" must be an integer' in text
    assert '"min_magnitude" must be a number' in text


@pytest.mark.parametrize("arguments", [[1], "limit=5", 7, True])
async def test_arguments_that_are_not_an_object_are_an_error_result(
    call_tool: CallTool, arguments: Any
) -> None:
    text = error_text(await call_tool("get_natural_disasters", arguments))
    assert text == 'Invalid arguments for get_natural_disasters: "arguments" must be an object, such as {}'


@pytest.mark.parametrize("arguments", [None, {}, []])
async def test_absent_or_empty_arguments_are_the_default_call(call_tool: CallTool, arguments: Any) -> None:
    structured(await call_tool("get_natural_disasters", arguments, raw_arguments=True))


async def test_datasets_is_not_offered_by_a_single_key_tool(call_tool: CallTool) -> None:
    text = error_text(await call_tool("get_aviation_status", {"datasets": ["delays"]}))
    assert 'unknown argument "datasets"' in text


async def test_unknown_tool_stays_a_protocol_error(call_tool: CallTool) -> None:
    reply = await call_tool("get_everything", {"limit": 1})
    assert reply["error"]["code"] == -32602


def test_default_and_explicit_defaults_share_the_cache_key() -> None:
    parse = arguments_of().parse
    assert parse({"limit": 30}) == parse({"summary": False}) == DEFAULT_QUERY


def test_equivalent_asks_share_one_cache_key() -> None:
    parse = arguments_of().parse
    one = parse({"country": ["Japan", "GR"], "category": ["floods", "Wildfires"], "limit": 5})
    other = parse({"limit": 5, "category": ["wildfires", "floods"], "country": ["GRC", "jp"]})
    assert one.cache_key == other.cache_key != b""
    assert parse({"limit": 5}).cache_key != parse({"limit": 6}).cache_key


def test_filter_names_cannot_shadow_the_common_arguments() -> None:
    from worldmonitor_mcp.tools.filters import Contains

    with pytest.raises(ValueError, match="filter names must be unique"):
        ToolArguments("t", [Contains("limit", ("name",), "")], ["a"])


def test_the_schema_lists_exactly_what_parse_accepts() -> None:
    tool_arguments = arguments_of()
    properties = tool_arguments.schema()["properties"]
    for name in properties:
        with pytest.raises(ArgumentError) as caught:
            tool_arguments.parse({name: object()})
        assert "unknown argument" not in str(caught.value)
    with pytest.raises(ArgumentError, match="unknown argument"):
        tool_arguments.parse({"not_in_schema": 1})
