"""The tool registry: every tool, built-in or added later, registers here and nowhere else.

A tool is a name, a description, a JSON Schema for its arguments and an async handler that returns
the encoded ``tools/call`` result; optionally a title, an ``outputSchema`` (its ``structuredContent``
then conforms to it) and annotations (hints to clients: read-only, idempotent, open world).
``tools/list`` is encoded once, when the registry is frozen.

``tool_result`` and ``tool_error`` encode the two kinds of result. A tool that cannot do what it was
asked (bad arguments, a failing projection) answers ``tool_error``: ``isError: true`` with a message the
agent can act on, never a protocol error (SEP-1303), because agents read tool results and retry, while
a protocol error usually ends the turn.
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
    title: str | None = None
    output_schema: dict[str, Any] | None = None
    annotations: dict[str, Any] | None = None

    def descriptor(self) -> dict[str, Any]:
        described: dict[str, Any] = {"name": self.name}
        if self.title is not None:
            described["title"] = self.title
        described["description"] = self.description
        described["inputSchema"] = self.input_schema
        if self.output_schema is not None:
            described["outputSchema"] = self.output_schema
        if self.annotations is not None:
            described["annotations"] = self.annotations
        return described


def tool_result(payload: bytes) -> bytes:
    """A successful result carrying the JSON ``payload`` twice: as ``structuredContent``, and as the
    text item that clients without structured output read (the spec's backwards-compatibility SHOULD)."""
    text = orjson.dumps(payload.decode())
    return b'{"content":[{"type":"text","text":%b}],"structuredContent":%b,"isError":false}' % (text, payload)


def tool_error(message: str) -> bytes:
    """A result that tells the agent what went wrong and how to fix it."""
    return orjson.dumps({"content": [{"type": "text", "text": message}], "isError": True})


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
