"""API keys: the credential of a self-hosted deployment. Issue, hash, verify, revoke."""

from .apikey import ApiKeyRecord, hash_secret, parse_key_id
from .repository import ApiKeyRepository, KeyNotFoundError
from .verify import ApiKeyVerifier, StaticKeys, Verified

__all__ = [
    "ApiKeyRecord",
    "ApiKeyRepository",
    "ApiKeyVerifier",
    "KeyNotFoundError",
    "StaticKeys",
    "Verified",
    "hash_secret",
    "parse_key_id",
]
