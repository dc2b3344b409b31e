"""Reading the JSON values the store holds, for code that must survive a missing or corrupt key.

A cache key may be absent (never seeded, expired) or hold something that is not JSON (written by
another tool into a shared WorldMonitor Redis); readers treat both as "no value" instead of failing.
WorldMonitor's own seeders may wrap a value in an envelope (``{"_seed": {...}, "data": ...}``);
``unwrap_envelope`` takes the value out of it.
"""

from __future__ import annotations

from typing import Any

import orjson


def json_or_none(raw: bytes | None) -> Any:
    """The decoded JSON value, or None when the key is missing or does not hold JSON."""
    if raw is None:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def json_object(raw: bytes | None) -> dict[str, Any] | None:
    """A stored JSON object, or None when missing or in another shape."""
    value = json_or_none(raw)
    return value if isinstance(value, dict) else None


def unwrap_envelope(value: Any) -> Any:
    """The data inside a WorldMonitor seed envelope; any other value as it is."""
    if isinstance(value, dict) and "_seed" in value and "data" in value:
        return value["data"]
    return value


def cached_data(raw: bytes | None) -> Any:
    """A cache key's data: decoded, out of its envelope, or None when missing or not JSON."""
    return unwrap_envelope(json_or_none(raw))
