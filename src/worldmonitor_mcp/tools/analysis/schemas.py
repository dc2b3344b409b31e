"""The ``outputSchema`` of each analysis tool (JSON Schema draft 2020-12, the dialect MCP names).

The envelope, the freshness, the item shape and the narrative are ours and described strictly; an
item's ``facts`` are whatever its record holds (any object), as a cache tool's values are.
"""

from __future__ import annotations

from typing import Any

from ..output_schema import JSON_SCHEMA_DIALECT

_TIME = {"type": ["string", "null"], "description": "ISO 8601 UTC; null if unknown."}
_COUNT = {"type": "integer", "minimum": 0}
_STRINGS = {"type": "array", "items": {"type": "string"}}

ITEM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": "Unique in this answer; the narrative cites it as [id]."},
        "domain": {"type": "string"},
        "source": {"type": "string", "description": "Who published the record (USGS, GDACS, NWS, ...)."},
        "title": {"type": "string"},
        "time": _TIME,
        "severity": {"type": "number", "minimum": 0, "maximum": 1},
        "countries": _STRINGS,
        "location": {
            "type": "object",
            "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
            "required": ["lat", "lon"],
        },
        "url": {"type": "string"},
        "facts": {"type": "object"},
        "score": {"type": "number", "description": "Rank: 0.6 x severity + 0.4 x recency (+ relevance)."},
        "also_reported_as": {**_STRINGS, "description": "Ids of the same happening from other sources."},
        "match": {**_STRINGS, "description": "Why the item matched the query or focus."},
        "relevance": {"type": "number"},
        "relation": {"enum": ["in", "near", "mentions", "currency"]},
        "distance_km": {"type": "number", "minimum": 0},
        "signals": {**_STRINGS, "description": "Ids of the evidence items behind this forecast."},
    },
    "required": ["id", "domain", "source", "title", "time", "severity", "countries", "score"],
    "additionalProperties": False,
}
_ITEMS = {"type": "array", "items": ITEM}
_LISTED = {
    "type": "object",
    "properties": {"matched": _COUNT, "returned": _COUNT, "items": _ITEMS},
    "required": ["matched", "returned", "items"],
    "additionalProperties": False,
}
_RESOLVED = {
    "type": "object",
    "properties": {
        "countries": _STRINGS,
        "regions": _STRINGS,
        "domains": _STRINGS,
        "entities": _STRINGS,
        "keywords": _STRINGS,
    },
    "required": ["countries", "regions", "domains", "entities", "keywords"],
    "additionalProperties": False,
}
_FOCUS = {
    "type": ["object", "null"],
    "properties": {"text": {"type": "string"}, "resolved": _RESOLVED},
    "required": ["text", "resolved"],
    "additionalProperties": False,
}
_NARRATIVE = {
    "type": ["object", "null"],
    "properties": {
        "text": {"type": "string"},
        "citations": _STRINGS,
        "stripped_citations": {**_COUNT, "description": "Citations of ids not in this answer, removed."},
        "framework": {"type": ["string", "null"]},
        "model": {"type": "string"},
    },
    "required": ["text", "citations", "stripped_citations", "framework", "model"],
    "additionalProperties": False,
}
_SOURCE = {
    "type": "object",
    "properties": {"cached_at": _TIME, "stale": {"type": "boolean"}, "items": _COUNT},
    "required": ["cached_at", "stale", "items"],
    "additionalProperties": False,
}
COMMON: dict[str, Any] = {
    "tool": {"type": "string"},
    "as_of": {"type": "string", "description": "The server's time of the answer."},
    "cached_at": {**_TIME, "description": "The oldest fetch time of the data this answer used."},
    "stale": {"type": "boolean", "description": "True if any data used is older than its budget."},
    "sources": {"type": "object", "additionalProperties": _SOURCE, "description": "Per cache key read."},
    "matched": _COUNT,
    "narrative": _NARRATIVE,
    "narrative_reason": {
        "type": ["string", "null"],
        "description": "Why narrative is null (no LLM configured, timeout, HTTP error, malformed answer).",
    },
}
SPECIFIC: dict[str, dict[str, Any]] = {
    "get_world_brief": {
        "window": {
            "type": "object",
            "properties": {
                "hours": _COUNT,
                "anchors": {"type": "object", "additionalProperties": {"type": "string"}},
                "rule": {"type": "string"},
            },
            "required": ["hours", "anchors", "rule"],
            "additionalProperties": False,
        },
        "focus": _FOCUS,
        "returned": _COUNT,
        "groups": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"domain": {"type": "string"}, **_LISTED["properties"]},  # type: ignore[dict-item]
                "required": ["domain", "matched", "returned", "items"],
                "additionalProperties": False,
            },
        },
    },
    "get_country_brief": {
        "country": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "name": {"type": "string"},
                "currency": {"type": "object"},
                "travel_advisory_level": {"type": ["integer", "null"]},
                "sanctions_programmes": {"type": "object", "additionalProperties": _COUNT},
                "near_km": {"type": "number"},
            },
            "required": [
                "code",
                "name",
                "currency",
                "travel_advisory_level",
                "sanctions_programmes",
                "near_km",
            ],
            "additionalProperties": False,
        },
        "sections": {"type": "object", "additionalProperties": _LISTED},
    },
    "analyze_situation": {
        "query": {"type": "string"},
        "resolved": _RESOLVED,
        "returned": _COUNT,
        "items": _ITEMS,
    },
    "generate_forecasts": {
        "domain": {"type": ["string", "null"]},
        "region": _FOCUS,
        "returned": _COUNT,
        "forecasts": _ITEMS,
        "signals": _ITEMS,
        "known": {
            "type": "object",
            "properties": {"market_pools": _STRINGS, "domains": _STRINGS},
            "required": ["market_pools", "domains"],
            "additionalProperties": False,
        },
    },
}


def output_schema(tool: str) -> dict[str, Any]:
    specific = SPECIFIC[tool]
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "type": "object",
        "properties": {**COMMON, **specific},
        "required": [*COMMON, *specific],
        "additionalProperties": False,
    }
