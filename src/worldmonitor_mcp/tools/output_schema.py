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

_TIME = {"type": ["string", "null"]}
_COUNT = {"type": "integer", "minimum": 0}
_DEFS = {
    "freshness": {
        "type": "object",
        "properties": {
            "cached_at": _TIME,
            "stale": {"type": "boolean"},
            "last_failure": {
                "type": "object",
                "description": "The seeder's last run failed: the data is the last good copy.",
                "properties": {"at": _TIME, "kind": {"type": "string"}, "message": {"type": "string"}},
                "required": ["at", "kind", "message"],
                "additionalProperties": False,
            },
        },
        "required": ["cached_at", "stale"],
        "additionalProperties": False,
    },
    "counts": {
        "type": "object",
        "properties": {"total": _COUNT, "matched": _COUNT, "returned": _COUNT, "dropped": _COUNT},
        "required": ["total", "matched", "returned", "dropped"],
        "additionalProperties": False,
    },
}
"""Shared by reference: tools/list carries every tool's schema, and agents pay for its size."""


def output_schema(keys: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """The schema of a cache tool reading ``keys``, answered under ``labels`` (same order)."""
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "type": "object",
        "properties": {
            "cached_at": {
                **_TIME,
                "description": "ISO 8601 UTC fetch time of the oldest part; null if unknown.",
            },
            "stale": {"type": "boolean"},
            "data": {
                "type": "object",
                "description": "Each cache key's value (any JSON, null when not cached) under its label.",
                "properties": {label: {"description": key} for key, label in zip(keys, labels, strict=True)},
                "additionalProperties": False,
            },
            "freshness": {
                "type": "object",
                "propertyNames": {"enum": list(labels)},
                "additionalProperties": {"$ref": "#/$defs/freshness"},
            },
            "lists": {
                "type": "object",
                "description": "Per list in data: items stored, matched by the filters, returned, dropped.",
                "additionalProperties": {"$ref": "#/$defs/counts"},
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
            "hint": {"type": "string"},
        },
        "required": ["cached_at", "stale", "freshness", "lists"],
        "additionalProperties": False,
        "$defs": _DEFS,
    }
