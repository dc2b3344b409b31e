"""The comparison servers, as uvicorn factories. Each serves POST /mcp with the payload our server returned.

``bare_app``       a plain Starlette route that reads the body and returns the exact bytes our server sent
                   for the same ``tools/call`` (the ceiling for one uvicorn worker on this machine).
``sdk_app``        the official MCP SDK's low-level ``Server``, stateless Streamable HTTP with JSON
                   responses, one tool that returns the same text item (the SDK's fastest configuration).
``mcpserver_app``  the SDK's high-level ``MCPServer`` (FastMCP in mcp 1.x), same settings, same tool.

The payload travels through files named by the environment (``BENCH_BODY_FILE``, ``BENCH_TEXT_FILE``),
because uvicorn builds the app in the server process from a factory with no arguments.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY_FILE_ENV = "BENCH_BODY_FILE"
TEXT_FILE_ENV = "BENCH_TEXT_FILE"
TOOL_NAME = "get_natural_disasters"
TOOL_DESCRIPTION = "Recent earthquakes, wildfires and natural events (benchmark copy)."


def _read(env: str) -> bytes:
    path = os.environ.get(env)
    if not path:
        raise RuntimeError(f"{env} must name the file holding the benchmark payload")
    return Path(path).read_bytes()


def bare_app() -> Starlette:
    body = _read(BODY_FILE_ENV)

    async def endpoint(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/mcp", endpoint, methods=["POST"])])


def sdk_app() -> Starlette:
    import mcp_types as types
    from mcp.server.context import ServerRequestContext
    from mcp.server.lowlevel import Server

    text = _read(TEXT_FILE_ENV).decode()
    tool = types.Tool(
        name=TOOL_NAME,
        description=TOOL_DESCRIPTION,
        input_schema={"type": "object", "properties": {}, "additionalProperties": False},
    )

    async def list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[tool])

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        if params.name != TOOL_NAME:
            raise ValueError(f"unknown tool {params.name!r}")
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=False)

    server: Server[Any] = Server("bench-sdk", on_list_tools=list_tools, on_call_tool=call_tool)
    return server.streamable_http_app(stateless_http=True, json_response=True)


def mcpserver_app() -> Starlette:
    from mcp.server.mcpserver import MCPServer

    text = _read(TEXT_FILE_ENV).decode()
    # WARNING, not the default INFO: MCPServer installs a root log handler, and at INFO the stateless
    # transport logs a line per request. Quieter is kinder to the SDK, which is the point of a baseline.
    server: MCPServer[Any] = MCPServer("bench-mcpserver", log_level="WARNING")

    @server.tool(name=TOOL_NAME, description=TOOL_DESCRIPTION, structured_output=False)
    async def get_natural_disasters() -> str:
        return text

    return server.streamable_http_app(stateless_http=True, json_response=True)
