"""What an API key is: its format, its hash, its stored record.

A key reads ``wm_<id>_<secret>``: the ``wm_`` prefix lets people and secret scanners recognise it,
the id (12 hex digits) names the key in the store, in logs and in rate-limit keys, and the secret
carries 256 random bits. Only the SHA-256 of the whole key is stored; the key is shown once.
Because the key carries its id, the server finds the one record to check without an index, and the
record and the principal's rate-limit window share a Redis Cluster hash slot.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

import orjson

KEY_PREFIX = "wm_"
KEY_ID_HEX_CHARS = 12
SECRET_BYTES = 32
"""256 bits: far beyond guessing, and the same strength as the OAuth tokens issued later."""

_KEY_PATTERN = re.compile(r"wm_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")


def hash_secret(presented: str) -> str:
    return hashlib.sha256(presented.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh ``(key_id, key)`` pair."""
    key_id = secrets.token_hex(KEY_ID_HEX_CHARS // 2)
    return key_id, f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(SECRET_BYTES)}"


def parse_key_id(presented: str) -> str | None:
    """The id inside a well-formed key, or None for anything else (never raises)."""
    match = _KEY_PATTERN.fullmatch(presented)
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """The stored form of a key. ``secret_hash`` is the only trace of the key itself."""

    id: str
    label: str
    secret_hash: str
    created_at_ms: int
    revoked_at_ms: int | None = None
    last_used_at_ms: int | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at_ms is not None

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "id": self.id,
                "label": self.label,
                "secret_hash": self.secret_hash,
                "created_at_ms": self.created_at_ms,
                "revoked_at_ms": self.revoked_at_ms,
            }
        )

    @classmethod
    def from_json(cls, raw: bytes, *, last_used_at_ms: int | None = None) -> ApiKeyRecord:
        data: dict[str, Any] = orjson.loads(raw)
        return cls(
            id=str(data["id"]),
            label=str(data["label"]),
            secret_hash=str(data["secret_hash"]),
            created_at_ms=int(data["created_at_ms"]),
            revoked_at_ms=None if data.get("revoked_at_ms") is None else int(data["revoked_at_ms"]),
            last_used_at_ms=last_used_at_ms,
        )
