"""Turn a request's headers into a verified principal (the HTTP side of ``keys/`` and ``oauth/``).

``Authorization: Bearer <token>`` is checked first (RFC 6750 §2.1), then ``X-WorldMonitor-Key``. A
bearer value that is an API key (``wm_...`` or a configured key) is verified as one, for clients that
can only send bearer headers. The query string and the body are never read for credentials (§2.2 and
§2.3 are optional and put credentials where logs and caches keep them).

A malformed bearer header (no token, several tokens, characters outside the b64token syntax) is a
malformed request, so §3.1 ``invalid_request`` with 400, not 401: retrying with a fresh token cannot
fix a client that builds the header wrong. Another scheme (``Basic ...``) is not a bearer credential
at all and counts as none.

Every refusal carries the RFC 9728 §5.1 ``resource_metadata`` URL and the ``scope`` needed in its
challenge, so an OAuth client can discover the authorization server from any 401 or 403. With
``public_discovery`` on, a request without credentials whose methods are all discovery methods
(``DISCOVERY_METHODS``) is served as an anonymous principal, counted per client IP, so clients can
authenticate lazily at the first ``tools/call``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping

import orjson
from starlette.types import Scope

from ..errors import AuthenticationRequiredError, AuthError, MalformedCredentialError
from ..keys import ApiKeyVerifier, Verified, hash_secret, parse_key_id
from ..oauth import BearerVerifier
from ..principal import Principal
from ..ratelimit import RateLimitPolicy
from ..store import Store
from ..store.keys import rate_limit_window
from .asgi import header
from .client_ip import client_ip

BEARER_SCHEME = "bearer"
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def bearer_token(authorization: str | None) -> str | None:
    """The token of a Bearer header; None for no header or another scheme; raises when malformed."""
    if authorization is None:
        return None
    scheme, _, rest = authorization.partition(" ")
    if scheme.lower() != BEARER_SCHEME:
        return None
    token = rest.strip(" ")
    if not _B64TOKEN.fullmatch(token):
        raise MalformedCredentialError()
    return token


DISCOVERY_METHODS = frozenset(
    {"initialize", "ping", "tools/list", "server/discover", "notifications/initialized"}
)
"""What ``public_discovery`` serves without credentials: enough to connect and list the tools."""


def _discovery_only(body: bytes) -> bool:
    try:
        message = orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    messages = message if isinstance(message, list) else [message]
    return bool(messages) and all(
        isinstance(m, dict) and m.get("method") in DISCOVERY_METHODS for m in messages
    )


async def _count_keyless(
    store: Store, policy: RateLimitPolicy, principal: Principal, now_ms: int
) -> Verified:
    """Count one request of a principal that presented no credential (anonymous discovery, ``--no-auth``)
    in its window: the same single round trip as a key, which also brings the data version."""
    check = await store.check_credential(
        record_key=None,
        secret_hash="",
        touch_key=None,
        window_key=rate_limit_window(principal.id),
        limit=policy.limit,
        window_ms=policy.window_ms,
        now_ms=now_ms,
    )
    if check.window is None:  # cannot happen: without a record key every hit is counted
        raise RuntimeError("the store did not count a keyless hit")
    return Verified(principal, check.window, check.data_version)


class RequestAuthenticator:
    def __init__(
        self,
        api_keys: ApiKeyVerifier,
        bearer: BearerVerifier,
        clock_ms: Callable[[], int],
        *,
        challenge: Mapping[str, str] | None = None,
        public_discovery: PublicDiscovery | None = None,
    ) -> None:
        self._api_keys = api_keys
        self._bearer = bearer
        self._clock_ms = clock_ms
        self._challenge = dict(challenge or {})
        self._public = public_discovery

    async def authenticate(self, scope: Scope, body: bytes = b"") -> Verified:
        try:
            return await self._authenticate(scope)
        except AuthenticationRequiredError as error:
            if self._public is not None and _discovery_only(body):
                return await self._public.anonymous(scope)
            raise error.with_challenge(self._challenge) from None
        except AuthError as error:
            raise error.with_challenge(self._challenge) from None

    async def _authenticate(self, scope: Scope) -> Verified:
        token = bearer_token(header(scope, b"authorization"))
        if token is not None:
            if parse_key_id(token) is not None or self._api_keys.static_keys.principal(hash_secret(token)):
                return await self._api_keys.verify(token, now_ms=self._clock_ms())
            return await self._bearer.verify(token, now_ms=self._clock_ms())
        key = header(scope, b"x-worldmonitor-key")
        if key and key.strip():
            return await self._api_keys.verify(key.strip(), now_ms=self._clock_ms())
        raise AuthenticationRequiredError()


class PublicDiscovery:
    """Anonymous discovery requests, counted in a window per client IP (one round trip, as for keys)."""

    def __init__(
        self, store: Store, policy: RateLimitPolicy, clock_ms: Callable[[], int], trusted_proxy_hops: int
    ) -> None:
        self._store = store
        self._policy = policy
        self._clock_ms = clock_ms
        self._hops = trusted_proxy_hops

    async def anonymous(self, scope: Scope) -> Verified:
        ip_hash = hashlib.sha256(f"ip:{client_ip(scope, self._hops)}".encode()).hexdigest()
        principal = Principal(id=f"anon-{ip_hash[:12]}", kind="anonymous", scopes=frozenset())
        return await _count_keyless(self._store, self._policy, principal, self._clock_ms())


LOCAL_PRINCIPAL = Principal(id="local", kind="local")


class NoAuthAuthenticator:
    """``serve --no-auth`` on a loopback bind: every request is the local user. Requests are still
    counted in one window, so the data version arrives in the same single round trip."""

    def __init__(self, store: Store, policy: RateLimitPolicy, clock_ms: Callable[[], int]) -> None:
        self._store = store
        self._policy = policy
        self._clock_ms = clock_ms

    async def authenticate(self, scope: Scope, body: bytes = b"") -> Verified:
        return await _count_keyless(self._store, self._policy, LOCAL_PRINCIPAL, self._clock_ms())
