"""The rendered-result cache: bounded, keyed by data version and arguments, and the hot path off the store."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from tool_calls import CallTool, structured

from worldmonitor_mcp.store.sqlite import SqliteStore
from worldmonitor_mcp.tools.result_cache import Rendered, ResultCache

MINUTE_MS = 60_000


def entry(size: int, version: int = 1, until: int = 10) -> Rendered:
    return Rendered(b"x" * size, version, until)


def test_least_recently_used_goes_first_past_the_entry_bound() -> None:
    cache = ResultCache(max_entries=2)
    cache.put(("t", b"a"), entry(1))
    cache.put(("t", b"b"), entry(1))
    assert cache.get(("t", b"a"), data_version=1, now_ms=0) is not None  # a is now the most recent
    cache.put(("t", b"c"), entry(1))
    assert cache.get(("t", b"b"), data_version=1, now_ms=0) is None
    assert cache.get(("t", b"a"), data_version=1, now_ms=0) is not None
    assert len(cache) == 2


def test_bytes_are_bounded_too() -> None:
    cache = ResultCache(max_entries=100, max_bytes=10)
    cache.put(("t", b"a"), entry(6))
    cache.put(("t", b"b"), entry(6))
    assert len(cache) == 1
    assert cache.size_bytes == 6
    cache.put(("t", b"huge"), entry(11))  # bigger than the whole cache: not kept, nothing evicted
    assert cache.get(("t", b"b"), data_version=1, now_ms=0) is not None


def test_replacing_an_entry_keeps_the_byte_count_right() -> None:
    cache = ResultCache()
    cache.put(("t", b"a"), entry(5))
    cache.put(("t", b"a"), entry(3))
    assert cache.size_bytes == 3


def test_an_entry_is_good_only_for_its_data_version_and_until_its_deadline() -> None:
    cache = ResultCache()
    cache.put(("t", b""), entry(1, version=7, until=100))
    assert cache.get(("t", b""), data_version=8, now_ms=0) is None
    assert cache.get(("t", b""), data_version=7, now_ms=100) is None
    assert cache.get(("t", b""), data_version=7, now_ms=99) is not None


class CountingStore:
    """Counts mget calls on a real store."""

    def __init__(self, store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = store.mget

        async def mget(keys: list[str]) -> list[bytes | None]:
            self.calls += 1
            return await real(keys)

        monkeypatch.setattr(store, "mget", mget)


@pytest.mark.anyio
async def test_default_call_is_served_in_process_after_the_first(
    call_tool: CallTool, snapshot_store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await call_tool("get_natural_disasters", {})
    counting = CountingStore(snapshot_store, monkeypatch)
    for _ in range(5):
        assert await call_tool("get_natural_disasters", {}) == first
    assert counting.calls == 0


@pytest.mark.anyio
async def test_filtered_calls_reuse_the_decoded_data_and_their_own_renders(
    call_tool: CallTool, snapshot_store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await call_tool("get_natural_disasters", {})
    counting = CountingStore(snapshot_store, monkeypatch)
    strong = structured(await call_tool("get_natural_disasters", {"min_magnitude": 6}))
    greek = structured(await call_tool("get_natural_disasters", {"country": "GR"}))
    assert strong != greek
    assert structured(await call_tool("get_natural_disasters", {"min_magnitude": 6.0})) == strong
    assert counting.calls == 0  # one read served the default call, the filters and the repeat


@pytest.mark.anyio
async def test_new_data_reaches_filtered_calls_at_once(
    call_tool: CallTool, store: SqliteStore, clock: Any
) -> None:
    def quakes(*magnitudes: float) -> bytes:
        return orjson.dumps({"earthquakes": [{"id": str(m), "magnitude": m} for m in magnitudes]})

    meta = orjson.dumps({"fetchedAt": clock(), "recordCount": 1})
    await store.set_many({"seismology:earthquakes:v1": quakes(6.5), "seed-meta:seismology:earthquakes": meta})
    ask = {"min_magnitude": 6}
    assert (
        len(structured(await call_tool("get_natural_disasters", ask))["data"]["earthquakes"]["earthquakes"])
        == 1
    )
    await store.set_many({"seismology:earthquakes:v1": quakes(6.5, 7.1, 3.0)})
    assert (
        len(structured(await call_tool("get_natural_disasters", ask))["data"]["earthquakes"]["earthquakes"])
        == 2
    )


@pytest.mark.anyio
async def test_filtered_answer_turns_stale_on_time(
    call_tool: CallTool, store: SqliteStore, clock: Any
) -> None:
    """get_natural_disasters may be 30 minutes old; a cached filtered answer must not hide the change."""
    meta = orjson.dumps({"fetchedAt": clock() - 29 * MINUTE_MS, "recordCount": 1})
    await store.set_many(
        {"seismology:earthquakes:v1": b'{"earthquakes": []}', "seed-meta:seismology:earthquakes": meta}
    )
    ask = {"summary": True}
    assert structured(await call_tool("get_natural_disasters", ask))["stale"] is False
    clock.advance(61)
    assert structured(await call_tool("get_natural_disasters", ask))["stale"] is True
