"""Every error the server can put on the wire, and the wire facts it carries.

One hierarchy under one base. Each class knows its HTTP status, its JSON-RPC code and the headers it
needs, so no handler picks a status by hand; the renderers in ``web/errors.py`` turn an instance into a
reply. The table in docs/architecture.md ("Errors") is the specification.

    WorldMonitorError
    ├── ProtocolError                 JSON-RPC envelope problems (HTTP status: legacy era / 2026-07-28)
    │   ├── ParseError                400  -32700  body is not JSON
    │   ├── InvalidRequestError       400  -32600  JSON but not a JSON-RPC request
    │   ├── PayloadTooLargeError      413  -32600  body over the size cap
    │   ├── NotAcceptableError        406  -32600  Accept allows neither JSON nor SSE
    │   ├── MethodNotFoundError       200/404  -32601
    │   ├── InvalidParamsError        200/400  -32602  unknown tool, bad envelope
    │   ├── HeaderMismatchError       400  -32020  Mcp-Method / Mcp-Name / version header vs body
    │   └── UnsupportedProtocolVersionError  400  -32022  data: {supported, requested}
    ├── ForbiddenRequestError         403  -32600  Host or Origin not allowed (DNS rebinding)
    ├── AuthError                     credentials
    │   ├── AuthenticationRequiredError  401  -32001  no credential at all
    │   ├── InvalidTokenError            401  -32001  unknown, revoked or expired credential
    │   ├── MalformedCredentialError     400  -32001  Authorization header not of RFC 6750 §2.1 form
    │   └── InsufficientScopeError       403  -32002
    ├── RateLimitedError              429  -32029  with Retry-After and RateLimit headers
    ├── StoreUnavailableError         503  -32603  with Retry-After; never a 401
    └── InternalError                 200  -32603  masked: the wire never sees the cause

The message of an error is what the client reads; the detailed reason goes to the log only
(``log_reason``), so an expired, revoked or unknown credential all read ``invalid_token`` outside.
"""

from __future__ import annotations

REALM = "worldmonitor"

# JSON-RPC 2.0 §5.1 codes, plus the server-defined range (-32000..-32099) used by WorldMonitor.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
HEADER_MISMATCH = -32020
UNSUPPORTED_PROTOCOL_VERSION = -32022
UNAUTHORIZED = -32001
FORBIDDEN = -32002
RATE_LIMITED = -32029

STORE_RETRY_AFTER_S = 5
"""How long a client should wait when the store is down: long enough for a failover, short enough
that an agent does not give up."""


class WorldMonitorError(Exception):
    """Base of every error this package raises on purpose."""

    http_status = 500
    modern_http_status: int | None = None
    """The status on the 2026-07-28 wire where it differs (-32601 is 404 there, -32602 is 400)."""
    jsonrpc_code = INTERNAL_ERROR
    message = "Internal error"

    def __init__(self, message: str | None = None, *, log_reason: str | None = None) -> None:
        self.message = message or type(self).message
        self.log_reason = log_reason or self.message
        super().__init__(self.message)

    def headers(self) -> dict[str, str]:
        return {}

    def data(self) -> object | None:
        return None

    def status_for(self, *, modern: bool) -> int:
        if modern and self.modern_http_status is not None:
            return self.modern_http_status
        return self.http_status


class ProtocolError(WorldMonitorError):
    http_status = 400


class ParseError(ProtocolError):
    jsonrpc_code = PARSE_ERROR
    message = "Parse error: the body is not valid JSON"


class InvalidRequestError(ProtocolError):
    jsonrpc_code = INVALID_REQUEST
    message = "Invalid Request: expected one JSON-RPC 2.0 request object"


class PayloadTooLargeError(ProtocolError):
    http_status = 413
    jsonrpc_code = INVALID_REQUEST

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"Request body too large: the limit is {max_bytes} bytes")


class NotAcceptableError(ProtocolError):
    http_status = 406
    jsonrpc_code = INVALID_REQUEST
    message = "Not Acceptable: accept application/json or text/event-stream"


class MethodNotFoundError(ProtocolError):
    http_status = 200
    modern_http_status = 404
    jsonrpc_code = METHOD_NOT_FOUND

    def __init__(self, method: str) -> None:
        super().__init__(f"Method not found: {method}")


class InvalidParamsError(ProtocolError):
    http_status = 200
    modern_http_status = 400
    jsonrpc_code = INVALID_PARAMS
    message = "Invalid params"


class HeaderMismatchError(ProtocolError):
    """2026-07-28 transports: routing headers must agree with the body."""

    jsonrpc_code = HEADER_MISMATCH


class UnsupportedProtocolVersionError(ProtocolError):
    jsonrpc_code = UNSUPPORTED_PROTOCOL_VERSION

    def __init__(self, requested: object, supported: tuple[str, ...]) -> None:
        super().__init__("Unsupported protocol version")
        self.requested = requested
        self.supported = supported

    def data(self) -> object:
        return {"supported": list(self.supported), "requested": self.requested}


class ForbiddenRequestError(WorldMonitorError):
    """Host or Origin outside the allowlist: the MCP transport's DNS-rebinding rule."""

    http_status = 403
    jsonrpc_code = INVALID_REQUEST
    message = "Forbidden: this Host or Origin may not call the server"


class AuthError(WorldMonitorError):
    """Builds its own RFC 6750 §3 challenge. The resource server adds the RFC 9728 §5.1
    ``resource_metadata`` URL and the ``scope`` needed (``with_challenge``), so this module needs no
    settings."""

    http_status = 401
    jsonrpc_code = UNAUTHORIZED
    oauth_error: str | None = None

    def __init__(self, message: str | None = None, *, log_reason: str | None = None) -> None:
        super().__init__(message, log_reason=log_reason)
        self.challenge: dict[str, str] = {}

    def with_challenge(self, params: dict[str, str]) -> AuthError:
        """Add challenge parameters; ones the error set itself (a needed ``scope``) are kept."""
        for name, value in params.items():
            self.challenge.setdefault(name, value)
        return self

    def headers(self) -> dict[str, str]:
        challenge = f'Bearer realm="{REALM}"'
        if self.oauth_error:
            challenge += f', error="{self.oauth_error}"'
        for name, value in self.challenge.items():
            challenge += f', {name}="{value}"'
        return {"WWW-Authenticate": challenge}


class AuthenticationRequiredError(AuthError):
    """RFC 6750 §3.1: a request without credentials gets a challenge and no error code."""

    message = "Unauthorized: send an API key in the X-WorldMonitor-Key header"


class InvalidTokenError(AuthError):
    oauth_error = "invalid_token"
    message = "Unauthorized: the credential is invalid, revoked or expired"


class MalformedCredentialError(AuthError):
    """RFC 6750 §3.1 invalid_request: the request is malformed, so the answer is 400, not 401."""

    http_status = 400
    oauth_error = "invalid_request"
    message = "Bad Request: the Authorization header must be 'Bearer <token>' with one token"


class InsufficientScopeError(AuthError):
    http_status = 403
    jsonrpc_code = FORBIDDEN
    oauth_error = "insufficient_scope"
    message = "Forbidden: the credential lacks the required scope"

    def __init__(self, scope: str) -> None:
        """``scope``: every scope the request needs, space-separated, in one challenge."""
        super().__init__()
        self.scope = scope
        self.challenge["scope"] = scope


class RateLimitedError(WorldMonitorError):
    http_status = 429
    jsonrpc_code = RATE_LIMITED
    message = "Rate limit exceeded"

    def __init__(self, retry_after_s: int, rate_limit_headers: dict[str, str]) -> None:
        super().__init__(f"Rate limit exceeded: retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s
        self.rate_limit_headers = rate_limit_headers

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s), **self.rate_limit_headers}

    def data(self) -> object:
        return {"retry_after": self.retry_after_s}


class StoreUnavailableError(WorldMonitorError):
    """The store could not be reached in time. Retryable; never turned into a 401."""

    http_status = 503
    jsonrpc_code = INTERNAL_ERROR
    message = "Service temporarily unavailable: retry shortly"

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(STORE_RETRY_AFTER_S)}


class InternalError(WorldMonitorError):
    http_status = 200
    jsonrpc_code = INTERNAL_ERROR
    message = "Internal error: data fetch failed"
