"""CORS and cache headers on every reply, errors included; OPTIONS answered with 204.

Starlette's CORSMiddleware adds headers only when the request carries an Origin and answers a
preflight with 200; MCP clients in browsers (the Inspector, claude.ai) need the headers on every reply,
including 401s (to read WWW-Authenticate) and 429s (to read Retry-After), so this middleware is ours.
Credentials travel in headers, never cookies, so ``*`` is safe here.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOW_HEADERS = (
    "Authorization, Content-Type, X-WorldMonitor-Key, Mcp-Session-Id, MCP-Protocol-Version, "
    "Last-Event-ID, X-Request-Id"
)
EXPOSE_HEADERS = "Mcp-Session-Id, WWW-Authenticate, Retry-After, RateLimit, RateLimit-Policy, X-Request-Id"
ALLOW_METHODS = "GET, POST, DELETE, OPTIONS"
PREFLIGHT_MAX_AGE_S = 86_400

_CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-headers", ALLOW_HEADERS.encode()),
    (b"access-control-expose-headers", EXPOSE_HEADERS.encode()),
    (b"access-control-allow-methods", ALLOW_METHODS.encode()),
]


class CORSMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [
                        *_CORS_HEADERS,
                        (b"access-control-max-age", str(PREFLIGHT_MAX_AGE_S).encode()),
                        (b"cache-control", b"no-store"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(_CORS_HEADERS)
                if not any(name == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
