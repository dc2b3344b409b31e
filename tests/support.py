"""Test doubles that keep the real thing's behaviour: a clock the tests move by hand."""

from __future__ import annotations

from collections.abc import Callable

import httpx

START_MS = 1_764_000_000_000  # 2025-11-24T16:00:00Z, a fixed "now" for deterministic tests


class FakeClock:
    """A clock tests move by hand: time is a parameter, never a sleep."""

    def __init__(self, now_ms: int = START_MS) -> None:
        self.now_ms = now_ms

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, seconds: float) -> None:
        self.now_ms += int(seconds * 1000)


AppFactory = Callable[..., httpx.AsyncClient]
"""The ``client_factory`` fixture: settings overrides in, an in-process client of the app out."""
