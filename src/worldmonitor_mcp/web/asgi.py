"""Small helpers for raw ASGI: reading headers, reading a capped body, sending a whole response."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import Receive, Scope, Send

from ..errors import PayloadTooLargeError


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of header ``name`` (lower-case bytes), decoded as latin-1, without the optional
    whitespace around it (RFC 9110 §5.5: "field values exclude leading and trailing whitespace")."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1")).strip(" \t")
    return None


async def read_body(scope: Scope, receive: Receive, max_bytes: int) -> bytes:
    """The request body, refused with ``PayloadTooLargeError`` as soon as it is known to be too large:
    from Content-Length before reading anything, or while streaming when the length was not sent."""
    declared = header(scope, b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLargeError(max_bytes)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLargeError(max_bytes)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def send_response(
    send: Send,
    status: int,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    content_type: str | None = "application/json",
) -> None:
    raw_headers = [(b"content-length", str(len(body)).encode())]
    if content_type is not None and body:
        raw_headers.append((b"content-type", content_type.encode()))
    if headers:
        raw_headers.extend((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items())
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
