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

from ..errors import InvalidRequestError, StoreUnavailableError, WorldMonitorError
from ..keys import Verified
from ..ratelimit import RateLimitPolicy
from ..store import Store
from ..tools import ToolContext
from ..web.accept import ReplyFormat, as_sse_event, reply_format
from ..web.asgi import header, read_body, send_response
from ..web.request_log import request_state
from . import jsonrpc
from .dispatch import Dispatcher
from .methods import MethodTable

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
            found[key] = value.decode("latin-1").strip(" \t")  # RFC 9110 §5.5: no surrounding OWS
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
        self._dispatcher = Dispatcher(methods)
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
            verified: Verified = await self._authenticator.authenticate(scope, body)
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
        status, reply = await self._dispatcher.dispatch(message, ctx, routing, duplicated)
        if reply is None:
            await send_response(send, 202, headers=rate_headers)
        elif fmt == "sse" and status == 200:
            await send_response(send, 200, as_sse_event(reply), rate_headers, content_type=EVENT_STREAM)
        else:
            await send_response(send, status, reply, rate_headers, content_type=JSON)

    @staticmethod
    def _log_refusal(error: WorldMonitorError, request_id: str) -> None:
        if isinstance(error, StoreUnavailableError):
            logger.warning("store unavailable request_id=%s reason=%s", request_id, error.log_reason)
        elif error.log_reason != error.message:
            logger.info("refused request_id=%s reason=%s", request_id, error.log_reason)


__all__ = ["McpEndpoint", "ReplyFormat"]
