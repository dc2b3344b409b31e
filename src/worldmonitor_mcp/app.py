"""Build the ASGI application from settings: routes and middleware, nothing else.

The whole stack, outermost first:

    RequestIdMiddleware     request id on every reply, one log line per request
      CORSMiddleware        CORS + Cache-Control on every reply, OPTIONS -> 204
        ServerErrorMiddleware   unexpected exceptions -> masked JSON-RPC error
          Router            /mcp and /mcp/ (same endpoint, no redirect), behind the Host/Origin check
                            the authorization server (web/authorization_server.py): metadata,
                            /oauth/authorize, /oauth/token, /oauth/register, /oauth/revoke, ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext

import anyio
import httpx
from starlette.routing import Route, Router
from starlette.types import ASGIApp

from .clock import wall_clock_ms
from .keys import ApiKeyVerifier, StaticKeys
from .mcp.methods import MethodTable
from .mcp.transport import McpEndpoint
from .ratelimit import RateLimitPolicy
from .settings import Settings, load_settings
from .store import Store, open_store
from .tools import Narrator, NarratorConfig, build_registry
from .tools.analysis.geometry import load_geometry
from .web.auth import NoAuthAuthenticator, PublicDiscovery, RequestAuthenticator
from .web.authorization_server import build_authorization_server
from .web.cors import CORSMiddleware
from .web.errors import ServerErrorMiddleware
from .web.request_log import RequestIdMiddleware
from .web.transport_security import TransportSecurityMiddleware, TransportSecurityPolicy


def create_app(
    settings: Settings,
    *,
    store: Store | None = None,
    clock_ms: Callable[[], int] = wall_clock_ms,
    llm_http: httpx.AsyncClient | None = None,
) -> ASGIApp:
    """The application. Tests pass their own ``store``, ``clock_ms`` and LLM HTTP client; the store and
    the client are closed at shutdown only when the app opened them."""
    owns_store = store is None
    active_store = store if store is not None else open_store(settings)
    policy = RateLimitPolicy(limit=settings.rate_limit, window_s=settings.rate_limit_window_s)
    static_keys = StaticKeys(settings.static_keys)
    api_keys = ApiKeyVerifier(active_store, static_keys, policy)
    oauth = build_authorization_server(settings, active_store, api_keys, static_keys, policy, clock_ms)
    public = PublicDiscovery(active_store, policy, clock_ms, settings.trusted_proxy_hops)
    owned_http, narrator = _narrator(settings, llm_http)
    registry = build_registry(
        result_cache_ms=int(settings.result_cache_s * 1000),
        narrator=narrator,
        brief_window_h=settings.brief_window_h,
    )
    authenticator = (
        NoAuthAuthenticator(active_store, policy, clock_ms)
        if settings.no_auth
        else RequestAuthenticator(
            api_keys,
            oauth.bearer,
            clock_ms,
            challenge=oauth.challenge,
            public_discovery=public if settings.public_discovery else None,
        )
    )
    endpoint = McpEndpoint(
        store=active_store,
        authenticator=authenticator,
        policy=policy,
        methods=MethodTable(registry),
        clock_ms=clock_ms,
        max_body_bytes=settings.max_body_bytes,
    )
    mcp = TransportSecurityMiddleware(
        endpoint,
        TransportSecurityPolicy(
            public_url=settings.base_url,
            bind_host=settings.host,
            extra_hosts=settings.host_allowlist,
            allowed_origins=settings.origin_allowlist,
        ),
    )

    @asynccontextmanager
    async def lifespan(app: object) -> AsyncIterator[None]:
        async with anyio.create_task_group() as background, _seeders(settings, active_store, clock_ms):
            # Parse the country geometry while the server starts taking requests, so the first analysis
            # call does not wait ~2 s for it. A task of the lifespan, not a daemon thread: shutdown waits
            # for the parse to finish instead of tearing the interpreter down under the C extension.
            background.start_soon(load_geometry)
            yield
        if owned_http is not None:
            await owned_http.aclose()
        if owns_store:
            await active_store.aclose()

    routes = [Route("/mcp", mcp), Route("/mcp/", mcp), *oauth.routes]
    router = Router(routes=routes, lifespan=lifespan)
    return RequestIdMiddleware(CORSMiddleware(ServerErrorMiddleware(router)))


def _seeders(
    settings: Settings, store: Store, clock_ms: Callable[[], int]
) -> AbstractAsyncContextManager[object]:
    """The feed scheduler as a background task of the server (``serve --seeders``), else nothing. With
    several workers or instances, each runs one; the store lock keeps each feed to one runner at a time."""
    if not settings.seeders:
        return nullcontext()
    from .seeders.scheduler import run_seeders

    return run_seeders(settings, store, clock_ms=clock_ms)


def _narrator(
    settings: Settings, given: httpx.AsyncClient | None
) -> tuple[httpx.AsyncClient | None, Narrator | None]:
    """The analysis tools' LLM narrator, when an LLM is configured, and the HTTP client the app opened
    for it (None when the caller gave one).

    The client has no default headers, auth or base URL: the narrator adds the LLM's own key to its
    requests, so no other credential can ride along. Its timeout is the narrative budget; the narrator
    also bounds the whole call, body included."""
    if settings.llm_base_url is None or settings.llm_model is None:
        return None, None
    owned: httpx.AsyncClient | None = None
    if given is not None:
        http = given
    else:
        http = owned = httpx.AsyncClient(
            timeout=settings.llm_timeout_s, follow_redirects=False, trust_env=False
        )
    config = NarratorConfig(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        budget_s=settings.llm_timeout_s,
        max_tokens=settings.llm_max_tokens,
    )
    return owned, Narrator(config, http)


def app_from_environment() -> ASGIApp:
    """Factory for uvicorn (``--factory``): every worker process builds its app from the environment."""
    return create_app(load_settings())
