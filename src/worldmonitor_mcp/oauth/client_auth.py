"""Client authentication at the token endpoint, RFC 6749 §2.3.1.

Two methods: ``client_secret_basic`` (HTTP Basic, where id and secret are each form-urlencoded before
being joined with ":" and base64-encoded) and ``client_secret_post`` (``client_id`` and
``client_secret`` in the body). "The client MUST NOT use more than one authentication method in each
request", so both at once is ``invalid_request``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote_plus

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
