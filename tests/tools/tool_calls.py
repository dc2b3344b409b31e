"""Helpers for the tool tests: read a tool result as the agent does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson

CallTool = Callable[..., Awaitable[dict[str, Any]]]
"""``await call_tool(name, arguments)`` -> the JSON-RPC reply of ``tools/call`` (HTTP 200 asserted)."""


def structured(reply: dict[str, Any]) -> dict[str, Any]:
    """The structured answer of a successful call, checked to equal its text item."""
    result = reply["result"]
    assert result["isError"] is False, result
    [item] = result["content"]
    assert orjson.loads(item["text"]) == result["structuredContent"]
    return result["structuredContent"]  # type: ignore[no-any-return]


def error_text(reply: dict[str, Any]) -> str:
    """The message of a tool result with ``isError: true`` (never a protocol error)."""
    assert "error" not in reply, reply
    result = reply["result"]
    assert result["isError"] is True, result
    assert "structuredContent" not in result
    [item] = result["content"]
    return item["text"]  # type: ignore[no-any-return]
