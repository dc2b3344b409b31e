"""Rendered tool results kept in-process, least recently used first out, bounded in entries and bytes.

One cache serves every tool; an entry is keyed by (tool, normalised arguments) and is good while the
store's data version is the one it was rendered from and ``now`` is before ``valid_until_ms`` (the next
staleness transition, or the longest reuse). The default call of a popular tool stays in because it is
used most; odd filters age out. Bounded in bytes as well as entries because one answer may be as big
as a tool's output budget or a projection's limit.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

MAX_ENTRIES = 512
"""A few hundred: every tool's default call plus the filters agents repeat within a data version."""
MAX_BYTES = 64 * 1024 * 1024
"""What one worker may spend on rendered answers; about 250 answers at the projection limit."""

CacheKey = tuple[str, bytes]


@dataclass(frozen=True, slots=True)
class Rendered:
    result: bytes
    data_version: int
    valid_until_ms: int


class ResultCache:
    def __init__(self, *, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self._entries: OrderedDict[CacheKey, Rendered] = OrderedDict()
        self._bytes = 0
        self.max_entries = max_entries
        self.max_bytes = max_bytes

    def get(self, key: CacheKey, *, data_version: int, now_ms: int) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None or entry.data_version != data_version or now_ms >= entry.valid_until_ms:
            return None
        self._entries.move_to_end(key)
        return entry.result

    def put(self, key: CacheKey, entry: Rendered) -> None:
        size = len(entry.result)
        if size > self.max_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.result)
        self._entries[key] = entry
        self._bytes += size
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= len(evicted.result)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes
