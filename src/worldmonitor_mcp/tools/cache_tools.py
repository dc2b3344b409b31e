"""Cache tools: read a tool's keys in one store call and answer ``{cached_at, stale, data, freshness}``.

The answer keeps WorldMonitor's wire shape (one text item holding that JSON) and adds ``freshness``,
each key's own ``cached_at``/``stale``. A rendered answer is reused in-process while the store's data
version is unchanged, no key has turned stale, and it is younger than ``result_cache_s``, so the hot
path after authentication costs no store round trip at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from ..errors import InternalError, InvalidParamsError, StoreUnavailableError
from .cache_table import CACHE_TOOLS, CacheToolSpec
from .freshness import Freshness, fetched_at_ms, label_for_key, overall, own_meta_key
from .registry import OBJECT_SCHEMA, Tool, ToolContext, ToolRegistry


@dataclass(frozen=True, slots=True)
class _Rendered:
    result: bytes
    data_version: int
    valid_until_ms: int


def _decode(raw: bytes | None) -> Any:
    if raw is None:
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if isinstance(value, dict) and "_seed" in value and "data" in value:
        return value["data"]
    return value


def _text_result(payload: dict[str, Any]) -> bytes:
    text = orjson.dumps(payload).decode()
    return orjson.dumps({"content": [{"type": "text", "text": text}], "isError": False})


class CacheTool:
    """One cache tool: its spec plus its in-process rendering cache."""

    def __init__(self, spec: CacheToolSpec, *, result_cache_ms: int) -> None:
        self.spec = spec
        self._labels = [label_for_key(k) for k in spec.keys]
        if len(set(self._labels)) != len(self._labels):
            raise ValueError(f"{spec.name}: two keys share a label: {self._labels}")
        self._own_meta = [own_meta_key(k) for k in spec.keys]
        self._max_stale_ms = spec.max_stale_min * 60_000
        self._result_cache_ms = result_cache_ms
        self._cached: _Rendered | None = None

    def as_tool(self) -> Tool:
        return Tool(self.spec.name, self.spec.description, self, dict(OBJECT_SCHEMA))

    async def __call__(self, ctx: ToolContext, arguments: dict[str, Any]) -> bytes:
        if arguments:
            raise InvalidParamsError(f"{self.spec.name} takes no arguments yet; got {sorted(arguments)}")
        cached = self._cached
        if (
            cached is not None
            and cached.data_version == ctx.data_version
            and ctx.now_ms < cached.valid_until_ms
        ):
            return cached.result
        rendered = await self._render(ctx)
        self._cached = rendered
        return rendered.result

    async def _render(self, ctx: ToolContext) -> _Rendered:
        wanted = [*self.spec.keys, *self._own_meta, self.spec.meta_key]
        try:
            raw = await ctx.store.mget(wanted)
        except StoreUnavailableError as exc:
            raise InternalError(log_reason=f"{self.spec.name}: {exc.log_reason}") from exc
        n = len(self.spec.keys)
        values, own_metas, tool_meta = raw[:n], raw[n : 2 * n], _decode(raw[-1])

        data: dict[str, Any] = {}
        per_key: dict[str, dict[str, Any]] = {}
        present: list[Freshness] = []
        for label, value, own in zip(self._labels, values, own_metas, strict=True):
            data[label] = _decode(value)
            meta = _decode(own) if own is not None else tool_meta
            freshness = Freshness(fetched_at_ms(meta), self._max_stale_ms)
            per_key[label] = freshness.to_wire(ctx.now_ms)
            if value is not None:
                present.append(freshness)
        parts = present or [Freshness(fetched_at_ms(tool_meta), self._max_stale_ms)]

        payload = {**overall(parts, ctx.now_ms), "data": data, "freshness": per_key}
        turns_stale = [p.stale_at_ms for p in parts if not p.stale(ctx.now_ms) and p.stale_at_ms is not None]
        valid_until = min([ctx.now_ms + self._result_cache_ms, *turns_stale])
        return _Rendered(_text_result(payload), ctx.data_version, valid_until)


def register_cache_tools(registry: ToolRegistry, *, result_cache_ms: int) -> None:
    for spec in CACHE_TOOLS:
        registry.register(CacheTool(spec, result_cache_ms=result_cache_ms).as_tool())
