"""The resource-server side of RFC 6750: verify an access token presented on /mcp.

One store round trip reads the token's record by its hash, the API key it was issued from (revoking
the key invalidates every token at once, on every instance) and, for a token from a consent, its grant
(revoking the grant ends the family), counts the request in the principal's rate-limit window and
records the key's last use. The token must have been issued for this server's MCP endpoint (RFC 8707
audience; the MCP spec forbids accepting tokens meant for anyone else). Unknown, expired, revoked,
foreign-audience and malformed tokens are all ``invalid_token`` on the wire (§3.1); the log reason
says which.
"""

from __future__ import annotations

from ..errors import InsufficientScopeError, InvalidTokenError
from ..keys import StaticKeys, Verified, hash_secret
from ..keys.verify import STATIC_KIND, is_usable
from ..principal import Principal
from ..ratelimit import RateLimitPolicy
from ..store import Store
from ..store import keys as store_keys
from .access_tokens import AccessTokenRecord, token_ids
from .grants import is_active
from .scopes import MCP_SCOPE

INVALID_TOKEN_MESSAGE = "Invalid or expired token. Re-authenticate via /oauth/token."  # noqa: S105


def _invalid(reason: str) -> InvalidTokenError:
    return InvalidTokenError(INVALID_TOKEN_MESSAGE, log_reason=f"bearer token: {reason}")


async def key_is_active(store: Store, static_keys: StaticKeys, principal_id: str) -> bool:
    """Whether the API key behind a principal id can still back tokens (not revoked, not removed)."""
    if principal_id.startswith("env-"):
        return static_keys.has_principal_id(principal_id)
    return is_usable(await store.get(store_keys.api_key_record(principal_id)))


class BearerVerifier:
    def __init__(
        self, store: Store, static_keys: StaticKeys, policy: RateLimitPolicy, *, resource: str
    ) -> None:
        self._store = store
        self._static = static_keys
        self._policy = policy
        self._resource = resource

    async def verify(self, token: str, *, now_ms: int) -> Verified:
        ids = token_ids(token)
        if ids is None:
            raise _invalid("not a worldmonitor token format")
        principal_id, grant_id = ids.principal_id, ids.grant_id
        is_static = principal_id.startswith("env-")
        if is_static and not self._static.has_principal_id(principal_id):
            raise _invalid(f"{principal_id}: its configured key is gone")
        related = [] if is_static else [store_keys.api_key_record(principal_id)]
        if grant_id is not None:
            related.append(store_keys.grant(principal_id, grant_id))
        secret_hash = hash_secret(token)
        check = await self._store.check_credential(
            record_key=store_keys.access_token(principal_id, secret_hash),
            secret_hash=secret_hash,
            touch_key=None if is_static else store_keys.api_key_last_used(principal_id),
            window_key=store_keys.rate_limit_window(principal_id),
            limit=self._policy.limit,
            window_ms=self._policy.window_ms,
            now_ms=now_ms,
            related_keys=related,
        )
        if check.window is None or check.record is None:
            raise _invalid(f"{principal_id}: unknown token")
        record = AccessTokenRecord.from_json(check.record)
        # The store's TTL removes the record eventually; the clock decides now (RFC 6749 §1.4 "lifetime").
        if now_ms >= record.expires_at_ms:
            raise _invalid(f"{principal_id}: expired")
        if record.audience != self._resource:
            raise _invalid(f"{principal_id}: audience {record.audience!r} is not {self._resource}")
        if not is_static and not is_usable(check.related[0]):
            raise _invalid(f"{principal_id}: issuing API key revoked or deleted")
        if grant_id is not None and (record.grant_id != grant_id or not is_active(check.related[-1])):
            raise _invalid(f"{principal_id}: grant {grant_id} revoked")
        scopes = frozenset(record.scope.split())
        if MCP_SCOPE not in scopes:
            raise InsufficientScopeError(MCP_SCOPE)
        kind = STATIC_KIND if is_static else record.principal_kind
        principal = Principal(id=principal_id, kind=kind, scopes=scopes, client_id=record.client_id)
        return Verified(principal, check.window, check.data_version)
