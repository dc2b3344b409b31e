"""Everything the analysis can cite, read from the store in one round trip and kept per data version.

``EvidenceReader.read`` fetches every key in adapters.SOURCES (plus the FX rates) and their seed-meta
records with one ``mget``, maps each record to an ``EvidenceItem``, and places every item that has
coordinates in a country with the Natural Earth boundaries (geometry.py). The result, an
``EvidenceIndex``, is reused while the store's data version is unchanged and for at most
``result_cache_ms``, as the cache tools reuse their decoded data, so the four analysis tools cost one
store read per data change, not one per call.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from ...errors import InternalError, StoreUnavailableError
from ...store.values import cached_data
from ..cache_table import CACHE_TOOLS
from ..filters import reshape_lists
from ..freshness import Freshness, fetched_at_ms, own_meta_key
from ..registry import ToolContext
from .adapters import FX_KEY, SOURCES, Record, Source
from .evidence import EvidenceItem
from .geometry import CountryGeometry, load_geometry

DEFAULT_MAX_STALE_MIN = 60
"""Budget of a key no cache tool declares (none today; a new source gets this until it is declared)."""
NESTED_LIST_FIELDS = ("articles", "items", "posts", "stories")
"""Records that group others (a GDELT topic holds ``articles``): their members are the evidence."""


def _budgets() -> dict[str, tuple[str, int]]:
    """Cache key -> (the seed-meta key of the tool that serves it, that tool's staleness budget)."""
    found: dict[str, tuple[str, int]] = {}
    for spec in CACHE_TOOLS:
        for key in spec.keys:
            found.setdefault(key, (spec.meta_key, spec.max_stale_min))
    return found


_BUDGETS = _budgets()


def _records(value: Any) -> Iterator[tuple[str, Record]]:
    """(name of the list, record) for every record in the lists of a key's value (filters.py's rule)."""
    found: list[tuple[str, list[Any]]] = []

    def collect(path: str, name: str, items: list[Any]) -> list[Any]:
        found.append((name, items))
        return items

    reshape_lists({"value": value}, collect)
    for name, items in found:
        for record in items:
            if not isinstance(record, dict):
                continue
            nested = next(
                (f for f in NESTED_LIST_FIELDS if isinstance(record.get(f), list) and "title" not in record),
                None,
            )
            if nested is None:
                yield name, record
            else:
                yield from ((nested, r) for r in record[nested] if isinstance(r, dict))


@dataclass(frozen=True, slots=True)
class EvidenceIndex:
    items: tuple[EvidenceItem, ...]
    freshness: dict[str, Freshness]
    """Per cache key read; keys absent from the store are absent here."""
    fx: Any
    """The decoded ECB rates value (``{base, rates: {EURUSD: {rate, date}}}``), or None."""
    geometry: CountryGeometry
    data_version: int
    valid_until_ms: int

    def source_of(self, item: EvidenceItem) -> Freshness | None:
        return self.freshness.get(item.key)


class EvidenceReader:
    def __init__(self, *, result_cache_ms: int) -> None:
        self._result_cache_ms = result_cache_ms
        self._index: EvidenceIndex | None = None
        keys = [s.key for s in SOURCES] + [FX_KEY]
        self._keys = keys
        self._metas = [own_meta_key(k) for k in keys]
        self._tool_metas = sorted({_BUDGETS[k][0] for k in keys if k in _BUDGETS})

    async def read(self, ctx: ToolContext) -> EvidenceIndex:
        index = self._index
        if index is not None and index.data_version == ctx.data_version and ctx.now_ms < index.valid_until_ms:
            return index
        geometry = await load_geometry()
        wanted = [*self._keys, *self._metas, *self._tool_metas]
        try:
            raw = await ctx.store.mget(wanted)
        except StoreUnavailableError as exc:
            raise InternalError(log_reason=f"analysis: {exc.log_reason}") from exc
        n = len(self._keys)
        values = [cached_data(r) for r in raw[:n]]
        own = [cached_data(r) for r in raw[n : 2 * n]]
        tool_meta = dict(zip(self._tool_metas, (cached_data(r) for r in raw[2 * n :]), strict=True))
        freshness: dict[str, Freshness] = {}
        for key, value, meta in zip(self._keys, values, own, strict=True):
            if value is None:
                continue
            meta_key, budget_min = _BUDGETS.get(key, ("", DEFAULT_MAX_STALE_MIN))
            freshness[key] = Freshness(
                fetched_at_ms(meta if meta is not None else tool_meta.get(meta_key)), budget_min * 60_000
            )
        items: list[EvidenceItem] = []
        for source, value in zip(SOURCES, values, strict=False):
            if value is not None:
                items.extend(_items(source, value, geometry))
        index = EvidenceIndex(
            tuple(items),
            freshness,
            values[-1],
            geometry,
            ctx.data_version,
            ctx.now_ms + self._result_cache_ms,
        )
        self._index = index
        return index


def _items(source: Source, value: Any, geometry: CountryGeometry) -> Iterator[EvidenceItem]:
    seen: set[str] = set()
    for list_name, record in _records(value):
        try:
            item = source.mapper(source, record, list_name)
        except (TypeError, ValueError, AttributeError, KeyError):
            item = None  # one odd record from an upstream must not hide the rest
        if item is None or item.id in seen:
            continue
        seen.add(item.id)
        if item.lat is not None and item.lon is not None:
            located = geometry.locate(item.lat, item.lon)
            if located is not None and located not in item.countries:
                item = replace(item, countries=(*item.countries, located))
        yield item
