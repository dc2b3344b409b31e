"""Transport-independent dispatch: one decoded JSON-RPC body (a message or a batch) in, the reply and
its HTTP-style status out. The HTTP transport and the stdio transport both serve through it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ..errors import HeaderMismatchError, InternalError, InvalidRequestError, WorldMonitorError
from ..tools import ToolContext
from . import jsonrpc
from .methods import MethodTable
from .versions import BATCH_VERSIONS, DEFAULT_HEADERLESS_VERSION, Exchange, classify, is_modern

logger = logging.getLogger("worldmonitor.mcp")


class Dispatcher:
    def __init__(self, methods: MethodTable) -> None:
        self._methods = methods

    async def dispatch(
        self, message: Any, ctx: ToolContext, routing: Mapping[str, str] | None, duplicated: str | None = None
    ) -> tuple[int, bytes | None]:
        """``routing`` holds the MCP routing headers (None where the transport has no headers).
        A None reply means 202: only notifications were sent."""
        if isinstance(message, list):
            return await self._batch(message, routing or {}, ctx)
        return await self._single(message, routing, duplicated, ctx)

    async def _single(
        self, message: Any, routing: Mapping[str, str] | None, duplicated: str | None, ctx: ToolContext
    ) -> tuple[int, bytes | None]:
        modern = False
        try:
            request = jsonrpc.decode_message(message)
            modern = is_modern(request.method, request.params)
            if modern and duplicated is not None:
                raise HeaderMismatchError(f"{duplicated} header appears more than once")
            exchange = classify(request.method, request.params, routing)
        except WorldMonitorError as error:
            return error.status_for(modern=modern), jsonrpc.encode_error(jsonrpc.salvage_id(message), error)
        if request.id is None:
            return 202, None  # no notification needs an answer or an action from a stateless server
        try:
            result = await self._methods.call(request.method, request.params, ctx, exchange)
        except WorldMonitorError as error:
            _log_failure(error, ctx.request_id)
            return error.status_for(modern=exchange.modern), jsonrpc.encode_error(request.id, error)
        except Exception:
            logger.exception("method failed request_id=%s method=%s", ctx.request_id, request.method)
            return 200, jsonrpc.encode_error(request.id, InternalError())
        return 200, jsonrpc.encode_result(request.id, result)

    async def _batch(
        self, messages: list[Any], routing: Mapping[str, str], ctx: ToolContext
    ) -> tuple[int, bytes | None]:
        """JSON-RPC 2.0 §6 batches, which only the 2025-03-26 revision allows on MCP."""
        version = routing.get("mcp-protocol-version", DEFAULT_HEADERLESS_VERSION)
        if version not in BATCH_VERSIONS or not messages:
            error = InvalidRequestError(
                "Invalid Request: JSON-RPC batches are accepted only on protocol version 2025-03-26"
                if messages
                else "Invalid Request: an empty batch"
            )
            return 400, jsonrpc.encode_error(None, error)
        exchange = Exchange(False, version)
        replies: list[bytes] = []
        for message in messages:
            reply = await self._batch_item(message, ctx, exchange)
            if reply is not None:
                replies.append(reply)
        if not replies:
            return 202, None
        return 200, b"[" + b",".join(replies) + b"]"

    async def _batch_item(self, message: Any, ctx: ToolContext, exchange: Exchange) -> bytes | None:
        try:
            request = jsonrpc.decode_message(message)
            if request.method == "initialize" or is_modern(request.method, request.params):
                raise InvalidRequestError(
                    "Invalid Request: initialize (and 2026-07-28 requests) cannot be batched"
                )
        except WorldMonitorError as error:
            return jsonrpc.encode_error(jsonrpc.salvage_id(message), error)
        if request.id is None:
            return None
        try:
            return jsonrpc.encode_result(
                request.id, await self._methods.call(request.method, request.params, ctx, exchange)
            )
        except WorldMonitorError as error:
            _log_failure(error, ctx.request_id)
            return jsonrpc.encode_error(request.id, error)
        except Exception:
            logger.exception("method failed request_id=%s method=%s", ctx.request_id, request.method)
            return jsonrpc.encode_error(request.id, InternalError())


def _log_failure(error: WorldMonitorError, request_id: str) -> None:
    if isinstance(error, InternalError):
        logger.error("tool failed request_id=%s reason=%s", request_id, error.log_reason)
