"""Assemble the authorization server from settings: repositories, endpoints and their routes.

app.py mounts what this returns; keeping the OAuth wiring here keeps app.py to the stack and the routes.

    /.well-known/oauth-authorization-server        RFC 8414 metadata
    /.well-known/oauth-protected-resource[/mcp]    RFC 9728 metadata
    /oauth/authorize   (and /authorize)            consent page (web/authorize.py)
    /oauth/token       (and /token)                RFC 6749 token endpoint
    /oauth/register    (and /register)             RFC 7591 registration
    /oauth/revoke                                  RFC 7009
    /oauth/introspect                              RFC 7662

The root-level aliases are the MCP 2025-03-26 fallbacks for clients that find no metadata.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.routing import Route

from ..keys import ApiKeyVerifier, StaticKeys
from ..oauth import metadata as paths
from ..oauth.access_tokens import AccessTokenRepository
from ..oauth.authorization_code import AuthorizationCodes
from ..oauth.authorize import AuthorizationEndpoint
from ..oauth.bearer import BearerVerifier, key_is_active
from ..oauth.client_metadata_document import ClientMetadataDocuments
from ..oauth.clients import ClientRepository, ClientResolver
from ..oauth.grants import GrantRepository
from ..oauth.introspection import IntrospectionEndpoint
from ..oauth.metadata import authorization_server_metadata
from ..oauth.protected_resource import (
    WELL_KNOWN_PRM_PATH,
    protected_resource_metadata,
    protected_resource_metadata_url,
)
from ..oauth.redirect_uris import DEFAULT_PATTERNS
from ..oauth.refresh import RefreshTokens
from ..oauth.registration import RegistrationEndpoint
from ..oauth.resource_indicators import MCP_PATH, mcp_resource
from ..oauth.revocation import RevocationEndpoint
from ..oauth.scopes import MCP_SCOPE
from ..oauth.token_endpoint import AuthorizationServerParts, TokenEndpoint, TokenEndpointPolicy
from ..ratelimit import RateLimitPolicy
from ..settings import Settings
from ..store import Store
from .authorize import AuthorizeApp, AuthorizePolicy
from .oauth import IntrospectionApp, MetadataEndpoint, RegistrationApp, RevocationApp, TokenEndpointApp


@dataclass(frozen=True, slots=True)
class AuthorizationServer:
    routes: list[Route]
    bearer: BearerVerifier
    challenge: dict[str, str]
    """RFC 9728 §5.1 parameters every /mcp 401 and 403 carries."""


def build_authorization_server(
    settings: Settings,
    store: Store,
    api_keys: ApiKeyVerifier,
    static_keys: StaticKeys,
    policy: RateLimitPolicy,
    clock_ms: Callable[[], int],
) -> AuthorizationServer:
    issuer = settings.base_url
    resource = mcp_resource(issuer)
    patterns = settings.redirect_uri_pattern_list or list(DEFAULT_PATTERNS)
    hops = settings.trusted_proxy_hops

    async def key_active(principal_id: str) -> bool:
        return await key_is_active(store, static_keys, principal_id)

    documents = ClientMetadataDocuments(
        store,
        redirect_uri_patterns=patterns,
        allow_loopback_for_tests=settings.client_metadata_test_loopback,
        ca_file=settings.client_metadata_test_ca_file,
    )
    repository = ClientRepository(store, idle_ttl_s=settings.client_idle_ttl_s)
    clients = ClientResolver(repository, documents)
    grants = GrantRepository(store, ttl_s=settings.refresh_token_ttl_s)
    codes = AuthorizationCodes(store, grants)
    refresh_tokens = RefreshTokens(
        store, grants, ttl_s=settings.refresh_token_ttl_s, grace_s=settings.refresh_grace_s
    )
    tokens = AccessTokenRepository(store)
    token_endpoint = TokenEndpoint(
        store,
        api_keys.identify,
        TokenEndpointPolicy(
            access_token_ttl_s=settings.access_token_ttl_s,
            rate_limit=settings.token_rate_limit,
            rate_limit_window_s=settings.token_rate_limit_window_s,
            resource=resource,
        ),
        AuthorizationServerParts(clients, grants, codes, refresh_tokens, key_active),
    )
    token_app = TokenEndpointApp(token_endpoint, clock_ms=clock_ms, trusted_proxy_hops=hops)
    authorize_app = AuthorizeApp(
        AuthorizationEndpoint(store, clients, codes, issuer=issuer, resource=resource),
        store,
        api_keys.identify,
        AuthorizePolicy(rate_limit=settings.authorize_rate_limit, trusted_proxy_hops=hops),
        clock_ms=clock_ms,
    )
    register_app = RegistrationApp(
        RegistrationEndpoint(repository, redirect_uri_patterns=patterns),
        store,
        rate_limit=settings.registration_rate_limit,
        clock_ms=clock_ms,
        trusted_proxy_hops=hops,
    )
    revoke_app = RevocationApp(
        RevocationEndpoint(clients, api_keys.identify, tokens, refresh_tokens, grants), clock_ms=clock_ms
    )
    introspect_app = IntrospectionApp(
        IntrospectionEndpoint(
            clients,
            api_keys.identify,
            tokens,
            refresh_tokens,
            grants,
            key_active,
            issuer=issuer,
            resource=resource,
        ),
        clock_ms=clock_ms,
    )
    prm = MetadataEndpoint(protected_resource_metadata(issuer))
    routes = [
        Route(paths.WELL_KNOWN_PATH, MetadataEndpoint(authorization_server_metadata(issuer))),
        Route(WELL_KNOWN_PRM_PATH, prm),
        Route(WELL_KNOWN_PRM_PATH + MCP_PATH, prm),
        Route(paths.AUTHORIZE_PATH, authorize_app),
        Route(paths.TOKEN_PATH, token_app),
        Route(paths.REGISTER_PATH, register_app),
        Route(paths.REVOKE_PATH, revoke_app),
        Route(paths.INTROSPECT_PATH, introspect_app),
    ]
    routes += [
        Route("/authorize", authorize_app),
        Route("/token", token_app),
        Route("/register", register_app),
    ]
    challenge = {"resource_metadata": protected_resource_metadata_url(issuer), "scope": MCP_SCOPE}
    bearer = BearerVerifier(store, static_keys, policy, resource=resource)
    return AuthorizationServer(routes, bearer, challenge)
