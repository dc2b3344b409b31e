"""MCP Streamable HTTP transport, stateless, for every protocol era on one endpoint.

Spec: https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#streamable-http and
the 2026-07-28 revision. One JSON-RPC message per POST (or, on 2025-03-26 only, a batch), one reply:
JSON, or a single SSE event when the client accepts only event streams. No session is kept: every
request carries its credential and stands alone, so any instance behind a load balancer can answer.
GET (the optional server stream) and DELETE (session end) get 405; ``Mcp-Session-Id`` and
``Last-Event-ID`` are ignored.

Order per request: method -> Accept -> body size -> authentication + rate limit (one store round
trip) -> JSON -> era (versions.classify) -> method table -> reply. Notifications get 202.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from starlette.types import Receive, Scope, Send

from ..errors import (
    HeaderMismatchError,
    InternalError,
    InvalidRequestError,
    StoreUnavailableError,
    WorldMonitorError,
)
from ..keys import Verified
from ..ratelimit import RateLimitPolicy
from ..store import Store
from ..tools import ToolContext
from ..web.accept import ReplyFormat, as_sse_event, reply_format
from ..web.asgi import header, read_body, send_response
from ..web.request_log import request_state
from . import jsonrpc
from .methods import MethodTable
from .versions import BATCH_VERSIONS, DEFAULT_HEADERLESS_VERSION, Exchange, classify, is_modern

logger = logging.getLogger("worldmonitor.mcp")

ALLOWED_METHODS = "POST, OPTIONS"
ROUTING_HEADERS = (b"mcp-protocol-version", b"mcp-method", b"mcp-name")
JSON = "application/json"
EVENT_STREAM = "text/event-stream"

Authenticate = Callable[[Scope], Any]


def _routing_headers(scope: Scope) -> tuple[dict[str, str], str | None]:
    """The MCP routing headers, and the name of one sent twice (readers of the first and the last
    copy would disagree, so a duplicate is a mismatch)."""
    found: dict[str, str] = {}
    duplicated = None
    for name, value in scope["headers"]:
        if name in ROUTING_HEADERS:
            key = name.decode()
            if key in found:
                duplicated = key
            found[key] = value.decode("latin-1")
    return found, duplicated


class McpEndpoint:
    def __init__(
        self,
        *,
        store: Store,
        authenticator: Any,
        policy: RateLimitPolicy,
        methods: MethodTable,
        clock_ms: Callable[[], int],
        max_body_bytes: int,
    ) -> None:
        self._store = store
        self._authenticator = authenticator
        self._policy = policy
        self._methods = methods
        self._clock_ms = clock_ms
        self._max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            error = InvalidRequestError("Method not allowed: send JSON-RPC with POST")
            await send_response(send, 405, jsonrpc.encode_error(None, error), {"Allow": ALLOWED_METHODS})
            return
        state = request_state(scope)
        request_id = str(state.get("request_id", "-"))
        message: Any = None
        try:
            fmt = reply_format(header(scope, b"accept"))
            body = await read_body(scope, receive, self._max_body_bytes)
            verified: Verified = await self._authenticator.authenticate(scope)
            state["principal"] = verified.principal.id
            rate_headers = self._policy.enforce(verified.window)
            message = jsonrpc.parse(body)
        except WorldMonitorError as error:
            self._log_refusal(error, request_id)
            await send_response(send, error.http_status, jsonrpc.encode_error(None, error), error.headers())
            return

        ctx = ToolContext(
            store=self._store,
            now_ms=self._clock_ms(),
            data_version=verified.data_version,
            request_id=request_id,
        )
        routing, duplicated = _routing_headers(scope)
        if isinstance(message, list):
            status, reply = await self._batch(message, routing, ctx)
        else:
            status, reply = await self._single(message, routing, duplicated, ctx)
        if reply is None:
            await send_response(send, 202, headers=rate_headers)
        elif fmt == "sse" and status == 200:
            await send_response(send, 200, as_sse_event(reply), rate_headers, content_type=EVENT_STREAM)
        else:
            await send_response(send, status, reply, rate_headers, content_type=JSON)

    async def _single(
        self, message: Any, routing: dict[str, str], duplicated: str | None, ctx: ToolContext
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
            self._log_failure(error, ctx.request_id)
            return error.status_for(modern=exchange.modern), jsonrpc.encode_error(request.id, error)
        except Exception:
            logger.exception("method failed request_id=%s method=%s", ctx.request_id, request.method)
            return 200, jsonrpc.encode_error(request.id, InternalError())
        return 200, jsonrpc.encode_result(request.id, result)

    async def _batch(
        self, messages: list[Any], routing: dict[str, str], ctx: ToolContext
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
            self._log_failure(error, ctx.request_id)
            return jsonrpc.encode_error(request.id, error)
        except Exception:
            logger.exception("method failed request_id=%s method=%s", ctx.request_id, request.method)
            return jsonrpc.encode_error(request.id, InternalError())

    @staticmethod
    def _log_refusal(error: WorldMonitorError, request_id: str) -> None:
        if isinstance(error, StoreUnavailableError):
            logger.warning("store unavailable request_id=%s reason=%s", request_id, error.log_reason)
        elif error.log_reason != error.message:
            logger.info("refused request_id=%s reason=%s", request_id, error.log_reason)

    @staticmethod
    def _log_failure(error: WorldMonitorError, request_id: str) -> None:
        if isinstance(error, InternalError):
            logger.error("tool failed request_id=%s reason=%s", request_id, error.log_reason)


__all__ = ["McpEndpoint", "ReplyFormat"]
