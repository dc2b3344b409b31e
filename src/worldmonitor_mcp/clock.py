"""The wall clock in epoch milliseconds, what every injected ``clock_ms`` / ``now_ms`` defaults to, and
how the CLI shows a moment.

Code that needs the time takes a clock (or ``now_ms``) as a parameter so tests can move it; this is
the one real clock the app factory, the CLI, the seeders and the SQLite store's expiry fall back to.
"""

from __future__ import annotations

import time


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


def when_label(epoch_ms: int | None) -> str:
    """A moment as the CLI's tables show it (``2024-12-10 18:09:57Z``), or ``never``."""
    if epoch_ms is None:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(epoch_ms / 1000))
