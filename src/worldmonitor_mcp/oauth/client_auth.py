"""Client authentication at the token endpoint, RFC 6749 §2.3.1.

For client credentials (the seed's semantics: the secret is an API key, the id a free label) two
methods: ``client_secret_basic`` (HTTP Basic, where id and secret are each form-urlencoded before
being joined with ":" and base64-encoded) and ``client_secret_post`` (``client_id`` and
``client_secret`` in the body). "The client MUST NOT use more than one authentication method in each
request", so both at once is ``invalid_request``. Registered clients (RFC 7591) authenticate with
their own secret by either method, or, when public (``none``), by ``client_id`` alone.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote_plus

from ..keys.verify import STATIC_KIND
from ..principal import Principal
from .clients import ClientRecord, ClientResolver, is_registered_client_id
from .errors import InvalidClientError, InvalidRequestError

AuthMethod = Literal["client_secret_basic", "client_secret_post"]
BASIC_PREFIX = "basic "


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    client_id: str
    client_secret: str
    method: AuthMethod

    def __repr__(self) -> str:  # never show the secret, even in a traceback
        return f"ClientCredentials(client_id={self.client_id!r}, method={self.method!r})"


def _basic_credentials(authorization: str) -> ClientCredentials:
    encoded = authorization[len(BASIC_PREFIX) :].strip()
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidClientError(
            "The Basic credentials are not valid base64 of id:secret", used_basic=True
        ) from None
    client_id, colon, client_secret = decoded.partition(":")
    if not colon:
        raise InvalidClientError("The Basic credentials must be client_id:client_secret", used_basic=True)
    return ClientCredentials(unquote_plus(client_id), unquote_plus(client_secret), "client_secret_basic")


def uses_basic(authorization: str | None) -> bool:
    return authorization is not None and authorization[: len(BASIC_PREFIX)].lower() == BASIC_PREFIX


def presented_secret(form: Mapping[str, str], authorization: str | None) -> str | None:
    """The client secret as sent, without validating anything: the rate limiter keys on its hash."""
    if uses_basic(authorization):
        try:
            return _basic_credentials(authorization or "").client_secret or None
        except InvalidClientError:
            return None
    return form.get("client_secret") or None


def authenticate_client(form: Mapping[str, str], authorization: str | None) -> ClientCredentials:
    """The client's credentials by exactly one method, or the OAuth error that says what is wrong."""
    if uses_basic(authorization):
        if "client_secret" in form:
            raise InvalidRequestError(
                "Use one client authentication method: HTTP Basic or client_secret in the body"
            )
        credentials = _basic_credentials(authorization or "")
        if "client_id" in form and form["client_id"] != credentials.client_id:
            raise InvalidRequestError("client_id in the body differs from the one in HTTP Basic")
    elif "client_secret" in form:
        if not form.get("client_id"):
            raise InvalidRequestError("client_id is required with client_secret")
        credentials = ClientCredentials(form["client_id"], form["client_secret"], "client_secret_post")
    else:
        raise InvalidClientError(
            "Client authentication is required: HTTP Basic, or client_id and client_secret in the body"
        )
    if not credentials.client_id or not credentials.client_secret:
        raise InvalidClientError(used_basic=credentials.method == "client_secret_basic")
    return credentials


async def authenticate_registered_client(
    form: Mapping[str, str], authorization: str | None, resolver: ClientResolver, *, now_ms: int
) -> ClientRecord:
    """A registered (or metadata-document) client, authenticated the way it registered: public clients
    (``none``) by ``client_id`` alone, confidential ones by their secret, Basic or in the body.

    An unknown ``client_id`` is ``invalid_client`` with 401: clients such as Claude register again on
    that, which is the way out after this server forgot an idle client."""
    basic = uses_basic(authorization)
    if basic or "client_secret" in form:
        credentials = authenticate_client(form, authorization)
        client = await resolver.find(credentials.client_id, now_ms=now_ms)
        if client is None or client.is_public or not client.secret_matches(credentials.client_secret):
            raise InvalidClientError(
                used_basic=basic,
                log_reason=f"client {credentials.client_id[:80]!r}: unknown, public or wrong secret",
            )
    else:
        client_id = form.get("client_id")
        if not client_id:
            raise InvalidClientError("client_id is required")
        client = await resolver.find(client_id, now_ms=now_ms)
        if client is None:
            raise InvalidClientError(
                "Unknown client_id: register again", log_reason=f"client {client_id[:80]!r}: unknown"
            )
        if not client.is_public:
            raise InvalidClientError(
                "This client must authenticate with its client_secret",
                log_reason=f"client {client_id[:80]!r}: confidential client without its secret",
            )
    await resolver.repository.touch(client, now_ms=now_ms)
    return client


@dataclass(frozen=True, slots=True)
class Caller:
    """Who called revocation or introspection: a registered client, or an API key used as a client
    secret the way client credentials use it (``principal``)."""

    client: ClientRecord | None = None
    principal: Principal | None = None

    def may_see(self, client_id: str, key_id: str) -> bool:
        """Whether a token of ``client_id`` made with ``key_id`` is this caller's business: its own
        client's, its own key's, or anything for an operator's configured (static) key."""
        if self.client is not None:
            return self.client.client_id == client_id
        if self.principal is not None:
            return self.principal.kind == STATIC_KIND or self.principal.id == key_id
        return False


async def authenticate_caller(
    form: Mapping[str, str],
    authorization: str | None,
    resolver: ClientResolver,
    identify: Callable[[str], Awaitable[Principal | None]],
    *,
    now_ms: int,
    public_allowed: bool,
) -> Caller:
    client_id = form.get("client_id", "")
    if uses_basic(authorization) or "client_secret" in form:
        credentials = authenticate_client(form, authorization)
        client_id = credentials.client_id
        if not (is_registered_client_id(client_id) or client_id.startswith("https://")):
            principal = await identify(credentials.client_secret)
            if principal is None:
                raise InvalidClientError(used_basic=uses_basic(authorization), log_reason="unknown API key")
            return Caller(principal=principal)
    elif not public_allowed:
        raise InvalidClientError("Authenticate with a client secret (or an API key as client_secret)")
    client = await authenticate_registered_client(form, authorization, resolver, now_ms=now_ms)
    return Caller(client=client)


async def authenticate_token_request(
    form: Mapping[str, str],
    authorization: str | None,
    resolver: ClientResolver,
    identify: Callable[[str], Awaitable[Principal | None]],
    *,
    now_ms: int,
    public_allowed: bool,
) -> tuple[Caller, str]:
    """The caller and the ``token`` parameter of a revocation (RFC 7009 §2.1) or introspection
    (RFC 7662 §2.1) request; the caller is authenticated first."""
    caller = await authenticate_caller(
        form, authorization, resolver, identify, now_ms=now_ms, public_allowed=public_allowed
    )
    token = form.get("token")
    if not token:
        raise InvalidRequestError("token is required")
    return caller, token
