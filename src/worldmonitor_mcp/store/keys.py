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
    return oauth_rate_limit_window("token", identity_hash)


# -- OAuth authorization server, part 2 (docs/oauth.md "Storage") ----------------------------------
OAUTH_CLIENT_PREFIX = "wm:client:"
GRANT_PREFIX = "wm:grant:"


def oauth_client(client_id: str) -> str:
    """A registered client (DCR or `clients create`); ids are server-made, never a URL or user text."""
    return f"{OAUTH_CLIENT_PREFIX}{client_id}"


def client_metadata_document(url_hash: str) -> str:
    """The cached Client ID Metadata Document fetched from a URL, addressed by the URL's SHA-256."""
    return f"wm:cimd:{url_hash}"


def grant(principal_id: str, grant_id: str) -> str:
    """One consent (a token family): beside its API key's record, so one round trip reads both."""
    return f"{GRANT_PREFIX}{_principal_tag(principal_id)}:{grant_id}"


def grant_lock(grant_id: str) -> str:
    """Held while one refresh rotates a grant's refresh token, so two rotations cannot interleave."""
    return f"wm:lock:grant:{grant_id}"


def refresh_token(principal_id: str, token_hash: str) -> str:
    """A refresh token's record, addressed by the token's SHA-256 (never the token)."""
    return f"wm:refresh:{_principal_tag(principal_id)}:{token_hash}"


def authorization_code(code_hash: str) -> str:
    """A pending authorization code (60 s), addressed by the code's SHA-256."""
    return f"wm:code:{code_hash}"


def authorization_code_used(code_hash: str) -> str:
    """Left behind by a redeemed code, so a replay can find and revoke the grant it started."""
    return f"wm:code-used:{code_hash}"


def consent_request(nonce_hash: str) -> str:
    """The authorization request a consent page was rendered for, addressed by its nonce's SHA-256."""
    return f"wm:consent:{nonce_hash}"


def oauth_rate_limit_window(endpoint: str, identity_hash: str) -> str:
    """A window of the authorization server's browser and registration endpoints, per client IP or per
    pasted key, addressed by a hash."""
    return f"wm:rl-{endpoint}:{identity_hash}"
