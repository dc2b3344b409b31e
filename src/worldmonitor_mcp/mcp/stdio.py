"""The stdio transport (basic/transports "stdio"): newline-delimited JSON-RPC on stdin and stdout.

This is how Claude Desktop's and Cursor's local configurations start an MCP server: as a child
process of the user's own client, so there is no credential to check and no rate limit to enforce.
Nothing but MCP messages may reach stdout; logs go to stderr. Requests are served one at a time, in
order, through the same dispatcher as the HTTP transport.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
from collections.abc import Callable
from typing import BinaryIO

from ..errors import ParseError
from ..store import Store
from ..tools import ToolContext
from . import jsonrpc
from .dispatch import Dispatcher

logger = logging.getLogger("worldmonitor.stdio")

MAX_LINE_BYTES = 1024 * 1024
"""The same cap as an HTTP body: a message longer than this is refused, not buffered forever."""


async def _stdin_reader() -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_LINE_BYTES)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def serve_stdio(
    dispatcher: Dispatcher,
    store: Store,
    clock_ms: Callable[[], int],
    *,
    reader: asyncio.StreamReader | None = None,
    output: BinaryIO | None = None,
) -> None:
    """Serve until stdin closes."""
    source = reader if reader is not None else await _stdin_reader()
    sink = output if output is not None else sys.stdout.buffer
    while True:
        try:
            line = await source.readline()
        except ValueError:  # a line over the limit: answer it and skip the rest of that line
            sink.write(jsonrpc.encode_error(None, ParseError("Parse error: message too long")) + b"\n")
            sink.flush()
            continue
        if not line:
            return
        if not line.strip():
            continue
        reply = await _handle(line, dispatcher, store, clock_ms)
        if reply is not None:
            sink.write(reply + b"\n")
            sink.flush()


async def _handle(
    line: bytes, dispatcher: Dispatcher, store: Store, clock_ms: Callable[[], int]
) -> bytes | None:
    try:
        message = jsonrpc.parse(line)
    except ParseError as error:
        return jsonrpc.encode_error(None, error)
    ctx = ToolContext(
        store=store,
        now_ms=clock_ms(),
        data_version=await store.data_version(),
        request_id=secrets.token_hex(8),
    )
    _, reply = await dispatcher.dispatch(message, ctx, routing=None)
    return reply
