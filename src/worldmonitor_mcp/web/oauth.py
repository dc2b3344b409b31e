"""HTTP adapters for the authorization server: metadata documents and the token endpoint.

Domain code in ``oauth/`` takes plain values and raises ``OAuthError``; this module turns requests into
those values and results into responses (RFC 6749 §5.1: token replies carry ``Cache-Control: no-store``
and ``Pragma: no-cache``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send

from ..errors import PayloadTooLargeError
from ..oauth import OAuthError, TokenEndpoint
from ..oauth.errors import InvalidRequestError, RequestTooLargeError
from ..oauth.token_endpoint import MAX_TOKEN_BODY_BYTES
from .asgi import header, read_body, send_response
from .client_ip import client_ip
from .request_log import request_state

logger = logging.getLogger("worldmonitor.oauth")

METADATA_MAX_AGE_S = 3600
"""Discovery documents change only with the deployment; an hour spares clients a round trip per connect."""

TOKEN_REPLY_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class MetadataEndpoint:
    """A JSON discovery document (RFC 8414 §3, RFC 9728 §3): GET and HEAD only."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._body = orjson.dumps(document)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in {"GET", "HEAD"}:
            error = InvalidRequestError("Method not allowed: use GET")
            await send_response(send, 405, orjson.dumps(error.body()), {"Allow": "GET, HEAD, OPTIONS"})
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


async def send_oauth_error(send: Send, error: OAuthError) -> None:
    await send_response(
        send, error.http_status, orjson.dumps(error.body()), {**TOKEN_REPLY_HEADERS, **error.headers()}
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
            error = InvalidRequestError("Method not allowed: the token endpoint takes POST")
            await send_response(send, 405, orjson.dumps(error.body()), {"Allow": "POST, OPTIONS"})
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
            logger.info(
                "token request refused request_id=%s error=%s reason=%s",
                request_state(scope).get("request_id"),
                error.error,
                error.log_reason,
            )
            await send_oauth_error(send, error)
            return
        await send_response(send, 200, orjson.dumps(result), TOKEN_REPLY_HEADERS)
