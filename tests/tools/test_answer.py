"""Smaller answers on the wire: the default limit, limit 0, summary, projection and the output budget."""

from __future__ import annotations

import orjson
import pytest
from tool_calls import CallTool, error_text, structured

from worldmonitor_mcp.store.sqlite import SqliteStore
from worldmonitor_mcp.tools.arguments import DEFAULT_LIMIT, SUMMARY_SAMPLE_ITEMS
from worldmonitor_mcp.tools.cache_table import DEFAULT_OUTPUT_BUDGET_BYTES
from worldmonitor_mcp.tools.projection import MAX_EXPRESSION_BYTES, MAX_OUTPUT_BYTES

pytestmark = pytest.mark.anyio


async def test_default_answer_caps_each_list_and_says_how_many_were_dropped(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    answer = structured(await call_tool("get_cyber_threats"))
    assert len(answer["data"]["kev"]["vulnerabilities"]) == DEFAULT_LIMIT
    assert answer["lists"]["kev.vulnerabilities"] == {
        "total": 100,
        "matched": 100,
        "returned": 30,
        "dropped": 70,
    }
    assert answer["lists"]["threats-bootstrap.threats"]["dropped"] == 0
    assert answer["hint"].startswith("70 matching items not shown: at most 30 per list.")
    assert "limit (0 = all)" in answer["hint"]


async def test_limit_zero_answers_every_item(call_tool: CallTool, snapshot_store: SqliteStore) -> None:
    answer = structured(await call_tool("get_cyber_threats", {"limit": 0}))
    assert len(answer["data"]["kev"]["vulnerabilities"]) == 100
    assert "hint" not in answer


async def test_summary_gives_counts_and_a_small_sample(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    answer = structured(await call_tool("get_natural_disasters", {"summary": True}))
    assert answer["summary"] is True
    assert answer["lists"]["fires.fireDetections"] == {
        "total": 201,
        "matched": 201,
        "returned": 3,
        "dropped": 198,
    }
    assert len(answer["data"]["fires"]["fireDetections"]) == SUMMARY_SAMPLE_ITEMS
    assert "call without summary" in answer["hint"]


async def test_summary_counts_what_the_filters_matched(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    answer = structured(await call_tool("get_natural_disasters", {"summary": True, "country": "Greece"}))
    assert answer["lists"]["earthquakes.earthquakes"] == {
        "total": 50,
        "matched": 6,
        "returned": 3,
        "dropped": 3,
    }


async def test_answer_over_the_budget_is_a_summary_with_a_marker(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    """All of get_natural_disasters (50 quakes, 201 fires, 119 events) is well over 96 KiB."""
    answer = structured(await call_tool("get_natural_disasters", {"limit": 0}))
    assert answer["over_budget"]["budget_bytes"] == DEFAULT_OUTPUT_BUDGET_BYTES
    assert answer["over_budget"]["bytes"] > DEFAULT_OUTPUT_BUDGET_BYTES
    assert answer["summary"] is True
    assert answer["lists"]["fires.fireDetections"]["returned"] == SUMMARY_SAMPLE_ITEMS
    assert "over this tool's budget of 96 KiB" in answer["hint"]
    assert "min_magnitude" in answer["hint"]


async def test_budget_with_nothing_but_counts_when_the_summary_is_too_big(
    call_tool: CallTool, store: SqliteStore
) -> None:
    """A value with no list to cut (one huge object) cannot be summarised: only counts go out."""
    huge = {"rates": {f"EUR{i:05d}": {"rate": i, "note": "x" * 200} for i in range(600)}}
    await store.set_many({"economic:ecb-fx-rates:v1": orjson.dumps(huge)})
    answer = structured(await call_tool("get_economic_data"))
    assert "data" not in answer
    assert answer["over_budget"]["bytes"] > DEFAULT_OUTPUT_BUDGET_BYTES
    assert "counts only" in answer["hint"]


async def test_projection_answers_the_expression_result_instead_of_data(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    expression = "earthquakes.earthquakes[?magnitude >= `6`].{place: place, magnitude: magnitude}"
    answer = structured(await call_tool("get_natural_disasters", {"projection": expression, "limit": 0}))
    assert "data" not in answer
    assert answer["projection"]["expression"] == expression
    result = answer["projection"]["result"]
    assert result
    assert all(set(item) == {"place", "magnitude"} and item["magnitude"] >= 6 for item in result)


async def test_projection_runs_after_filters_and_limit(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    arguments = {"projection": "length(kev.vulnerabilities)", "query": "microsoft"}
    answer = structured(await call_tool("get_cyber_threats", arguments))
    assert answer["projection"]["result"] == 13
    limited = structured(await call_tool("get_cyber_threats", {"jmespath": "length(kev.vulnerabilities)"}))
    assert limited["projection"]["result"] == DEFAULT_LIMIT
    assert "The projection ran over what is left." in limited["hint"]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("earthquakes[?", "is not a valid JMESPath expression"),
        ("no_such_function(@)", "Unknown function: no_such_function()"),
        ("(" * 600 + "@" + ")" * 600, "bytes; expressions are limited to 1024"),
        ("", "must be a JMESPath expression"),
    ],
)
async def test_bad_expression_is_reported_inside_the_result(
    call_tool: CallTool, snapshot_store: SqliteStore, expression: str, message: str
) -> None:
    text = error_text(await call_tool("get_natural_disasters", {"projection": expression}))
    assert message in text
    assert len(expression.encode()) <= MAX_EXPRESSION_BYTES or "1024" in text


async def test_expression_failing_on_the_data_is_reported_inside_the_result(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    text = error_text(await call_tool("get_natural_disasters", {"projection": "abs(earthquakes)"}))
    assert text.startswith("get_natural_disasters: the projection failed on this tool's data:")


async def test_projection_output_over_its_limit_is_refused(call_tool: CallTool, store: SqliteStore) -> None:
    big = {"rates": {f"EUR{i:05d}": {"note": "y" * 1000} for i in range(300)}}
    await store.set_many({"economic:ecb-fx-rates:v1": orjson.dumps(big)})
    text = error_text(await call_tool("get_economic_data", {"projection": "[`1`, @, @]"}))
    assert f"over the {MAX_OUTPUT_BYTES // 1024} KiB limit" in text


async def test_datasets_answers_only_the_parts_asked_for(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    answer = structured(await call_tool("get_cyber_threats", {"datasets": ["kev"]}))
    assert set(answer["data"]) == set(answer["freshness"]) == {"kev"}
    assert answer["cached_at"].startswith("2025-08-25")  # kev's own time, not the threats feed's
