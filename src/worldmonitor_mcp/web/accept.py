"""Content negotiation for MCP replies (RFC 9110 §12.5.1 Accept).

Streamable HTTP clients list both ``application/json`` and ``text/event-stream``; the server answers
JSON when it may, one SSE event when the client accepts only event streams, and 406 when it accepts
neither. A missing Accept header accepts anything (RFC 9110: no preference), so curl works.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from ..errors import NotAcceptableError

ReplyFormat = Literal["json", "sse"]

_JSON_RANGES = frozenset({"application/json", "application/*", "*/*"})
_SSE_RANGES = frozenset({"text/event-stream", "text/*", "*/*"})


def _acceptable_ranges(accept: str) -> set[str]:
    ranges = set()
    for part in accept.split(","):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranges.add(media.lower())
    return ranges


def reply_format(accept: str | None) -> ReplyFormat:
    if accept is None or not accept.strip():
        return "json"
    return _reply_format(accept)


@lru_cache(maxsize=256)
def _reply_format(accept: str) -> ReplyFormat:
    """Parsed once per distinct header value: clients send the same Accept on every request."""
    ranges = _acceptable_ranges(accept)
    if ranges & _JSON_RANGES:
        return "json"
    if ranges & _SSE_RANGES:
        return "sse"
    raise NotAcceptableError()


def as_sse_event(message: bytes) -> bytes:
    """One complete server-sent event carrying one JSON-RPC message (HTML Living Standard §9.2)."""
    return b"event: message\ndata: " + message + b"\n\n"
