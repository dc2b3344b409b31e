"""Render errors on the JSON-RPC surface, and the last line of defence for unexpected exceptions.

Each ``WorldMonitorError`` carries its own status, code and headers; this module only turns one into
bytes. ``ServerErrorMiddleware`` masks anything unexpected as a JSON-RPC internal error, logged with the
request id, and sits inside the CORS middleware so even that reply carries the CORS headers.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import InternalError, WorldMonitorError
from ..mcp.jsonrpc import RequestId, encode_error
from .asgi import send_response
from .request_log import request_state

logger = logging.getLogger("worldmonitor.errors")


async def send_jsonrpc_error(
    send: Send, error: WorldMonitorError, request_id: RequestId | None = None, *, status: int | None = None
) -> None:
    await send_response(send, status or error.http_status, encode_error(request_id, error), error.headers())


class ServerErrorMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("unhandled error request_id=%s", request_state(scope).get("request_id"))
            if not started:
                await send_jsonrpc_error(send, InternalError("Internal error"), status=500)
