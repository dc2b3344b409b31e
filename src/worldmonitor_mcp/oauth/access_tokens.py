"""Opaque OAuth access tokens: issued here, stored only as a SHA-256 hash, found again by that hash.

A token reads ``wmat_<principal id>_<secret>`` (client credentials) or
``wmat_<principal id>_<grant id>_<secret>`` (authorization code and refresh): 256 random bits behind
the id of the API key it was issued from and, for a consent, the id of that grant. The ids let the
server address the records to check (the token, its API key, its grant) in one round trip, all in the
same Redis Cluster slot; they are not secret (they appear in logs, ``keys list`` and ``grants list``).
The record lives under the token's hash with the store's own TTL, so expired tokens disappear by
themselves. It records the token's audience (RFC 8707), checked on every use.
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
GRANT_ID_HEX_CHARS = 16

_TOKEN_PATTERN = re.compile(r"wmat_((?:env-)?[0-9a-f]{12})_(?:([0-9a-f]{16})_)?[A-Za-z0-9_-]{43}")


@dataclass(frozen=True, slots=True)
class TokenIds:
    principal_id: str
    grant_id: str | None


def token_ids(token: str) -> TokenIds | None:
    """The ids inside a well-formed token, or None (never raises)."""
    match = _TOKEN_PATTERN.fullmatch(token)
    return TokenIds(match.group(1), match.group(2)) if match else None


def new_grant_id() -> str:
    return secrets.token_hex(GRANT_ID_HEX_CHARS // 2)


@dataclass(frozen=True, slots=True)
class AccessTokenRecord:
    secret_hash: str
    principal_id: str
    principal_kind: str
    client_id: str
    scope: str
    issued_at_ms: int
    expires_at_ms: int
    audience: str | None = None
    """The resource (RFC 8707) the token was issued for; None only on records older than audiences."""
    grant_id: str | None = None

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
                "aud": self.audience,
                "grant_id": self.grant_id,
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
            audience=None if data.get("aud") is None else str(data["aud"]),
            grant_id=None if data.get("grant_id") is None else str(data["grant_id"]),
        )


class AccessTokenRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def issue(
        self,
        principal: Principal,
        *,
        client_id: str,
        scope: str,
        now_ms: int,
        ttl_s: int,
        audience: str,
        grant_id: str | None = None,
    ) -> tuple[str, AccessTokenRecord]:
        grant_part = f"{grant_id}_" if grant_id else ""
        token = f"{TOKEN_PREFIX}{principal.id}_{grant_part}{secrets.token_urlsafe(TOKEN_SECRET_BYTES)}"
        record = AccessTokenRecord(
            secret_hash=hash_secret(token),
            principal_id=principal.id,
            principal_kind=principal.kind,
            client_id=client_id,
            scope=scope,
            issued_at_ms=now_ms,
            expires_at_ms=now_ms + ttl_s * 1000,
            audience=audience,
            grant_id=grant_id,
        )
        key = store_keys.access_token(principal.id, record.secret_hash)
        await self._store.set(key, record.to_json(), ttl_ms=ttl_s * 1000)
        return token, record

    async def find(self, token: str) -> AccessTokenRecord | None:
        """The record of a presented token (revocation, introspection), or None."""
        ids = token_ids(token)
        if ids is None:
            return None
        raw = await self._store.get(store_keys.access_token(ids.principal_id, hash_secret(token)))
        return None if raw is None else AccessTokenRecord.from_json(raw)

    async def delete(self, token: str) -> None:
        ids = token_ids(token)
        if ids is not None:
            await self._store.delete(store_keys.access_token(ids.principal_id, hash_secret(token)))
