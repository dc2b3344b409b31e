"""SQLite's sliding window keeps its count in window_counts; a window written before that table
existed (an older data directory) is counted once and then maintained."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


async def test_window_from_an_older_database_is_counted(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    store = SqliteStore(path)
    raw = sqlite3.connect(path, isolation_level=None)
    raw.executemany(
        "INSERT INTO window_hits (key, at_ms, hit_id) VALUES ('w', ?, ?)",
        [(1_000 + i, f"h{i}") for i in range(3)],
    )
    raw.close()
    refused = await store.hit_window("w", 3, 60_000, 2_000)
    assert not refused.allowed
    assert refused.reset_ms == 59_000
    allowed = await store.hit_window("w", 3, 60_000, 61_002)  # the three old hits have left the window
    assert allowed.allowed
    assert allowed.remaining == 2
    await store.aclose()


async def test_count_survives_many_hits_and_expiry(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    for i in range(500):
        assert (await store.hit_window("w", 1_000, 1_000, i)).allowed
    # at t=1200 the hits at 0..200 have left (at_ms <= now - window): 299 remain, then this one
    result = await store.hit_window("w", 1_000, 1_000, 1_200)
    assert result.remaining == 1_000 - 300
    await store.aclose()
