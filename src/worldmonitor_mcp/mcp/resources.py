"""MCP resources (server/resources): the freshness of every dataset, and each dataset by tool name.

``worldmonitor://data/{tool}`` is read through the tool itself, so it has the same code path, the same
authentication and the same rate limit as ``tools/call``; ``worldmonitor://freshness`` summarises every
cache tool's ``cached_at``, ``stale`` and record counts in one store read.
"""

from __future__ import annotations

from typing import Any

import orjson

from ..errors import InvalidParamsError, WorldMonitorError
from ..seeders import manifest
from ..store.values import json_or_none
from ..tools import CACHE_TOOLS, ToolContext, ToolRegistry
from ..tools.freshness import Freshness, fetched_at_ms, own_meta_key

FRESHNESS_URI = "worldmonitor://freshness"
SOURCES_URI = "worldmonitor://sources"
DATA_PREFIX = "worldmonitor://data/"
DATA_TEMPLATE = "worldmonitor://data/{tool}"
JSON_MIME = "application/json"


class ResourceNotFoundError(InvalidParamsError):
    """SEP-2164: reading an unknown resource is -32602 with the URI in ``data``."""

    def __init__(self, uri: str) -> None:
        super().__init__(f"Resource not found: {uri[:200]}")
        self.uri = uri

    def data(self) -> object:
        return {"uri": self.uri}


class ResourceCatalog:
    def __init__(self, registry: ToolRegistry) -> None:
        self._registry = registry
        resources = [
            {
                "uri": FRESHNESS_URI,
                "name": "freshness",
                "title": "Data freshness",
                "description": "cached_at, stale and record count of every dataset behind the cache tools.",
                "mimeType": JSON_MIME,
            },
            {
                "uri": SOURCES_URI,
                "name": "sources",
                "title": "Data sources",
                "description": "Every feed: upstream URL, licence, and where its bundled sample came from.",
                "mimeType": JSON_MIME,
            },
            *(
                {
                    "uri": DATA_PREFIX + spec.name,
                    "name": spec.name,
                    "title": spec.name.removeprefix("get_").replace("_", " ").capitalize(),
                    "description": spec.description,
                    "mimeType": JSON_MIME,
                }
                for spec in CACHE_TOOLS
            ),
        ]
        self._list = orjson.dumps({"resources": resources})
        self._templates = orjson.dumps(
            {
                "resourceTemplates": [
                    {
                        "uriTemplate": DATA_TEMPLATE,
                        "name": "dataset",
                        "title": "A dataset by tool name",
                        "description": "The answer of a cache tool called without filters, e.g. "
                        "worldmonitor://data/get_natural_disasters.",
                        "mimeType": JSON_MIME,
                    }
                ]
            }
        )

    async def list(self, params: dict[str, Any], ctx: ToolContext) -> bytes:
        return self._list

    async def list_templates(self, params: dict[str, Any], ctx: ToolContext) -> bytes:
        return self._templates

    async def read(self, params: dict[str, Any], ctx: ToolContext) -> bytes:
        uri = params.get("uri")
        if not isinstance(uri, str):
            raise InvalidParamsError('Invalid params: resources/read needs "uri"')
        if uri == FRESHNESS_URI:
            text = orjson.dumps(await freshness_report(ctx)).decode()
        elif uri == SOURCES_URI:
            text = manifest.bundled().decode()
        elif uri.startswith(DATA_PREFIX) and (tool := self._registry.get(uri.removeprefix(DATA_PREFIX))):
            text = _text_of(await tool.handler(ctx, {}))
        else:
            raise ResourceNotFoundError(uri)
        return orjson.dumps({"contents": [{"uri": uri, "mimeType": JSON_MIME, "text": text}]})


def _text_of(tool_result: bytes) -> str:
    result = orjson.loads(tool_result)
    for item in result.get("content", []):
        if item.get("type") == "text":
            return str(item["text"])
    raise WorldMonitorError(log_reason="tool result without a text item")


async def freshness_report(ctx: ToolContext) -> dict[str, Any]:
    """One mget of every tool's seed-meta keys; per tool: cached_at, stale, record count per key."""
    wanted = sorted(
        {spec.meta_key for spec in CACHE_TOOLS} | {own_meta_key(k) for s in CACHE_TOOLS for k in s.keys}
    )
    metas = dict(zip(wanted, await ctx.store.mget(wanted), strict=True))
    report: dict[str, Any] = {}
    for spec in CACHE_TOOLS:
        budget_ms = spec.max_stale_min * 60_000
        datasets = {}
        for key in spec.keys:
            raw = metas[own_meta_key(key)] or metas[spec.meta_key]
            meta = json_or_none(raw)
            freshness = Freshness(fetched_at_ms(meta), budget_ms)
            count = meta.get("recordCount") if isinstance(meta, dict) else None
            datasets[key] = {**freshness.to_wire(ctx.now_ms), "record_count": count}
        report[spec.name] = {
            "max_stale_minutes": spec.max_stale_min,
            "stale": any(d["stale"] for d in datasets.values()),
            "datasets": datasets,
        }
    return {"tools": report}
