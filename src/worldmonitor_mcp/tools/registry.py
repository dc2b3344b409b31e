"""The tool registry: every tool, built-in or added later, registers here and nowhere else.

A tool is a name, a description, a JSON Schema for its arguments and an async handler that returns
the encoded ``tools/call`` result. ``tools/list`` is encoded once, when the registry is frozen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..store import Store

OBJECT_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}


@dataclass(frozen=True, slots=True)
class ToolContext:
    store: Store
    now_ms: int
    data_version: int
    request_id: str


ToolHandler = Callable[[ToolContext, dict[str, Any]], Awaitable[bytes]]
"""Returns the JSON-encoded ``result`` object of ``tools/call``."""


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    description: str
    handler: ToolHandler
    input_schema: dict[str, Any] = field(default_factory=lambda: dict(OBJECT_SCHEMA))

    def descriptor(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "inputSchema": self.input_schema}


class ToolRegistry:
    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}
        self._list_result: bytes | None = None

    def register(self, tool: Tool) -> None:
        if self._list_result is not None:
            raise RuntimeError("tools must be registered before the registry serves tools/list")
        if tool.name in self._tools:
            raise ValueError(f"a tool named {tool.name!r} is already registered")
        self._tools[tool.name] = tool

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def names(self) -> list[str]:
        return list(self._tools)

    def list_result(self) -> bytes:
        """The encoded ``tools/list`` result (no pagination: the list is short and fixed)."""
        if self._list_result is None:
            self._list_result = orjson.dumps({"tools": [t.descriptor() for t in self._tools.values()]})
        return self._list_result
