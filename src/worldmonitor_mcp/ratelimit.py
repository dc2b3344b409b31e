"""Exact sliding-window rate limiting per principal, and its HTTP headers.

The window itself is counted atomically in the store (``Store.hit_window`` / ``check_credential``),
so every instance that shares the store shares the limit: never more than ``limit`` requests are
accepted in any rolling ``window_s``. This module holds the policy and turns an outcome into the
``RateLimit-Policy`` / ``RateLimit`` fields of draft-ietf-httpapi-ratelimit-headers and ``Retry-After``
(RFC 9110 §10.2.3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import RateLimitedError
from .store import WindowResult

POLICY_NAME = "default"


@dataclass(frozen=True, slots=True)
class RateLimitPolicy:
    limit: int
    window_s: int

    @property
    def window_ms(self) -> int:
        return self.window_s * 1000

    def headers(self, outcome: WindowResult) -> dict[str, str]:
        reset_s = max(0, math.ceil(outcome.reset_ms / 1000))
        return {
            "RateLimit-Policy": f'"{POLICY_NAME}";q={self.limit};w={self.window_s}',
            "RateLimit": f'"{POLICY_NAME}";r={outcome.remaining};t={reset_s}',
        }

    def enforce(self, outcome: WindowResult) -> dict[str, str]:
        """The headers for an accepted request, or ``RateLimitedError`` for a refused one."""
        headers = self.headers(outcome)
        if not outcome.allowed:
            # Retry-After is the time until the oldest counted hit leaves the window: a slot frees then.
            raise RateLimitedError(max(1, math.ceil(outcome.reset_ms / 1000)), headers)
        return headers
