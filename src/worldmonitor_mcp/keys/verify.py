"""Verify a presented API key and count the request against its principal, in one store round trip.

Stored keys (``wm_<id>_<secret>``) are checked by the store against the SHA-256 in their record.
Keys from WORLDMONITOR_VALID_KEYS are hashed once at start and compared in memory, in constant time.
Unknown, malformed and revoked keys are all ``invalid_token`` on the wire; the log reason says which.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from ..errors import InvalidTokenError
from ..principal import Principal
from ..ratelimit import RateLimitPolicy
from ..store import Store, WindowResult
from ..store import keys as store_keys
from .apikey import ApiKeyRecord, hash_secret, parse_key_id

STATIC_ID_HEX_CHARS = 12


@dataclass(frozen=True, slots=True)
class Verified:
    principal: Principal
    window: WindowResult
    data_version: int


class StaticKeys:
    """Keys configured in the environment, held only as hashes."""

    def __init__(self, keys: list[str]) -> None:
        self._hashes = [hash_secret(k) for k in keys]

    def __bool__(self) -> bool:
        return bool(self._hashes)

    def match(self, secret_hash: str) -> str | None:
        found = None
        for known in self._hashes:  # every entry is compared, so timing does not reveal which matched
            if hmac.compare_digest(known, secret_hash):
                found = known
        return found


class ApiKeyVerifier:
    def __init__(self, store: Store, static_keys: StaticKeys, policy: RateLimitPolicy) -> None:
        self._store = store
        self._static = static_keys
        self._policy = policy

    async def verify(self, presented: str, *, now_ms: int) -> Verified:
        secret_hash = hash_secret(presented)
        static = self._static.match(secret_hash)
        if static is not None:
            principal = Principal(id=f"env-{static[:STATIC_ID_HEX_CHARS]}", kind="static_key")
            record_key = touch_key = None
        else:
            key_id = parse_key_id(presented)
            if key_id is None:
                raise InvalidTokenError(log_reason="api key: not a worldmonitor key format")
            principal = Principal(id=key_id, kind="api_key")
            record_key = store_keys.api_key_record(key_id)
            touch_key = store_keys.api_key_last_used(key_id)

        check = await self._store.check_credential(
            record_key=record_key,
            secret_hash=secret_hash,
            touch_key=touch_key,
            window_key=store_keys.rate_limit_window(principal.id),
            limit=self._policy.limit,
            window_ms=self._policy.window_ms,
            now_ms=now_ms,
        )
        if check.window is None:
            raise InvalidTokenError(log_reason=f"api key {principal.id}: unknown or hash mismatch")
        if check.record is not None and ApiKeyRecord.from_json(check.record).revoked:
            raise InvalidTokenError(log_reason=f"api key {principal.id}: revoked")
        return Verified(principal, check.window, check.data_version)
