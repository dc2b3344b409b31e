"""Cache tools: read a tool's keys in one store call; answer ``{cached_at, stale, data, freshness, lists}``.

The answer keeps WorldMonitor's wire shape (a text item holding that JSON), adds the same JSON as
``structuredContent`` (described by the tool's ``outputSchema``), and is shaped by the agent's
arguments (answer.py): filters, a limit per list, a summary, a projection, the output budget.

Two in-process caches keep the hot path off the store and off the encoder:

- the decoded data of the tool's keys, reused while the store's data version is unchanged and it is
  younger than ``result_cache_ms``, so a filtered call decodes nothing when another call just read;
- rendered results, dropped when the data version changes or a key turns stale: the default call's
  in the tool itself, every other in the shared LRU (result_cache.py) keyed by the normalised
  arguments; so the default call, and any call an agent repeats, costs no store round trip at all
  after authentication.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import InternalError, StoreUnavailableError
from ..store.values import cached_data
from .answer import render
from .arguments import DEFAULT_QUERY, Query, ToolArguments
from .cache_table import CACHE_TOOLS, CacheToolSpec
from .filters import ArgumentError
from .freshness import Freshness, fetched_at_ms, label_for_key, last_failure, overall, own_meta_key
from .output_schema import output_schema
from .registry import Tool, ToolContext, ToolRegistry, tool_error, tool_result
from .result_cache import Rendered, ResultCache

CACHE_TOOL_ANNOTATIONS = {
    "readOnlyHint": True,
    "destructiveHint": False,
    "idempotentHint": True,
    "openWorldHint": False,
}
"""Cache tools only read our own cache: no side effects, same answer for the same data, and no
reaching out to the open world (the seeders do that, out of band)."""


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """The decoded values of a tool's keys and what is known of their freshness."""

    values: dict[str, Any]
    freshness: dict[str, Freshness]
    present: frozenset[str]
    tool_freshness: Freshness
    data_version: int
    valid_until_ms: int


class CacheTool:
    """One cache tool: its spec, its arguments and its snapshot of the store."""

    def __init__(self, spec: CacheToolSpec, *, result_cache_ms: int, results: ResultCache) -> None:
        self.spec = spec
        self._labels = tuple(label_for_key(k) for k in spec.keys)
        if len(set(self._labels)) != len(self._labels):
            raise ValueError(f"{spec.name}: two keys share a label: {self._labels}")
        self._own_meta = [own_meta_key(k) for k in spec.keys]
        self._max_stale_ms = spec.max_stale_min * 60_000
        self._result_cache_ms = result_cache_ms
        self._results = results
        self._arguments = ToolArguments(spec.name, spec.filters, self._labels)
        self._narrow_with = tuple(f.name for f in spec.filters)
        self._snapshot: _Snapshot | None = None
        self._default: Rendered | None = None

    def as_tool(self) -> Tool:
        return Tool(
            self.spec.name,
            self.spec.description,
            self,
            self._arguments.schema(),
            title=self.spec.title or None,
            output_schema=output_schema(self.spec.keys, self._labels),
            annotations={"title": self.spec.title or self.spec.name, **CACHE_TOOL_ANNOTATIONS},
        )

    async def __call__(self, ctx: ToolContext, arguments: dict[str, Any]) -> bytes:
        if not arguments:
            # The hot path: the default call, kept beside the LRU so that filtered calls never evict it
            # and it costs no more than one attribute read and two comparisons.
            default = self._default
            if (
                default is not None
                and default.data_version == ctx.data_version
                and ctx.now_ms < default.valid_until_ms
            ):
                return default.result
            query = DEFAULT_QUERY
        else:
            try:
                query = self._arguments.parse(arguments)
            except ArgumentError as exc:
                return tool_error(str(exc))
            key = (self.spec.name, query.cache_key)
            cached = self._results.get(key, data_version=ctx.data_version, now_ms=ctx.now_ms)
            if cached is not None:
                return cached
        snapshot = await self._read(ctx)
        try:
            result, valid_until_ms = self._render(snapshot, query, ctx.now_ms)
        except ArgumentError as exc:  # the projection failed on this data
            return tool_error(f"{self.spec.name}: {exc}")
        rendered = Rendered(result, ctx.data_version, valid_until_ms)
        if query is DEFAULT_QUERY or not query.cache_key:
            self._default = rendered
        else:
            self._results.put((self.spec.name, query.cache_key), rendered)
        return result

    async def _read(self, ctx: ToolContext) -> _Snapshot:
        snapshot = self._snapshot
        if (
            snapshot is not None
            and snapshot.data_version == ctx.data_version
            and ctx.now_ms < snapshot.valid_until_ms
        ):
            return snapshot
        wanted = [*self.spec.keys, *self._own_meta, self.spec.meta_key]
        try:
            raw = await ctx.store.mget(wanted)
        except StoreUnavailableError as exc:
            raise InternalError(log_reason=f"{self.spec.name}: {exc.log_reason}") from exc
        n = len(self.spec.keys)
        values, own_metas, tool_meta = raw[:n], raw[n : 2 * n], cached_data(raw[-1])
        decoded: dict[str, Any] = {}
        freshness: dict[str, Freshness] = {}
        present: set[str] = set()
        for label, value, own in zip(self._labels, values, own_metas, strict=True):
            decoded[label] = cached_data(value)
            meta = cached_data(own) if own is not None else tool_meta
            freshness[label] = Freshness(fetched_at_ms(meta), self._max_stale_ms, last_failure(meta))
            if value is not None:
                present.add(label)
        snapshot = _Snapshot(
            decoded,
            freshness,
            frozenset(present),
            Freshness(fetched_at_ms(tool_meta), self._max_stale_ms),
            ctx.data_version,
            ctx.now_ms + self._result_cache_ms,
        )
        self._snapshot = snapshot
        return snapshot

    def _render(self, snapshot: _Snapshot, query: Query, now_ms: int) -> tuple[bytes, int]:
        """The encoded result and until when it may be reused (the next staleness transition)."""
        labels = query.datasets or self._labels
        parts = [snapshot.freshness[label] for label in labels if label in snapshot.present]
        parts = parts or [snapshot.tool_freshness]
        payload = render(
            overall(parts, now_ms),
            {label: snapshot.freshness[label].to_wire(now_ms) for label in labels},
            {label: snapshot.values[label] for label in labels},
            query,
            now_ms,
            budget_bytes=self.spec.budget_bytes,
            narrow_with=self._narrow_with,
        )
        turns_stale = [
            at
            for at in (snapshot.freshness[label].stale_at_ms for label in labels)
            if at is not None and at > now_ms
        ]
        if snapshot.tool_freshness.stale_at_ms is not None and snapshot.tool_freshness.stale_at_ms > now_ms:
            turns_stale.append(snapshot.tool_freshness.stale_at_ms)
        return tool_result(payload), min([snapshot.valid_until_ms, *turns_stale])


def register_cache_tools(
    registry: ToolRegistry, *, result_cache_ms: int, results: ResultCache | None = None
) -> None:
    shared = results if results is not None else ResultCache()
    for spec in CACHE_TOOLS:
        registry.register(CacheTool(spec, result_cache_ms=result_cache_ms, results=shared).as_tool())
