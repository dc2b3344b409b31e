"""The resource-server side of RFC 6750: verify an access token presented on /mcp.

One store round trip reads the token's record by its hash, the API key it was issued from (revoking
the key invalidates every token at once, on every instance), counts the request in the principal's
rate-limit window and records the key's last use. Unknown, expired, revoked and malformed tokens are
all ``invalid_token`` on the wire (§3.1); the log reason says which.
"""

from __future__ import annotations

from ..errors import InsufficientScopeError, InvalidTokenError
from ..keys import StaticKeys, Verified, hash_secret
from ..keys.verify import STATIC_KIND, is_usable
from ..principal import Principal
from ..ratelimit import RateLimitPolicy
from ..store import Store
from ..store import keys as store_keys
from .access_tokens import AccessTokenRecord, token_principal_id
from .scopes import MCP_SCOPE

INVALID_TOKEN_MESSAGE = "Invalid or expired token. Re-authenticate via /oauth/token."  # noqa: S105


def _invalid(reason: str) -> InvalidTokenError:
    return InvalidTokenError(INVALID_TOKEN_MESSAGE, log_reason=f"bearer token: {reason}")


class BearerVerifier:
    def __init__(self, store: Store, static_keys: StaticKeys, policy: RateLimitPolicy) -> None:
        self._store = store
        self._static = static_keys
        self._policy = policy

    async def verify(self, token: str, *, now_ms: int) -> Verified:
        principal_id = token_principal_id(token)
        if principal_id is None:
            raise _invalid("not a worldmonitor token format")
        is_static = principal_id.startswith("env-")
        if is_static and not self._static.has_principal_id(principal_id):
            raise _invalid(f"{principal_id}: its configured key is gone")
        secret_hash = hash_secret(token)
        check = await self._store.check_credential(
            record_key=store_keys.access_token(principal_id, secret_hash),
            secret_hash=secret_hash,
            touch_key=None if is_static else store_keys.api_key_last_used(principal_id),
            window_key=store_keys.rate_limit_window(principal_id),
            limit=self._policy.limit,
            window_ms=self._policy.window_ms,
            now_ms=now_ms,
            related_keys=() if is_static else (store_keys.api_key_record(principal_id),),
        )
        if check.window is None or check.record is None:
            raise _invalid(f"{principal_id}: unknown token")
        record = AccessTokenRecord.from_json(check.record)
        # The store's TTL removes the record eventually; the clock decides now (RFC 6749 §1.4 "lifetime").
        if now_ms >= record.expires_at_ms:
            raise _invalid(f"{principal_id}: expired")
        if not is_static and not is_usable(check.related[0]):
            raise _invalid(f"{principal_id}: issuing API key revoked or deleted")
        scopes = frozenset(record.scope.split())
        if MCP_SCOPE not in scopes:
            raise InsufficientScopeError(MCP_SCOPE)
        kind = STATIC_KIND if is_static else record.principal_kind
        principal = Principal(id=principal_id, kind=kind, scopes=scopes, client_id=record.client_id)
        return Verified(principal, check.window, check.data_version)
