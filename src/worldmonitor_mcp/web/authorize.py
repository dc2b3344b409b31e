"""HTTP adapter of the authorization endpoint (oauth/authorize.py): the consent page and its form.

GET validates the authorization request and shows the consent page (or an error page, or an error
redirect once the redirect URI is verified). POST takes the consent form: it must come from no Origin,
``null`` (Claude Desktop's WebView sends that) or this server's own origin, else 403; it must carry a
live nonce; then the pasted API key is checked and the person is sent back to the client with a code
(Approve) or ``access_denied`` (Deny). Both are rate-limited per client IP, and key checks also per
key, before anything else is done. A store failure is a 503 page, never a 400 or a redirect.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from starlette.types import Receive, Scope, Send

from ..errors import STORE_RETRY_AFTER_S, PayloadTooLargeError, StoreUnavailableError
from ..keys import hash_secret
from ..oauth.authorize import AuthorizationEndpoint, AuthorizationRequest, RedirectError
from ..oauth.errors import OAuthError
from ..oauth.scopes import describe_scope
from ..principal import Principal
from ..store import Store
from ..store import keys as store_keys
from .asgi import header, read_body, send_response
from .client_ip import client_ip
from .pages import send_error_page, send_page, send_redirect
from .request_log import request_state

logger = logging.getLogger("worldmonitor.oauth")

MAX_CONSENT_BODY_BYTES = 8 * 1024
"""The form is a nonce, a key and a button: far under 1 KiB."""
RATE_WINDOW_S = 60
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
START_AGAIN = "Go back to the application and connect again."


@dataclass(frozen=True, slots=True)
class AuthorizePolicy:
    rate_limit: int
    """Requests per client IP per minute (page views and submissions), and key checks per key."""
    trusted_proxy_hops: int


class AuthorizeApp:
    def __init__(
        self,
        endpoint: AuthorizationEndpoint,
        store: Store,
        identify: Callable[[str], Awaitable[Principal | None]],
        policy: AuthorizePolicy,
        *,
        clock_ms: Callable[[], int],
    ) -> None:
        self._endpoint = endpoint
        self._store = store
        self._identify = identify
        self._policy = policy
        self._clock_ms = clock_ms
        issuer = urlsplit(endpoint.issuer)
        self._own_origin = f"{issuer.scheme}://{issuer.netloc}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in {"GET", "HEAD", "POST"}:
            await send_response(send, 405, b"", {"Allow": "GET, POST, OPTIONS"}, content_type=None)
            return
        try:
            ip = client_ip(scope, self._policy.trusted_proxy_hops)
            wait_s = await self._refused_for("authorize", hashlib.sha256(f"ip:{ip}".encode()).hexdigest())
            if wait_s is not None:
                await self._too_many(send, wait_s)
                return
            if scope["method"] == "POST":
                await self._post(scope, receive, send)
            else:
                await self._get(scope, send)
        except StoreUnavailableError as exc:
            logger.warning(
                "authorize: store unavailable request_id=%s reason=%s",
                request_state(scope).get("request_id"),
                exc.log_reason,
            )
            await send_error_page(
                send,
                503,
                "Temporarily unavailable",
                "The server could not reach its store.",
                "Wait a few seconds and reload this page.",
                headers={"Retry-After": str(STORE_RETRY_AFTER_S)},
            )
        except Exception:
            # A bug must still end in a page the person can read (and a 5xx, never a 400 or a redirect).
            logger.exception("authorize failed request_id=%s", request_state(scope).get("request_id"))
            await send_error_page(
                send, 500, "Something went wrong", "The server failed to handle this request.", START_AGAIN
            )

    async def _get(self, scope: Scope, send: Send) -> None:
        params = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        try:
            request = await self._endpoint.validate(params, now_ms=self._clock_ms())
        except RedirectError as error:
            self._log(scope, error.error)
            await send_redirect(send, 302, self._endpoint.error_redirect(error))
            return
        except OAuthError as error:
            self._log(scope, error)
            await send_error_page(send, 400, "This connection cannot continue", error.message, START_AGAIN)
            return
        await self._consent_page(send, request, status=200)

    async def _consent_page(
        self, send: Send, request: AuthorizationRequest, *, status: int, error: str | None = None
    ) -> None:
        nonce = await self._endpoint.begin_consent(request)
        redirect = urlsplit(request.redirect_uri)
        context = {
            "client_name": request.client_name,
            "client_host": request.client_host,
            "redirect_host": request.redirect_host,
            "abilities": describe_scope(request.scope),
            "loopback_only": request.loopback_only,
            "nonce": nonce,
            "action": self._endpoint.issuer + "/oauth/authorize",
            "error": error,
        }
        # Chrome applies form-action to the redirect after the POST too, so the client's origin is listed.
        targets = f"'self' {self._own_origin} {redirect.scheme}://{redirect.netloc}"
        await send_page(send, status, "consent.html", context, form_targets=targets)

    async def _post(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = header(scope, b"origin")
        if origin is not None and origin not in {"null", self._own_origin}:
            logger.info("consent form from foreign origin %r refused", origin[:200])
            await send_error_page(
                send, 403, "Forbidden", "This form was sent from another site.", START_AGAIN
            )
            return
        media_type = (header(scope, b"content-type") or "").split(";", 1)[0].strip().lower()
        try:
            body = await read_body(scope, receive, MAX_CONSENT_BODY_BYTES)
        except PayloadTooLargeError:
            await send_error_page(send, 413, "Request too large", "The form is too large.", START_AGAIN)
            return
        if media_type != FORM_CONTENT_TYPE:
            await send_error_page(send, 400, "Bad request", "The form was not sent as a form.", START_AGAIN)
            return
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        request = await self._endpoint.take_consent(form.get("nonce", ""))
        if request is None:
            await send_error_page(
                send,
                400,
                "This page has expired",
                "The consent page was already used, or it is older than 10 minutes.",
                START_AGAIN,
            )
            return
        if form.get("action") == "deny":
            await send_redirect(send, 303, self._endpoint.deny(request))
            return
        key = form.get("api_key", "").strip()
        if not key:
            await self._consent_page(send, request, status=400, error="Paste your API key to approve.")
            return
        wait_s = await self._refused_for("consent-key", hash_secret(key))
        if wait_s is not None:
            await self._too_many(send, wait_s)
            return
        principal = await self._identify(key)
        if principal is None:
            logger.info("consent: unknown or revoked key for client %s", request.client_id[:120])
            error = "That API key is not valid here, or it was revoked. Check it and try again."
            await self._consent_page(send, request, status=400, error=error)
            return
        location = await self._endpoint.approve(request, principal, now_ms=self._clock_ms())
        logger.info("consent: key %s approved client %s", principal.id, request.client_id[:120])
        await send_redirect(send, 303, location)

    async def _refused_for(self, endpoint: str, identity_hash: str) -> int | None:
        """None when the request may go on, else the seconds to wait."""
        outcome = await self._store.hit_window(
            store_keys.oauth_rate_limit_window(endpoint, identity_hash),
            self._policy.rate_limit,
            RATE_WINDOW_S * 1000,
            self._clock_ms(),
        )
        return None if outcome.allowed else max(1, math.ceil(outcome.reset_ms / 1000))

    @staticmethod
    async def _too_many(send: Send, wait_s: int) -> None:
        await send_error_page(
            send,
            429,
            "Too many attempts",
            "Too many requests came from here in a short time.",
            f"Wait {wait_s} seconds, then try again.",
            headers={"Retry-After": str(wait_s)},
        )

    @staticmethod
    def _log(scope: Scope, error: OAuthError) -> None:
        logger.info(
            "authorize refused request_id=%s error=%s reason=%s",
            request_state(scope).get("request_id"),
            error.error,
            error.log_reason,
        )
