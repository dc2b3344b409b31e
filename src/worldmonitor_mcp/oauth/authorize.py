"""The authorization endpoint, RFC 6749 §3.1 / §4.1.1-4.1.2 as profiled by OAuth 2.1 and the MCP spec.

Validation runs in the order §4.1.2.1 prescribes: until the client and its redirect URI are known
good, an error is shown to the person and never redirected ("the authorization server SHOULD inform
the resource owner of the error and MUST NOT automatically redirect the user-agent to the invalid
redirection URI"); after that, errors go back to the client by redirect, with ``state`` and RFC 9207's
``iss``.

A valid request is remembered server-side under a single-use nonce (10 minutes) that the consent form
carries: the approval can only be for the request the page showed (its parameters are never re-read
from the form), and a form replayed, forged from another site or submitted twice finds no nonce.
Approval issues a code bound to the request and to the API key pasted (oauth/authorization_code.py).
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

from ..keys import hash_secret
from ..principal import Principal
from ..store import Store
from ..store import keys as store_keys
from . import pkce
from .access_tokens import new_grant_id
from .authorization_code import CODE_TTL_S, AuthorizationCodeRecord, AuthorizationCodes
from .clients import ClientRecord, ClientResolver
from .errors import (
    AccessDeniedError,
    InvalidClientError,
    InvalidRequestError,
    LoginRequiredError,
    OAuthError,
    UnsupportedResponseTypeError,
)
from .redirect_uris import all_loopback, find_match
from .resource_indicators import check_resource
from .scopes import narrowed_scope

RESPONSE_TYPE_CODE = "code"
CONSENT_TTL_S = 600
"""Ten minutes to read the page, find a key and decide; then the request must start again."""
NONCE_BYTES = 32
MAX_STATE_CHARS = 2000
"""state is opaque to us; bounded so a consent record stays small."""


class RedirectError(Exception):
    """An error to send back to the client by redirect: the client and redirect URI are verified."""

    def __init__(self, error: OAuthError, redirect_uri: str, state: str | None) -> None:
        super().__init__(error.message)
        self.error = error
        self.redirect_uri = redirect_uri
        self.state = state


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    client_id: str
    client_name: str
    redirect_uri: str
    code_challenge: str
    scope: str
    resource: str
    state: str | None
    loopback_only: bool
    """Every redirect URI of the client is on the user's own machine (the consent page warns)."""
    client_host: str | None = None
    """For a metadata-document client: the host its document was fetched from."""
    redirect_uri_sent: bool = True
    """Whether the request named its redirect URI (then the token request must repeat it, §4.1.3)."""

    def to_json(self) -> bytes:
        return orjson.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, raw: bytes) -> AuthorizationRequest:
        data: dict[str, Any] = orjson.loads(raw)
        return cls(**data)

    @property
    def redirect_host(self) -> str:
        return urlsplit(self.redirect_uri).netloc


def redirect_with(redirect_uri: str, params: dict[str, str | None]) -> str:
    """``redirect_uri`` with ``params`` added to its query (§4.1.2: "retaining" any query it has)."""
    parts = urlsplit(redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.extend((k, v) for k, v in params.items() if v is not None)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _single(params: Sequence[tuple[str, str]]) -> tuple[dict[str, str], str | None]:
    """The parameters, and the name of one sent twice. §3.1: "Request and response parameters MUST NOT
    be included more than once"; a repeated client_id or redirect_uri cannot even be redirected to."""
    found: dict[str, str] = {}
    repeated: set[str] = set()
    for name, value in params:
        if name in found:
            repeated.add(name)
        found[name] = value
    for name in ("client_id", "redirect_uri"):
        if name in repeated:
            raise InvalidRequestError(f"{name} appears more than once")
    return found, min(repeated) if repeated else None


class AuthorizationEndpoint:
    def __init__(
        self, store: Store, clients: ClientResolver, codes: AuthorizationCodes, *, issuer: str, resource: str
    ) -> None:
        self._store = store
        self._clients = clients
        self._codes = codes
        self.issuer = issuer
        self._resource = resource

    async def validate(self, params: Sequence[tuple[str, str]], *, now_ms: int) -> AuthorizationRequest:
        """The request, or an ``OAuthError`` to show the person, or a ``RedirectError`` for the client."""
        query, repeated = _single(params)
        client_id = query.get("client_id")
        if not client_id:
            raise InvalidRequestError("client_id is missing")
        client = await self._clients.find(client_id, now_ms=now_ms)
        if client is None:
            raise InvalidClientError(
                "This application is not registered with this server (unknown client_id)",
                log_reason=f"authorize: unknown client {client_id[:120]!r}",
            )
        redirect_uri = self._redirect_uri(client, query.get("redirect_uri"))
        state = query.get("state")
        try:
            if repeated is not None:
                raise InvalidRequestError(f"{repeated[:40]} appears more than once")
            return self._checked(client, redirect_uri, query)
        except OAuthError as error:
            raise RedirectError(error, redirect_uri, state) from None

    @staticmethod
    def _redirect_uri(client: ClientRecord, presented: str | None) -> str:
        if presented is None:
            # OAuth 2.1 §4.1.1 makes it REQUIRED; RFC 6749 §3.1.2.3 allowed omitting it with a single
            # registered URI, which some older clients rely on.
            if len(client.redirect_uris) == 1:
                return client.redirect_uris[0]
            raise InvalidRequestError("redirect_uri is missing")
        matched = find_match(client.redirect_uris, presented)
        if matched is None:
            raise InvalidRequestError(
                "redirect_uri is not one of this application's registered redirect URIs",
                log_reason=f"authorize: {presented[:200]!r} not registered for {client.client_id}",
            )
        return matched

    def _checked(
        self, client: ClientRecord, redirect_uri: str, query: dict[str, str]
    ) -> AuthorizationRequest:
        if query.get("response_type") != RESPONSE_TYPE_CODE:
            raise UnsupportedResponseTypeError()
        challenge = pkce.check_challenge(query.get("code_challenge"), query.get("code_challenge_method"))
        state = query.get("state")
        if state is not None and len(state) > MAX_STATE_CHARS:
            raise InvalidRequestError(f"state is limited to {MAX_STATE_CHARS} characters")
        resource = check_resource(query.get("resource"), self._resource)
        if "none" in query.get("prompt", "").split():
            raise LoginRequiredError()
        return AuthorizationRequest(
            client_id=client.client_id,
            client_name=client.client_name,
            redirect_uri=redirect_uri,
            code_challenge=challenge,
            scope=narrowed_scope(query.get("scope")),
            resource=resource,
            state=state,
            loopback_only=all_loopback(client.redirect_uris),
            client_host=urlsplit(client.client_id).hostname if client.source == "metadata_document" else None,
            redirect_uri_sent="redirect_uri" in query,
        )

    # -- the consent form ---------------------------------------------------------------------------

    async def begin_consent(self, request: AuthorizationRequest) -> str:
        """Remember the request under a fresh nonce for the consent form; returns the nonce."""
        nonce = secrets.token_urlsafe(NONCE_BYTES)
        key = store_keys.consent_request(hash_secret(nonce))
        await self._store.set(key, request.to_json(), ttl_ms=CONSENT_TTL_S * 1000)
        return nonce

    async def take_consent(self, nonce: str) -> AuthorizationRequest | None:
        """The request a nonce was issued for, once (get-and-delete), or None."""
        if not nonce or len(nonce) > 100:
            return None
        raw = await self._store.getdel(store_keys.consent_request(hash_secret(nonce)))
        return None if raw is None else AuthorizationRequest.from_json(raw)

    async def approve(self, request: AuthorizationRequest, principal: Principal, *, now_ms: int) -> str:
        """The redirect that hands the client its code (§4.1.2, with RFC 9207 ``iss``)."""
        code = await self._codes.issue(
            AuthorizationCodeRecord(
                client_id=request.client_id,
                redirect_uri=request.redirect_uri,
                redirect_uri_sent=request.redirect_uri_sent,
                code_challenge=request.code_challenge,
                scope=request.scope,
                resource=request.resource,
                key_id=principal.id,
                key_kind=principal.kind,
                grant_id=new_grant_id(),
                issued_at_ms=now_ms,
                expires_at_ms=now_ms + CODE_TTL_S * 1000,
            )
        )
        return redirect_with(request.redirect_uri, {"code": code, "state": request.state, "iss": self.issuer})

    def deny(self, request: AuthorizationRequest) -> str:
        return self.error_redirect(RedirectError(AccessDeniedError(), request.redirect_uri, request.state))

    def error_redirect(self, error: RedirectError) -> str:
        """§4.1.2.1 error response, with ``iss`` (RFC 9207 §2: also on error responses)."""
        return redirect_with(
            error.redirect_uri,
            {
                "error": error.error.error,
                "error_description": error.error.message,
                "state": error.state,
                "iss": self.issuer,
            },
        )
