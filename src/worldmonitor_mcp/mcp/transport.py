"""MCP Streamable HTTP transport, stateless: one JSON-RPC message per POST, one JSON reply.

Spec: https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#streamable-http
No session is needed: every request carries its credential and stands alone, so any instance behind a
load balancer can answer it. GET (the optional server-to-client stream) and DELETE (session end) get
405, which the spec allows for a server that offers neither.

Order per request: method -> body size -> authentication + rate limit (one store round trip) ->
JSON-RPC decode -> method table -> reply. Notifications get 202 with no body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.types import Receive, Scope, Send

from ..errors import (
    InternalError,
    InvalidRequestError,
    StoreUnavailableError,
    WorldMonitorError,
)
from ..ratelimit import RateLimitPolicy
from ..store import Store
from ..tools import ToolContext
from ..web.asgi import header, read_body, send_response
from ..web.auth import RequestAuthenticator
from ..web.errors import send_jsonrpc_error
from ..web.request_log import request_state
from . import jsonrpc
from .methods import MethodTable
from .versions import check_header_version

logger = logging.getLogger("worldmonitor.mcp")

ALLOWED_METHODS = "POST, OPTIONS"


class McpEndpoint:
    def __init__(
        self,
        *,
        store: Store,
        authenticator: RequestAuthenticator,
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
            await send_response(
                send,
                405,
                jsonrpc.encode_error(
                    None, InvalidRequestError("Method not allowed: send JSON-RPC with POST")
                ),
                {"Allow": ALLOWED_METHODS},
            )
            return
        state = request_state(scope)
        request_id = str(state.get("request_id", "-"))
        body = b""
        try:
            body = await read_body(scope, receive, self._max_body_bytes)
            verified = await self._authenticator.authenticate(scope)
            state["principal"] = verified.principal.id
            rate_headers = self._policy.enforce(verified.window)
            check_header_version(header(scope, b"mcp-protocol-version"))
            request = jsonrpc.decode(body)
        except WorldMonitorError as error:
            if isinstance(error, StoreUnavailableError):
                logger.warning("store unavailable request_id=%s reason=%s", request_id, error.log_reason)
            elif error.log_reason != error.message:
                logger.info("refused request_id=%s reason=%s", request_id, error.log_reason)
            await send_jsonrpc_error(send, error, jsonrpc.salvage_id(body) if body else None)
            return

        if request.id is None:
            # No notification needs an answer or an action from a stateless server.
            await send_response(send, 202, headers=rate_headers)
            return
        ctx = ToolContext(
            store=self._store,
            now_ms=self._clock_ms(),
            data_version=verified.data_version,
            request_id=request_id,
        )
        try:
            result = await self._methods.call(request.method, request.params, ctx)
        except WorldMonitorError as error:
            if isinstance(error, InternalError):
                logger.error("tool failed request_id=%s reason=%s", request_id, error.log_reason)
            headers = {**rate_headers, **error.headers()}
            await send_response(send, error.http_status, jsonrpc.encode_error(request.id, error), headers)
            return
        except Exception:
            logger.exception("method failed request_id=%s method=%s", request_id, request.method)
            await send_response(send, 200, jsonrpc.encode_error(request.id, InternalError()), rate_headers)
            return
        await send_response(send, 200, jsonrpc.encode_result(request.id, result), rate_headers)
