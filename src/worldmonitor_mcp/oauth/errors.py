"""OAuth 2.0 errors, named after their wire codes (RFC 6749 §5.2), each carrying its status and headers.

    OAuthError                         (WorldMonitorError)
    ├── InvalidRequestError            400  invalid_request
    ├── InvalidClientError             401  invalid_client (+ Basic challenge when Basic was used)
    ├── InvalidGrantError              400  invalid_grant
    ├── UnauthorizedClientError        400  unauthorized_client
    ├── UnsupportedGrantTypeError      400  unsupported_grant_type
    ├── InvalidScopeError              400  invalid_scope
    ├── InvalidTargetError             400  invalid_target (RFC 8707 §2)
    ├── UnsupportedResponseTypeError   400  unsupported_response_type (§4.1.2.1, redirected)
    ├── AccessDeniedError              400  access_denied (§4.1.2.1, redirected)
    ├── LoginRequiredError             400  login_required (OIDC prompt=none, redirected)
    ├── InvalidRedirectUriError        400  invalid_redirect_uri (RFC 7591 §3.2.2)
    ├── InvalidClientMetadataError     400  invalid_client_metadata (RFC 7591 §3.2.2)
    ├── ForbiddenError                 403  access_denied (consent form from another Origin)
    ├── RequestTooLargeError           413  invalid_request
    ├── RateLimitExceededError         429  rate_limit_exceeded (+ Retry-After)
    └── TemporarilyUnavailableError    503  temporarily_unavailable (+ Retry-After)

The description says what to fix; it never repeats a submitted secret.
"""

from __future__ import annotations

from typing import Any

from ..errors import REALM, STORE_RETRY_AFTER_S, WorldMonitorError


class OAuthError(WorldMonitorError):
    http_status = 400
    error = "invalid_request"

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "error_description": self.message}


class InvalidRequestError(OAuthError):
    error = "invalid_request"


class InvalidClientError(OAuthError):
    http_status = 401
    error = "invalid_client"
    message = "Client authentication failed"

    def __init__(
        self, message: str | None = None, *, used_basic: bool = False, log_reason: str | None = None
    ):
        super().__init__(message, log_reason=log_reason)
        self.used_basic = used_basic

    def headers(self) -> dict[str, str]:
        # RFC 6749 §5.2: with HTTP Basic, the 401 MUST carry a WWW-Authenticate matching that scheme.
        return {"WWW-Authenticate": f'Basic realm="{REALM}"'} if self.used_basic else {}


class InvalidGrantError(OAuthError):
    error = "invalid_grant"


class UnauthorizedClientError(OAuthError):
    error = "unauthorized_client"


class UnsupportedGrantTypeError(OAuthError):
    error = "unsupported_grant_type"


class InvalidScopeError(OAuthError):
    error = "invalid_scope"


class InvalidTargetError(OAuthError):
    error = "invalid_target"
    message = "The resource is not this server's MCP endpoint"


class UnsupportedResponseTypeError(OAuthError):
    error = "unsupported_response_type"
    message = "Only response_type=code is supported"


class AccessDeniedError(OAuthError):
    error = "access_denied"
    message = "The user denied the request"


class LoginRequiredError(OAuthError):
    error = "login_required"
    message = "prompt=none cannot be honoured: the user must paste an API key on the consent page"


class InvalidRedirectUriError(OAuthError):
    error = "invalid_redirect_uri"


class InvalidClientMetadataError(OAuthError):
    error = "invalid_client_metadata"


class ForbiddenError(OAuthError):
    http_status = 403
    error = "access_denied"
    message = "Forbidden"


class RequestTooLargeError(OAuthError):
    http_status = 413
    error = "invalid_request"


class RateLimitExceededError(OAuthError):
    http_status = 429
    error = "rate_limit_exceeded"

    def __init__(self, retry_after_s: int, what: str = "token requests") -> None:
        super().__init__(f"Too many {what}: retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class TemporarilyUnavailableError(OAuthError):
    http_status = 503
    error = "temporarily_unavailable"
    message = "The authorization server is temporarily unavailable: retry shortly"

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(STORE_RETRY_AFTER_S)}
