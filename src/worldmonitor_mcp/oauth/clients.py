"""OAuth clients: registered ones (RFC 7591 dynamic registration, or ``clients create`` for the
"Advanced settings" of a connector) and those identified by a Client ID Metadata Document URL.

A client secret is shown once and stored only as its SHA-256. Dynamically registered clients expire
after ``client_idle_ttl_s`` without use (the store's TTL, restarted when the client is used, at most
once per ``TOUCH_INTERVAL_MS`` so a busy client does not write on every request); clients created by
the operator never expire.
"""

from __future__ import annotations

import dataclasses
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from ..keys import hash_secret
from ..store import Store
from ..store import keys as store_keys

AuthMethod = Literal["none", "client_secret_post", "client_secret_basic"]
AUTH_METHODS: tuple[AuthMethod, ...] = ("none", "client_secret_post", "client_secret_basic")
Source = Literal["registration", "operator", "metadata_document"]

CLIENT_ID_PREFIX = "wmc_"
CLIENT_SECRET_PREFIX = "wmcs_"  # noqa: S105 (a prefix, not a secret)
CLIENT_ID_BYTES = 16
"""128 bits: a client id is not a secret, only unguessable enough that ids never collide."""
CLIENT_SECRET_BYTES = 32
"""256 bits, like API keys and tokens."""
TOUCH_INTERVAL_MS = 24 * 3600 * 1000
"""A day: precise enough for a 30-day idle expiry, and at most one write a day per client."""
MAX_CLIENT_NAME_CHARS = 100

_CLIENT_ID = re.compile(r"wmc_[0-9a-f]{32}")


def is_registered_client_id(client_id: str) -> bool:
    return _CLIENT_ID.fullmatch(client_id) is not None


@dataclass(frozen=True, slots=True)
class ClientRecord:
    client_id: str
    client_name: str
    redirect_uris: tuple[str, ...]
    token_endpoint_auth_method: AuthMethod
    source: Source
    created_at_ms: int
    last_used_at_ms: int
    secret_hash: str | None = None

    @property
    def is_public(self) -> bool:
        return self.token_endpoint_auth_method == "none"  # noqa: S105 (a method name)

    def secret_matches(self, presented: str) -> bool:
        if self.secret_hash is None:
            return False
        return hmac.compare_digest(self.secret_hash, hash_secret(presented))

    def to_json(self) -> bytes:
        data = dataclasses.asdict(self)
        data["redirect_uris"] = list(self.redirect_uris)
        return orjson.dumps(data)

    @classmethod
    def from_json(cls, raw: bytes) -> ClientRecord:
        data: dict[str, Any] = orjson.loads(raw)
        data["redirect_uris"] = tuple(data["redirect_uris"])
        return cls(**data)


class ClientNotFoundError(LookupError):
    def __init__(self, client_id: str) -> None:
        super().__init__(f"No client with id {client_id!r}; `worldmonitor-mcp clients list` shows the ids")


class ClientRepository:
    def __init__(self, store: Store, *, idle_ttl_s: int) -> None:
        self._store = store
        self._idle_ttl_ms = idle_ttl_s * 1000

    def _ttl_ms(self, record: ClientRecord) -> int | None:
        return self._idle_ttl_ms if record.source == "registration" else None

    async def create(
        self,
        *,
        client_name: str,
        redirect_uris: Sequence[str],
        auth_method: AuthMethod,
        source: Source,
        now_ms: int,
    ) -> tuple[ClientRecord, str | None]:
        """Store a new client; returns it and its secret (None for a public client), shown once."""
        client_id = CLIENT_ID_PREFIX + secrets.token_hex(CLIENT_ID_BYTES)
        secret = None
        if auth_method != "none":
            secret = CLIENT_SECRET_PREFIX + secrets.token_urlsafe(CLIENT_SECRET_BYTES)
        record = ClientRecord(
            client_id=client_id,
            client_name=client_name,
            redirect_uris=tuple(redirect_uris),
            token_endpoint_auth_method=auth_method,
            source=source,
            created_at_ms=now_ms,
            last_used_at_ms=now_ms,
            secret_hash=None if secret is None else hash_secret(secret),
        )
        await self._store.set(
            store_keys.oauth_client(client_id), record.to_json(), ttl_ms=self._ttl_ms(record)
        )
        return record, secret

    async def get(self, client_id: str) -> ClientRecord | None:
        if not is_registered_client_id(client_id):
            return None  # never put arbitrary request text into a store key
        raw = await self._store.get(store_keys.oauth_client(client_id))
        return None if raw is None else ClientRecord.from_json(raw)

    async def touch(self, record: ClientRecord, *, now_ms: int) -> None:
        """Note a use: restarts the idle expiry of a registered client (at most once a day)."""
        if record.source == "metadata_document" or now_ms - record.last_used_at_ms < TOUCH_INTERVAL_MS:
            return
        updated = dataclasses.replace(record, last_used_at_ms=now_ms)
        await self._store.set(
            store_keys.oauth_client(record.client_id), updated.to_json(), ttl_ms=self._ttl_ms(updated)
        )

    async def list(self) -> list[ClientRecord]:
        found = await self._store.scan(store_keys.OAUTH_CLIENT_PREFIX)
        values = await self._store.mget(found)
        records = [ClientRecord.from_json(raw) for raw in values if raw is not None]
        return sorted(records, key=lambda r: (r.created_at_ms, r.client_id))

    async def delete(self, client_id: str) -> ClientRecord:
        record = await self.get(client_id)
        if record is None:
            raise ClientNotFoundError(client_id)
        await self._store.delete(store_keys.oauth_client(client_id))
        return record


DocumentFetcher = Callable[[str, int], Awaitable[ClientRecord | None]]
"""Resolves a Client ID Metadata Document URL (with ``now_ms``) into a client, or None."""


class ClientResolver:
    """Finds the client behind a ``client_id``: a registered one, or a metadata document URL."""

    def __init__(self, repository: ClientRepository, documents: DocumentFetcher | None) -> None:
        self.repository = repository
        self._documents = documents

    async def find(self, client_id: str, *, now_ms: int) -> ClientRecord | None:
        if client_id.startswith("https://"):
            return None if self._documents is None else await self._documents(client_id, now_ms)
        return await self.repository.get(client_id)
