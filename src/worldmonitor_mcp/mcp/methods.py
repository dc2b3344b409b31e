"""The method table: what each MCP request method does. No HTTP here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from .. import __version__
from ..errors import InvalidParamsError, MethodNotFoundError
from ..tools import ToolContext, ToolRegistry
from .versions import negotiate

SERVER_NAME = "worldmonitor"
INSTRUCTIONS = (
    "World-intelligence data from a curated cache: earthquakes and disasters, conflicts, cyber threats, "
    "sanctions, markets, FX, prediction markets and more. Every answer carries cached_at and stale; "
    "treat stale data as possibly outdated."
)

Handler = Callable[[dict[str, Any], ToolContext], Awaitable[bytes]]


class MethodTable:
    def __init__(self, registry: ToolRegistry) -> None:
        self._registry = registry
        self._handlers: dict[str, Handler] = {
            "initialize": self._initialize,
            "ping": self._ping,
            "tools/list": self._tools_list,
            "tools/call": self._tools_call,
        }

    async def call(self, method: str, params: dict[str, Any], ctx: ToolContext) -> bytes:
        handler = self._handlers.get(method)
        if handler is None:
            raise MethodNotFoundError(method)
        return await handler(params, ctx)

    async def _initialize(self, params: dict[str, Any], ctx: ToolContext) -> bytes:
        return orjson.dumps(
            {
                "protocolVersion": negotiate(params.get("protocolVersion")),
                "capabilities": {"tools": {"listChanged": False}},
                "serverInfo": {"name": SERVER_NAME, "title": "WorldMonitor", "version": __version__},
                "instructions": INSTRUCTIONS,
            }
        )

    async def _ping(self, params: dict[str, Any], ctx: ToolContext) -> bytes:
        return b"{}"

    async def _tools_list(self, params: dict[str, Any], ctx: ToolContext) -> bytes:
        return self._registry.list_result()

    async def _tools_call(self, params: dict[str, Any], ctx: ToolContext) -> bytes:
        name = params.get("name")
        if not isinstance(name, str):
            raise InvalidParamsError('Invalid params: tools/call needs "name", the tool to call')
        tool = self._registry.get(name)
        if tool is None:
            raise InvalidParamsError(f"Invalid params: unknown tool {name!r}; tools/list names them")
        arguments = params.get("arguments") or {}
        if not isinstance(arguments, dict):
            raise InvalidParamsError('Invalid params: "arguments" must be an object')
        return await tool.handler(ctx, arguments)
