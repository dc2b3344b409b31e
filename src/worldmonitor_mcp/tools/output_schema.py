"""The ``outputSchema`` of a cache tool: the answer envelope exactly, each key's value loosely.

The envelope (answer.py) is ours and is described strictly. A key's value is described only by what
it is (any JSON, null when the key is not cached): the values come from seeders and, in production,
possibly from an existing WorldMonitor Redis whose shapes evolve on their own, and a client that checks
``structuredContent`` against the schema must never reject an honest answer for that.
Draft 2020-12, the dialect MCP names for tool schemas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_TIME = {
    "type": ["string", "null"],
    "description": "ISO 8601 UTC time the data was fetched; null if unknown.",
}
_FRESHNESS = {
    "type": "object",
    "properties": {"cached_at": _TIME, "stale": {"type": "boolean"}},
    "required": ["cached_at", "stale"],
    "additionalProperties": False,
}
_COUNT = {"type": "integer", "minimum": 0}
_LIST_COUNTS = {
    "type": "object",
    "properties": {"total": _COUNT, "matched": _COUNT, "returned": _COUNT, "dropped": _COUNT},
    "required": ["total", "matched", "returned", "dropped"],
    "additionalProperties": False,
}


def output_schema(keys: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """The schema of a cache tool reading ``keys``, answered under ``labels`` (same order)."""
    values = {
        label: {"description": f"The value of cache key {key} (any JSON); null when it is not cached."}
        for key, label in zip(keys, labels, strict=True)
    }
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "type": "object",
        "properties": {
            "cached_at": {**_TIME, "description": "The oldest cached_at of the data answered."},
            "stale": {"type": "boolean", "description": "True if any part is older than its budget."},
            "data": {"type": "object", "properties": values, "additionalProperties": False},
            "freshness": {
                "type": "object",
                "properties": {label: _FRESHNESS for label in labels},
                "additionalProperties": False,
            },
            "lists": {
                "type": "object",
                "description": "Each list in data (label.key): items stored, matching the filters, "
                "returned, and dropped by the limit.",
                "additionalProperties": _LIST_COUNTS,
            },
            "summary": {"const": True},
            "projection": {
                "type": "object",
                "properties": {"expression": {"type": "string"}, "result": {}},
                "required": ["expression", "result"],
                "additionalProperties": False,
            },
            "over_budget": {
                "type": "object",
                "properties": {"bytes": _COUNT, "budget_bytes": _COUNT},
                "required": ["bytes", "budget_bytes"],
                "additionalProperties": False,
            },
            "hint": {"type": "string", "description": "How to get what this answer left out."},
        },
        "required": ["cached_at", "stale", "freshness", "lists"],
        "additionalProperties": False,
    }
