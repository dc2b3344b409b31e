"""The method table: what each MCP request method does, per era. No HTTP here.

Handlers return the encoded ``result`` object. On the 2026-07-28 wire every result also carries
``resultType`` and the server's identity in ``_meta``, and list results carry caching hints
(``ttlMs``, ``cacheScope``); those are spliced onto the encoded bytes so cached results are never
decoded again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from .. import __version__
from ..errors import InvalidParamsError, MethodNotFoundError
from ..tools import ToolContext, ToolRegistry, tool_error
from .completions import Completions
from .prompts import PromptCatalog
from .resources import ResourceCatalog
from .versions import ALL_VERSIONS, SERVER_INFO_META_KEY, Exchange, negotiate

SERVER_NAME = "worldmonitor"
SERVER_INFO = {"name": SERVER_NAME, "title": "WorldMonitor", "version": __version__}
INSTRUCTIONS = (
    "World-intelligence data from a curated cache: earthquakes and disasters, conflicts, cyber threats, "
    "sanctions, markets, FX, prediction markets and more. Every answer carries cached_at and stale; "
    "treat stale data as possibly outdated."
)
CAPABILITIES: dict[str, Any] = {
    "tools": {"listChanged": False},
    "resources": {"listChanged": False, "subscribe": False},
    "prompts": {"listChanged": False},
    "completions": {},
}
HANDSHAKE_CAPABILITIES: dict[str, Any] = {**CAPABILITIES, "logging": {}}
"""2026-07-28 removed logging/setLevel; the handshake era accepts it (and this server sends no logs)."""
LIST_TTL_MS = 300_000
"""Lists change only with a deployment; five minutes of client caching costs nothing in freshness."""
READ_TTL_MS = 60_000
"""Datasets change with the feeds (every few minutes at most); a minute keeps reads close to fresh."""
LOG_LEVELS = frozenset({"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"})

Handler = Callable[[dict[str, Any], ToolContext], Awaitable[bytes]]

LIST_METHODS = frozenset({"tools/list", "resources/list", "resources/templates/list", "prompts/list"})
HANDSHAKE_ONLY = frozenset({"initialize", "ping", "logging/setLevel"})
MODERN_ONLY = frozenset({"server/discover"})


def _fields(values: dict[str, Any]) -> bytes:
    """``"key":value`` pairs, encoded, without the braces."""
    return orjson.dumps(values)[1:-1]


_MODERN_RESULT = {"resultType": "complete", "_meta": {SERVER_INFO_META_KEY: SERVER_INFO}}
_MODERN_RESULT_FIELDS = _fields(_MODERN_RESULT)
_MODERN_LIST_FIELDS = _fields({**_MODERN_RESULT, "ttlMs": LIST_TTL_MS, "cacheScope": "public"})
_MODERN_READ_FIELDS = _fields({**_MODERN_RESULT, "ttlMs": READ_TTL_MS, "cacheScope": "public"})


def _splice(result: bytes, fields: bytes) -> bytes:
    """Add pre-encoded ``"key":value`` pairs to an encoded JSON object."""
    if result == b"{}":
        return b"{" + fields + b"}"
    return b"{" + fields + b"," + result[1:]


class MethodTable:
    def __init__(self, registry: ToolRegistry) -> None:
        self._registry = registry
        self._resources = ResourceCatalog(registry)
        self._prompts = PromptCatalog()
        self._completions = Completions(registry, self._prompts)
        self._handlers: dict[str, Handler] = {
            "initialize": self._initialize,
            "ping": self._ping,
            "logging/setLevel": self._set_log_level,
            "server/discover": self._discover,
            "tools/list": self._tools_list,
            "tools/call": self._tools_call,
            "resources/list": self._resources.list,
            "resources/templates/list": self._resources.list_templates,
            "resources/read": self._resources.read,
            "prompts/list": self._prompts.list,
            "prompts/get": self._prompts.get,
            "completion/complete": self._completions.complete,
        }

    def knows(self, method: str, exchange: Exchange) -> bool:
        if method not in self._handlers:
            return False
        return method not in (HANDSHAKE_ONLY if exchange.modern else MODERN_ONLY)

    async def call(self, method: str, params: dict[str, Any], ctx: ToolContext, exchange: Exchange) -> bytes:
        if not self.knows(method, exchange):
            raise MethodNotFoundError(method)
        result = await self._handlers[method](params, ctx)
        if not exchange.modern:
            return result
        if method in LIST_METHODS:
            return _splice(result, _MODERN_LIST_FIELDS)
        if method == "resources/read":
            return _splice(result, _MODERN_READ_FIELDS)
        return _splice(result, _MODERN_RESULT_FIELDS)

    async def _initialize(self, params: dict[str, Any], ctx: ToolContext) -> bytes:
        return orjson.dumps(
            {
                "protocolVersion": negotiate(params.get("protocolVersion")),
                "capabilities": HANDSHAKE_CAPABILITIES,
                "serverInfo": SERVER_INFO,
                "instructions": INSTRUCTIONS,
            }
        )

    async def _set_log_level(self, params: dict[str, Any], ctx: ToolContext) -> bytes:
        if params.get("level") not in LOG_LEVELS:
            raise InvalidParamsError(f"Invalid params: level must be one of {', '.join(sorted(LOG_LEVELS))}")
        return b"{}"

    async def _discover(self, params: dict[str, Any], ctx: ToolContext) -> bytes:
        # resultType, _meta and the caching hints are added by call(), as for every modern result.
        return orjson.dumps(
            {
                "supportedVersions": list(ALL_VERSIONS),
                "capabilities": CAPABILITIES,
                "serverInfo": SERVER_INFO,
                "instructions": INSTRUCTIONS,
                "ttlMs": LIST_TTL_MS,
                "cacheScope": "public",
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
        if not isinstance(arguments, dict):  # SEP-1303: the agent reads this and retries
            return tool_error(f'Invalid arguments for {name}: "arguments" must be an object, such as {{}}')
        return await tool.handler(ctx, arguments)
