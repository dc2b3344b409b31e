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
STATIC_KIND = "static_key"
STORED_KIND = "api_key"


@dataclass(frozen=True, slots=True)
class Verified:
    principal: Principal
    window: WindowResult
    data_version: int


class StaticKeys:
    """Keys configured in the environment, held only as hashes."""

    def __init__(self, keys: list[str]) -> None:
        self._hashes = [hash_secret(k) for k in keys]
        self._ids = {self._principal_id(h) for h in self._hashes}

    @staticmethod
    def _principal_id(secret_hash: str) -> str:
        return f"env-{secret_hash[:STATIC_ID_HEX_CHARS]}"

    def __bool__(self) -> bool:
        return bool(self._hashes)

    def principal(self, secret_hash: str) -> Principal | None:
        found = None
        for known in self._hashes:  # every entry is compared, so timing does not reveal which matched
            if hmac.compare_digest(known, secret_hash):
                found = known
        return None if found is None else Principal(id=self._principal_id(found), kind=STATIC_KIND)

    def has_principal_id(self, principal_id: str) -> bool:
        return principal_id in self._ids


def is_usable(raw_record: bytes | None) -> bool:
    """A stored key record exists and is not revoked."""
    return raw_record is not None and not ApiKeyRecord.from_json(raw_record).revoked


class ApiKeyVerifier:
    def __init__(self, store: Store, static_keys: StaticKeys, policy: RateLimitPolicy) -> None:
        self._store = store
        self._static = static_keys
        self._policy = policy

    @property
    def static_keys(self) -> StaticKeys:
        return self._static

    async def verify(self, presented: str, *, now_ms: int) -> Verified:
        """Check the key and count this request in its principal's window (one round trip)."""
        secret_hash = hash_secret(presented)
        principal = self._static.principal(secret_hash)
        record_key = touch_key = None
        if principal is None:
            key_id = parse_key_id(presented)
            if key_id is None:
                raise InvalidTokenError(log_reason="api key: not a worldmonitor key format")
            principal = Principal(id=key_id, kind=STORED_KIND)
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
        if record_key is not None and not is_usable(check.record):
            raise InvalidTokenError(log_reason=f"api key {principal.id}: revoked")
        return Verified(principal, check.window, check.data_version)

    async def identify(self, presented: str) -> Principal | None:
        """The principal a key belongs to, without counting a request; None if unknown or revoked.
        Used where the key is a client secret (the OAuth token endpoint)."""
        secret_hash = hash_secret(presented)
        principal = self._static.principal(secret_hash)
        if principal is not None:
            return principal
        key_id = parse_key_id(presented)
        if key_id is None:
            return None
        raw = await self._store.get(store_keys.api_key_record(key_id))
        if raw is None or not is_usable(raw):
            return None
        if not hmac.compare_digest(ApiKeyRecord.from_json(raw).secret_hash, secret_hash):
            return None
        return Principal(id=key_id, kind=STORED_KIND)
