"""Host and Origin checks for the MCP endpoint: the transport's DNS-rebinding rule.

Transports, "Security Warning": servers MUST validate the Origin header, and local servers should
accept only their own Host names, or a web page whose name was rebound to 127.0.0.1 could drive a
local server from the user's browser. Policy:

* Host: the public URL's host, the loopback names, and any configured extra host; anything else 403.
* Origin (when sent): bound to loopback, only loopback origins and the public URL's origin; bound
  publicly, any origin, because credentials travel in headers, never in cookies a browser would
  attach by itself. A configured allowlist replaces both defaults.
"""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import ForbiddenRequestError
from .asgi import header
from .errors import send_jsonrpc_error
from .request_log import request_state

logger = logging.getLogger("worldmonitor.security")

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def hostname_of(host_header: str) -> str:
    """``example.com:8000`` -> ``example.com``; ``[::1]:8000`` -> ``::1``."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class TransportSecurityPolicy:
    def __init__(
        self,
        *,
        public_url: str,
        bind_host: str,
        extra_hosts: list[str],
        allowed_origins: list[str] | None,
    ) -> None:
        public = urlsplit(public_url)
        self._public_origin = f"{public.scheme}://{public.netloc}".lower()
        self._hosts = frozenset(
            {(public.hostname or "").lower(), *LOOPBACK_NAMES, *(h.lower() for h in extra_hosts)}
        )
        self._any_host = "*" in extra_hosts
        self._loopback_only = is_loopback(bind_host)
        self._origins = (
            None if allowed_origins is None else frozenset(o.rstrip("/").lower() for o in allowed_origins)
        )

    def host_allowed(self, host_header: str | None) -> bool:
        if self._any_host:
            return True
        if host_header is None:
            return False
        name = hostname_of(host_header)
        return name in self._hosts or is_loopback(name)

    def origin_allowed(self, origin: str | None) -> bool:
        if origin is None:
            return True  # not a browser's cross-origin request
        normalised = origin.rstrip("/").lower()
        if self._origins is not None:
            return normalised in self._origins or "*" in self._origins
        if not self._loopback_only:
            return True
        if normalised == self._public_origin:
            return True
        parsed = urlsplit(normalised)
        return (
            parsed.scheme in {"http", "https"}
            and parsed.hostname is not None
            and is_loopback(parsed.hostname)
        )


class TransportSecurityMiddleware:
    def __init__(self, app: ASGIApp, policy: TransportSecurityPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] != "OPTIONS":
            host, origin = header(scope, b"host"), header(scope, b"origin")
            if not self.policy.host_allowed(host) or not self.policy.origin_allowed(origin):
                logger.warning(
                    "refused request_id=%s host=%r origin=%r",
                    request_state(scope).get("request_id"),
                    (host or "")[:100],
                    (origin or "")[:100],
                )
                await send_jsonrpc_error(send, ForbiddenRequestError())
                return
        await self.app(scope, receive, send)
