"""Turn a request's headers into a verified principal (the HTTP side of ``keys/``).

Credentials are read from ``X-WorldMonitor-Key`` or, for clients that can only send a bearer header,
``Authorization: Bearer <api key>``. The query string is never read: a credential in a URL ends up in
proxy and browser logs, so ``?key=`` is treated as no credential at all.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import Scope

from ..errors import AuthenticationRequiredError
from ..keys import ApiKeyVerifier, Verified
from .asgi import header

BEARER_PREFIX = "bearer "


def presented_credential(scope: Scope) -> str | None:
    key = header(scope, b"x-worldmonitor-key")
    if key:
        return key.strip()
    authorization = header(scope, b"authorization")
    if authorization and authorization[: len(BEARER_PREFIX)].lower() == BEARER_PREFIX:
        return authorization[len(BEARER_PREFIX) :].strip() or None
    return None


class RequestAuthenticator:
    def __init__(self, verifier: ApiKeyVerifier, clock_ms: Callable[[], int]) -> None:
        self._verifier = verifier
        self._clock_ms = clock_ms

    async def authenticate(self, scope: Scope) -> Verified:
        credential = presented_credential(scope)
        if credential is None:
            raise AuthenticationRequiredError()
        return await self._verifier.verify(credential, now_ms=self._clock_ms())
