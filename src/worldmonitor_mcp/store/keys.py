"""Every store key the application itself writes, built in one place.

Cache keys (``seismology:earthquakes:v1``, ``seed-meta:<domain>:<resource>``) follow the WorldMonitor
layout so this server can read an existing WorldMonitor Redis. Our own keys live under ``wm:``.
Keys that one Lua script touches together share a Redis Cluster hash tag (``{k:<id>}``).
No key ever contains a secret: credentials are addressed by their id or by a hash.
"""

from __future__ import annotations

DATA_VERSION = "wm:data-version"
SNAPSHOT_MARKER = "wm:snapshot-loaded"
API_KEY_PREFIX = "wm:apikey:"


def _principal_tag(principal_id: str) -> str:
    return "{k:" + principal_id + "}"


def api_key_record(key_id: str) -> str:
    return f"{API_KEY_PREFIX}{_principal_tag(key_id)}"


def api_key_last_used(key_id: str) -> str:
    return f"wm:apikey-used:{_principal_tag(key_id)}"


def rate_limit_window(principal_id: str) -> str:
    return f"wm:rl:{_principal_tag(principal_id)}"


def key_id_from_record_key(store_key: str) -> str:
    """Inverse of ``api_key_record``, for listing keys."""
    return store_key.removeprefix(API_KEY_PREFIX).removeprefix("{k:").removesuffix("}")


def seed_meta(domain: str, resource: str) -> str:
    return f"seed-meta:{domain}:{resource}"


def feed_lock(feed_name: str) -> str:
    """Held while one instance runs one feed (seeders/scheduler.py), so no two run it at once."""
    return f"wm:lock:feed:{feed_name}"


def composite_lock(data_key: str) -> str:
    """Held while one instance rebuilds a composite key from its sources (seeders/composite.py)."""
    return f"wm:lock:composite:{data_key}"


def feed_state(feed_name: str) -> str:
    """A feed's run bookkeeping: last run and success, last failure, next run, HTTP validators."""
    return f"wm:feed:{feed_name}"


def access_token(principal_id: str, token_hash: str) -> str:
    """An access token's record, addressed by the token's SHA-256 (never the token)."""
    return f"wm:token:{_principal_tag(principal_id)}:{token_hash}"


def token_rate_limit_window(identity_hash: str) -> str:
    """The token endpoint's window for one client secret (or client IP), addressed by its hash."""
    return f"wm:rl-token:{identity_hash}"
