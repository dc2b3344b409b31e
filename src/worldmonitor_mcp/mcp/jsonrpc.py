"""The JSON-RPC 2.0 envelope (https://www.jsonrpc.org/specification) as MCP uses it.

Decoding is strict where MCP is strict: ``jsonrpc`` must be "2.0", ``method`` a string, ``id`` a string
or an integer (MCP forbids null ids), ``params`` an object when present. Encoding splices pre-encoded
result bytes into the envelope, so a cached tool result is never decoded and re-encoded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from ..errors import InvalidRequestError, ParseError, WorldMonitorError

RequestId = str | int


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    params: dict[str, Any]
    id: RequestId | None
    """None for a notification."""

    @property
    def is_notification(self) -> bool:
        return self.id is None


def _valid_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def parse(body: bytes) -> Any:
    """The JSON value of a body, or ``ParseError``."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ParseError() from exc


def decode(body: bytes) -> Request:
    return decode_message(parse(body))


def decode_message(message: Any) -> Request:
    """One JSON-RPC request or notification object, validated."""
    if not isinstance(message, dict):
        raise InvalidRequestError(log_reason=f"message is a JSON {type(message).__name__}, not an object")
    request_id = message.get("id")
    if "id" in message and not _valid_id(request_id):
        raise InvalidRequestError("Invalid Request: id must be a string or an integer")
    if message.get("jsonrpc") != "2.0":
        raise InvalidRequestError('Invalid Request: "jsonrpc" must be "2.0"')
    method = message.get("method")
    if not isinstance(method, str) or not method:
        if "result" in message or "error" in message:
            raise InvalidRequestError("Invalid Request: this server accepts requests, not responses")
        raise InvalidRequestError('Invalid Request: "method" must be a non-empty string')
    params = message.get("params", {})
    if not isinstance(params, dict):
        raise InvalidRequestError('Invalid Request: "params" must be an object')
    return Request(method=method, params=params, id=request_id)


def salvage_id(message: Any) -> RequestId | None:
    """The id of an invalid request, when one can be read, so the error can answer it."""
    if isinstance(message, dict) and _valid_id(message.get("id")):
        return message["id"]  # type: ignore[no-any-return]
    return None


def encode_result(request_id: RequestId, result: bytes) -> bytes:
    return b'{"jsonrpc":"2.0","id":' + orjson.dumps(request_id) + b',"result":' + result + b"}"


def encode_error(request_id: RequestId | None, error: WorldMonitorError) -> bytes:
    body: dict[str, Any] = {"code": error.jsonrpc_code, "message": error.message}
    data = error.data()
    if data is not None:
        body["data"] = data
    return orjson.dumps({"jsonrpc": "2.0", "id": request_id, "error": body})
