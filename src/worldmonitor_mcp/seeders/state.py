"""A feed's run bookkeeping in the store, and the per-feed status the ``feeds`` command prints.

``wm:feed:<name>`` (``keys.feed_state``) is written in the same ``set_many`` as the feed's data and
seed-meta, with the same TTL, so the HTTP validators it holds always describe the stored body::

    {"lastRunAt": 1764000000000, "lastSuccessAt": 1764000000000, "consecutiveFailures": 0,
     "lastFailure": {"at": 1763990000000, "kind": "timeout", "message": "usgs-earthquakes: ..."},
     "nextRunAt": 1764000300000, "etag": "\\"5f9f...\\"", "lastModified": "Mon, 02 Nov 2020 00:59:03 GMT",
     "validatorsFor": "https://earthquake.usgs.gov/..."}

``nextRunAt`` is shared by every instance: one that takes a feed's lock and finds the next run still in
the future leaves the feed alone, so many instances together run each feed once per cadence.
``lastFailure`` stays after a recovery (history for the operator); ``consecutiveFailures`` says whether
the feed is failing now. The seed-meta carries ``lastFailure`` only while the latest run failed.

Reading is tolerant: a state in an unknown shape reads as "never run", never as an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import orjson
from pydantic import SecretStr

from ..store import keys
from ..store.base import Store
from ..store.values import json_object
from .base import Feed
from .fetch import Validators


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a run failed: ``{at, kind, message}`` in seed-meta and feed state."""

    at_ms: int
    kind: str
    message: str

    def to_json(self) -> dict[str, object]:
        return {"at": self.at_ms, "kind": self.kind, "message": self.message}

    @classmethod
    def from_json(cls, value: Any) -> Failure | None:
        if not isinstance(value, dict):
            return None
        at, kind, message = _int(value.get("at")), _str(value.get("kind")), _str(value.get("message"))
        if at is None or kind is None:
            return None
        return cls(at, kind, message or "")


@dataclass(frozen=True, slots=True)
class FeedState:
    last_run_at_ms: int | None = None
    last_success_at_ms: int | None = None
    consecutive_failures: int = 0
    last_failure: Failure | None = None
    next_run_at_ms: int | None = None
    validators: Validators = field(default_factory=Validators)
    validators_for: str | None = None
    """The request URL the validators belong to: a feed whose URL changed must not send them."""

    def succeeded(self, now_ms: int, validators: Validators, url: str) -> FeedState:
        return replace(
            self,
            last_run_at_ms=now_ms,
            last_success_at_ms=now_ms,
            consecutive_failures=0,
            validators=validators,
            validators_for=url if validators else None,
        )

    def failed(self, failure: Failure) -> FeedState:
        return replace(
            self,
            last_run_at_ms=failure.at_ms,
            consecutive_failures=self.consecutive_failures + 1,
            last_failure=failure,
        )

    def validators_for_url(self, url: str) -> Validators | None:
        return self.validators if self.validators and self.validators_for == url else None

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "lastRunAt": self.last_run_at_ms,
                "lastSuccessAt": self.last_success_at_ms,
                "consecutiveFailures": self.consecutive_failures,
                "lastFailure": None if self.last_failure is None else self.last_failure.to_json(),
                "nextRunAt": self.next_run_at_ms,
                "etag": self.validators.etag,
                "lastModified": self.validators.last_modified,
                "validatorsFor": self.validators_for,
            }
        )

    @classmethod
    def from_json(cls, raw: bytes | None) -> FeedState:
        value = json_object(raw)
        if value is None:
            return cls()
        return cls(
            last_run_at_ms=_int(value.get("lastRunAt")),
            last_success_at_ms=_int(value.get("lastSuccessAt")),
            consecutive_failures=max(0, _int(value.get("consecutiveFailures")) or 0),
            last_failure=Failure.from_json(value.get("lastFailure")),
            next_run_at_ms=_int(value.get("nextRunAt")),
            validators=Validators(_str(value.get("etag")), _str(value.get("lastModified"))),
            validators_for=_str(value.get("validatorsFor")),
        )


# -- what `feeds` shows ---------------------------------------------------------------------------


def key_env_name(key_name: str) -> str:
    """``FRED`` -> ``WORLDMONITOR_FEED_FRED_KEY``."""
    return f"WORLDMONITOR_FEED_{key_name}_KEY"


def missing_key(feed: Feed, feed_keys: Mapping[str, SecretStr]) -> str | None:
    """The environment variable a keyed feed still needs, or None when it can run."""
    if feed.needs_key is None or feed_keys.get(feed.needs_key) is not None:
        return None
    return key_env_name(feed.needs_key)


@dataclass(frozen=True, slots=True)
class FeedStatus:
    feed: Feed
    state: FeedState
    record_count: int | None
    fetched_at_ms: int | None
    missing_key: str | None
    """The variable to set when the feed is disabled for want of its key."""

    @property
    def disabled(self) -> bool:
        return self.missing_key is not None

    @property
    def failing(self) -> bool:
        return self.state.consecutive_failures > 0


async def feed_statuses(
    store: Store, feeds: Iterable[Feed], feed_keys: Mapping[str, SecretStr]
) -> list[FeedStatus]:
    """Every feed's status, read in one round trip."""
    chosen = list(feeds)
    wanted = [k for feed in chosen for k in (keys.feed_state(feed.name), feed.seed_meta_key)]
    raw = await store.mget(wanted)
    statuses = []
    for index, feed in enumerate(chosen):
        meta = json_object(raw[2 * index + 1]) or {}
        statuses.append(
            FeedStatus(
                feed=feed,
                state=FeedState.from_json(raw[2 * index]),
                record_count=_int(meta.get("recordCount")),
                fetched_at_ms=_int(meta.get("fetchedAt")),
                missing_key=missing_key(feed, feed_keys),
            )
        )
    return statuses
