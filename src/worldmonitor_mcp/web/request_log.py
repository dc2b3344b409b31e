"""A request id on every reply, and one log line per request that carries it.

The log line names the method, the path without its query string (a credential pasted into a URL
must never reach a log), the status, the duration and the principal id once authentication set it.
"""

from __future__ import annotations

import logging
import re
import secrets
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .asgi import header

logger = logging.getLogger("worldmonitor.access")

_SAFE_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_state(scope: Scope) -> dict[str, object]:
    state: dict[str, object] = scope.setdefault("state", {})
    return state


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = header(scope, b"x-request-id")
        request_id = incoming if incoming and _SAFE_INCOMING_ID.fullmatch(incoming) else secrets.token_hex(8)
        state = request_state(scope)
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-request-id", request_id.encode())],
                }
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logger.info(
                "request_id=%s method=%s path=%s status=%d duration_ms=%.1f principal=%s",
                request_id,
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
                state.get("principal", "-"),
            )
