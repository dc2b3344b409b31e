"""Opaque OAuth access tokens: issued here, stored only as a SHA-256 hash, found again by that hash.

A token reads ``wmat_<principal id>_<secret>``: 256 random bits behind the id of the API key it was
issued from. The id lets the server address the one record to check, in the same Redis Cluster slot
as that key's record and rate-limit window; it is not secret (it appears in logs and ``keys list``).
The record lives under its hash with the store's own TTL, so expired tokens disappear by themselves.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

import orjson

from ..keys import hash_secret
from ..principal import Principal
from ..store import Store
from ..store import keys as store_keys

TOKEN_PREFIX = "wmat_"  # noqa: S105 (a prefix, not a secret)
TOKEN_SECRET_BYTES = 32
"""256 bits, as RFC 6749 §10.10 asks: guessing must be infeasible."""

_TOKEN_PATTERN = re.compile(r"wmat_((?:env-)?[0-9a-f]{12})_[A-Za-z0-9_-]{43}")


def token_principal_id(token: str) -> str | None:
    """The principal id inside a well-formed token, or None (never raises)."""
    match = _TOKEN_PATTERN.fullmatch(token)
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class AccessTokenRecord:
    secret_hash: str
    principal_id: str
    principal_kind: str
    client_id: str
    scope: str
    issued_at_ms: int
    expires_at_ms: int

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "secret_hash": self.secret_hash,
                "key_id": self.principal_id,
                "key_kind": self.principal_kind,
                "client_id": self.client_id,
                "scope": self.scope,
                "issued_at_ms": self.issued_at_ms,
                "expires_at_ms": self.expires_at_ms,
            }
        )

    @classmethod
    def from_json(cls, raw: bytes) -> AccessTokenRecord:
        data: dict[str, Any] = orjson.loads(raw)
        return cls(
            secret_hash=str(data["secret_hash"]),
            principal_id=str(data["key_id"]),
            principal_kind=str(data["key_kind"]),
            client_id=str(data["client_id"]),
            scope=str(data["scope"]),
            issued_at_ms=int(data["issued_at_ms"]),
            expires_at_ms=int(data["expires_at_ms"]),
        )


class AccessTokenRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def issue(
        self, principal: Principal, *, client_id: str, scope: str, now_ms: int, ttl_s: int
    ) -> tuple[str, AccessTokenRecord]:
        token = f"{TOKEN_PREFIX}{principal.id}_{secrets.token_urlsafe(TOKEN_SECRET_BYTES)}"
        record = AccessTokenRecord(
            secret_hash=hash_secret(token),
            principal_id=principal.id,
            principal_kind=principal.kind,
            client_id=client_id,
            scope=scope,
            issued_at_ms=now_ms,
            expires_at_ms=now_ms + ttl_s * 1000,
        )
        key = store_keys.access_token(principal.id, record.secret_hash)
        await self._store.set(key, record.to_json(), ttl_ms=ttl_s * 1000)
        return token, record
