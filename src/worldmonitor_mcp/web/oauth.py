"""HTTP adapters for the authorization server: metadata documents (RFC 8414, RFC 9728), the token,
registration (RFC 7591), revocation (RFC 7009) and introspection (RFC 7662) endpoints. The browser
endpoint (the consent page) is web/authorize.py.

Domain code in ``oauth/`` takes plain values and raises ``OAuthError``; this module turns requests into
those values and results into responses (RFC 6749 §5.1: token replies carry ``Cache-Control: no-store``
and ``Pragma: no-cache``).
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import orjson
from starlette.types import Receive, Scope, Send

from ..errors import PayloadTooLargeError, StoreUnavailableError
from ..oauth import OAuthError, TokenEndpoint
from ..oauth.errors import (
    InvalidRequestError,
    RateLimitExceededError,
    RequestTooLargeError,
    TemporarilyUnavailableError,
)
from ..oauth.introspection import IntrospectionEndpoint
from ..oauth.registration import MAX_REGISTRATION_BODY_BYTES, RegistrationEndpoint
from ..oauth.revocation import RevocationEndpoint
from ..oauth.token_endpoint import MAX_TOKEN_BODY_BYTES
from ..store import Store
from ..store import keys as store_keys
from .asgi import header, read_body, send_response
from .client_ip import client_ip
from .request_log import request_state

logger = logging.getLogger("worldmonitor.oauth")

METADATA_MAX_AGE_S = 3600
"""Discovery documents change only with the deployment; an hour spares clients a round trip per connect."""

TOKEN_REPLY_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}

T_co = TypeVar("T_co", covariant=True)


class MetadataEndpoint:
    """A JSON discovery document (RFC 8414 §3, RFC 9728 §3): GET and HEAD only."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._body = orjson.dumps(document)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in {"GET", "HEAD"}:
            await send_method_not_allowed(send, "Method not allowed: use GET", allow="GET, HEAD, OPTIONS")
            return
        headers = {"Cache-Control": f"public, max-age={METADATA_MAX_AGE_S}"}
        if scope["method"] == "HEAD":
            await send({"type": "http.response.start", "status": 200, "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(self._body)).encode()),
                (b"cache-control", headers["Cache-Control"].encode()),
            ]})  # fmt: skip
            await send({"type": "http.response.body", "body": b""})
            return
        await send_response(send, 200, self._body, headers)


async def send_method_not_allowed(send: Send, message: str, *, allow: str = "POST, OPTIONS") -> None:
    error = InvalidRequestError(message)
    await send_response(send, 405, orjson.dumps(error.body()), {"Allow": allow})


async def send_oauth_error(send: Send, error: OAuthError) -> None:
    await send_response(
        send, error.http_status, orjson.dumps(error.body()), {**TOKEN_REPLY_HEADERS, **error.headers()}
    )


async def _form_body(scope: Scope, receive: Receive) -> bytes:
    try:
        return await read_body(scope, receive, MAX_TOKEN_BODY_BYTES)
    except PayloadTooLargeError:
        raise RequestTooLargeError(f"The request is over {MAX_TOKEN_BODY_BYTES} bytes") from None


class _TokenRequestHandler(Protocol[T_co]):
    def __call__(
        self, *, content_type: str | None, body: bytes, authorization: str | None, now_ms: int
    ) -> Awaitable[T_co]: ...


async def _handle_token_request(
    scope: Scope, receive: Receive, handler: _TokenRequestHandler[T_co], clock_ms: Callable[[], int]
) -> T_co:
    """A revocation (RFC 7009 §2.1) or introspection (RFC 7662 §2.1) request: a form naming a token,
    with client authentication. A store outage is ``temporarily_unavailable``."""
    try:
        return await handler(
            content_type=header(scope, b"content-type"),
            body=await _form_body(scope, receive),
            authorization=header(scope, b"authorization"),
            now_ms=clock_ms(),
        )
    except StoreUnavailableError as exc:
        raise TemporarilyUnavailableError(log_reason=exc.log_reason) from exc


def _refused(scope: Scope, what: str, error: OAuthError) -> None:
    logger.info(
        "%s refused request_id=%s error=%s reason=%s",
        what,
        request_state(scope).get("request_id"),
        error.error,
        error.log_reason,
    )


class TokenEndpointApp:
    def __init__(
        self, endpoint: TokenEndpoint, *, clock_ms: Callable[[], int], trusted_proxy_hops: int
    ) -> None:
        self._endpoint = endpoint
        self._clock_ms = clock_ms
        self._trusted_proxy_hops = trusted_proxy_hops

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            await send_method_not_allowed(send, "Method not allowed: the token endpoint takes POST")
            return
        try:
            try:
                body = await read_body(scope, receive, MAX_TOKEN_BODY_BYTES)
            except PayloadTooLargeError:
                raise RequestTooLargeError(
                    f"The token request is over {MAX_TOKEN_BODY_BYTES} bytes"
                ) from None
            result = await self._endpoint.handle(
                content_type=header(scope, b"content-type"),
                body=body,
                authorization=header(scope, b"authorization"),
                client_ip=client_ip(scope, self._trusted_proxy_hops),
                now_ms=self._clock_ms(),
            )
        except OAuthError as error:
            _refused(scope, "token request", error)
            await send_oauth_error(send, error)
            return
        await send_response(send, 200, orjson.dumps(result), TOKEN_REPLY_HEADERS)


REGISTRATION_WINDOW_S = 3600
"""Registrations are counted per client IP per hour: a client registers once, not in bursts."""


class RegistrationApp:
    """POST /oauth/register: 201 with the client information (RFC 7591 §3.2.1), or a §3.2.2 error."""

    def __init__(
        self,
        endpoint: RegistrationEndpoint,
        store: Store,
        *,
        rate_limit: int,
        clock_ms: Callable[[], int],
        trusted_proxy_hops: int,
    ) -> None:
        self._endpoint = endpoint
        self._store = store
        self._rate_limit = rate_limit
        self._clock_ms = clock_ms
        self._trusted_proxy_hops = trusted_proxy_hops

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            await send_method_not_allowed(send, "Method not allowed: register with POST")
            return
        try:
            try:
                ip = client_ip(scope, self._trusted_proxy_hops)
                outcome = await self._store.hit_window(
                    store_keys.oauth_rate_limit_window(
                        "register", hashlib.sha256(f"ip:{ip}".encode()).hexdigest()
                    ),
                    self._rate_limit,
                    REGISTRATION_WINDOW_S * 1000,
                    self._clock_ms(),
                )
                if not outcome.allowed:
                    wait_s = max(1, math.ceil(outcome.reset_ms / 1000))
                    raise RateLimitExceededError(wait_s, "registrations")
                media_type = (header(scope, b"content-type") or "").split(";", 1)[0].strip().lower()
                if media_type != "application/json":
                    raise InvalidRequestError("Send the registration request as application/json")
                try:
                    body = await read_body(scope, receive, MAX_REGISTRATION_BODY_BYTES)
                except PayloadTooLargeError:
                    raise RequestTooLargeError(
                        f"The registration request is over {MAX_REGISTRATION_BODY_BYTES} bytes"
                    ) from None
                result = await self._endpoint.register(body, now_ms=self._clock_ms())
            except StoreUnavailableError as exc:
                raise TemporarilyUnavailableError(log_reason=exc.log_reason) from exc
        except OAuthError as error:
            _refused(scope, "registration", error)
            await send_oauth_error(send, error)
            return
        await send_response(send, 201, orjson.dumps(result), TOKEN_REPLY_HEADERS)


class RevocationApp:
    """POST /oauth/revoke: 200 with an empty body, whatever the token was (RFC 7009 §2.2)."""

    def __init__(self, endpoint: RevocationEndpoint, *, clock_ms: Callable[[], int]) -> None:
        self._endpoint = endpoint
        self._clock_ms = clock_ms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            await send_method_not_allowed(send, "Method not allowed: revoke with POST")
            return
        try:
            await _handle_token_request(scope, receive, self._endpoint.revoke, self._clock_ms)
        except OAuthError as error:
            _refused(scope, "revocation", error)
            await send_oauth_error(send, error)
            return
        await send_response(send, 200, b"", TOKEN_REPLY_HEADERS, content_type=None)


class IntrospectionApp:
    """POST /oauth/introspect: the RFC 7662 §2.2 answer."""

    def __init__(self, endpoint: IntrospectionEndpoint, *, clock_ms: Callable[[], int]) -> None:
        self._endpoint = endpoint
        self._clock_ms = clock_ms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            await send_method_not_allowed(send, "Method not allowed: introspect with POST")
            return
        try:
            result = await _handle_token_request(scope, receive, self._endpoint.introspect, self._clock_ms)
        except OAuthError as error:
            _refused(scope, "introspection", error)
            await send_oauth_error(send, error)
            return
        await send_response(send, 200, orjson.dumps(result), TOKEN_REPLY_HEADERS)
