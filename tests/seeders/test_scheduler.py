"""The scheduler (seeders/scheduler.py) end to end: a real local upstream serving the genuine samples, a
real store, an injected clock and sleep.

- the scheduler runs, the store fills, and the tool (the app in-process) answers with a fresh cached_at;
- a failing upstream leaves the last good data, a visible failure and a backoff; other feeds carry on;
- feeds that need a key are disabled until it is set;
- two schedulers on one real Redis never run the same feed at once, and run it once per cadence.
"""

from __future__ import annotations

import dataclasses
import random
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import anyio
import httpx
import orjson
import pytest
from pydantic import SecretStr
from starlette.types import ASGIApp
from upstream_server import ConditionalFile, Reply, Upstream, upstream

from support import AppFactory, FakeClock
from worldmonitor_mcp.app import create_app
from worldmonitor_mcp.seeders.base import Feed, UpstreamRequest
from worldmonitor_mcp.seeders.cisa_kev import FEED as KEV
from worldmonitor_mcp.seeders.ecb import FEED as ECB
from worldmonitor_mcp.seeders.fetch import Fetcher, user_agent
from worldmonitor_mcp.seeders.live import RunOutcome
from worldmonitor_mcp.seeders.scheduler import MAX_IDLE_S, SchedulePolicy, Scheduler
from worldmonitor_mcp.seeders.state import FeedState
from worldmonitor_mcp.seeders.usgs import FEED as USGS
from worldmonitor_mcp.settings import Settings
from worldmonitor_mcp.store import keys
from worldmonitor_mcp.store.base import Store
from worldmonitor_mcp.store.redis import RedisStore
from worldmonitor_mcp.store.sqlite import SqliteStore

__all__ = ["upstream"]

pytestmark = pytest.mark.anyio

TLS = ssl.create_default_context()
NO_JITTER = SchedulePolicy(jitter=0.0, backoff_initial_s=60.0, backoff_max_s=600.0, run_timeout_s=10.0)


def sample(name: str) -> bytes:
    return resources.files("worldmonitor_mcp.snapshot").joinpath(name).read_bytes()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(headers={"User-Agent": user_agent()}, verify=TLS) as client:
        yield client


class ClockSleep:
    """An injected sleep that moves the fake clock instead of waiting."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[float] = []
        self._stop: tuple[int, anyio.Event] | None = None

    def until(self, moment_ms: int, event: anyio.Event) -> None:
        """Set ``event`` once the clock reaches ``moment_ms``."""
        self._stop = (moment_ms, event)

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.clock.advance(seconds)
        if self._stop is not None and self.clock() >= self._stop[0]:
            self._stop[1].set()
        await anyio.lowlevel.checkpoint()


def scheduler(
    store: Store,
    http: httpx.AsyncClient,
    clock: FakeClock,
    feeds: list[Feed],
    policy: SchedulePolicy = NO_JITTER,
    **options: Any,
) -> Scheduler:
    sleep = ClockSleep(clock)
    fetcher = Fetcher(http, retries=0, timeout_s=2.0, sleep=sleep, clock_ms=clock, rng=random.Random(1))
    return Scheduler(
        store,
        fetcher,
        feeds=feeds,
        policy=policy,
        clock_ms=clock,
        sleep=sleep,
        rng=random.Random(2),
        **options,
    )


def served(upstream: Upstream) -> list[Feed]:
    """USGS, KEV and ECB, pointed at the local upstream serving their genuine samples."""
    return [
        dataclasses.replace(
            USGS,
            upstream_url=upstream.file("/usgs", ConditionalFile(sample("usgs_earthquakes_4.5_week.geojson"))),
            cadence_s=300,
        ),
        dataclasses.replace(
            KEV, upstream_url=upstream.file("/kev", ConditionalFile(sample("cisa_kev.json")))
        ),
        dataclasses.replace(
            ECB,
            upstream_url=upstream.file("/ecb", ConditionalFile(sample("ecb_eurofxref_daily.xml"), etag=None)),
        ),
    ]


async def tool(client: httpx.AsyncClient, api_key: str, name: str) -> dict[str, Any]:
    reply = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name}},
        headers={"X-WorldMonitor-Key": api_key},
    )
    return orjson.loads(reply.json()["result"]["content"][0]["text"])  # type: ignore[no-any-return]


def by_feed(outcomes: list[RunOutcome]) -> dict[str, str]:
    return {outcome.feed: outcome.status for outcome in outcomes}


async def next_run_of(runner: Scheduler, clock: FakeClock, feed: str) -> str:
    """Move the clock from one due time to the next until ``feed`` runs; what did the run do?"""
    for _ in range(1000):
        clock.advance(runner.seconds_until_due())
        outcomes = by_feed(await runner.tick())
        if feed in outcomes:
            return outcomes[feed]
    raise AssertionError(f"{feed} never ran")


# -- the store fills and the tools answer fresh -------------------------------------------------------


async def test_the_scheduler_fills_the_store_and_the_tools_answer_fresh(
    upstream: Upstream,
    http: httpx.AsyncClient,
    store: SqliteStore,
    clock: FakeClock,
    client_factory: AppFactory,
    api_key: str,
) -> None:
    runner = scheduler(store, http, clock, served(upstream))
    assert by_feed(await runner.tick()) == {
        "usgs-earthquakes": "seeded",
        "cisa-kev": "seeded",
        "ecb-fx-rates": "seeded",
    }

    client = client_factory()
    quakes = await tool(client, api_key, "get_natural_disasters")
    assert quakes["freshness"]["earthquakes"] == {"cached_at": "2025-11-24T16:00:00.000Z", "stale": False}
    assert quakes["data"]["earthquakes"]["earthquakes"][0]["id"] == "us7000c93g"
    economy = await tool(client, api_key, "get_economic_data")
    assert economy["freshness"]["ecb-fx-rates"]["cached_at"] == "2025-11-24T16:00:00.000Z"
    assert economy["data"]["ecb-fx-rates"]["rates"]["EURUSD"]["rate"] == 1.0163

    # Five minutes on, only USGS (cadence 300 s) is due; it is unchanged (304) and fresh again.
    clock.advance(300)
    assert by_feed(await runner.tick()) == {"usgs-earthquakes": "unchanged"}
    quakes = await tool(client, api_key, "get_natural_disasters")
    assert quakes["freshness"]["earthquakes"]["cached_at"] == "2025-11-24T16:05:00.000Z"
    assert [hit.headers.get("if-none-match") for hit in upstream.hits("/usgs")] == [None, '"v1"']


async def test_run_forever_keeps_each_feed_on_its_cadence(
    upstream: Upstream, http: httpx.AsyncClient, store: SqliteStore, clock: FakeClock
) -> None:
    runner = scheduler(store, http, clock, served(upstream))
    two_hours_later = clock() + 2 * 3600 * 1000
    done = anyio.Event()
    sleep: ClockSleep = runner._sleep  # type: ignore[assignment]
    sleep.until(two_hours_later, done)
    with anyio.fail_after(10):  # real seconds: a safety net only
        async with anyio.create_task_group() as group:
            group.start_soon(runner.run_forever)
            await done.wait()
            group.cancel_scope.cancel()
    usgs, kev = len(upstream.hits("/usgs")), len(upstream.hits("/kev"))
    assert 24 <= usgs <= 26  # every 5 minutes over 2 hours
    assert 2 <= kev <= 3  # hourly
    assert max(sleep.calls) <= MAX_IDLE_S


# -- failures: last good data, visible failure, backoff, isolation ---------------------------------------


async def test_a_failing_upstream_keeps_the_last_good_data_and_backs_off(
    upstream: Upstream,
    http: httpx.AsyncClient,
    store: SqliteStore,
    clock: FakeClock,
    client_factory: AppFactory,
    api_key: str,
) -> None:
    usgs = dataclasses.replace(
        USGS,
        upstream_url=upstream.script(
            "/usgs", Reply(200, sample("usgs_earthquakes_4.5_week.geojson")), Reply(500, b"upstream down")
        ),
        cadence_s=300,
    )
    kev = dataclasses.replace(
        KEV, upstream_url=upstream.file("/kev", ConditionalFile(sample("cisa_kev.json")))
    )
    runner = scheduler(store, http, clock, [usgs, kev])
    await runner.tick()
    good_at = clock()

    delays = []
    for _ in range(4):
        assert await next_run_of(runner, clock, "usgs-earthquakes") == "failed"
        state = FeedState.from_json(await store.get(keys.feed_state("usgs-earthquakes")))
        delays.append((state.next_run_at_ms or 0) - clock())
    assert delays == [60_000, 120_000, 240_000, 480_000]  # exponential, from backoff_initial_s

    quakes = await tool(client_factory(), api_key, "get_natural_disasters")
    assert quakes["data"]["earthquakes"]["earthquakes"][0]["id"] == "us7000c93g"  # the last good data
    assert quakes["freshness"]["earthquakes"]["cached_at"] == "2025-11-24T16:00:00.000Z"
    meta = orjson.loads(await store.get(usgs.seed_meta_key) or b"{}")
    assert meta["fetchedAt"] == good_at
    assert meta["lastFailure"]["kind"] == "http-status"
    assert "answered HTTP 500" in meta["lastFailure"]["message"]

    # KEV kept running on its own cadence throughout.
    assert len(upstream.hits("/kev")) >= 1
    assert FeedState.from_json(await store.get(keys.feed_state("cisa-kev"))).consecutive_failures == 0


def test_backoff_is_capped_and_honours_retry_after() -> None:
    rng = random.Random(3)
    policy = SchedulePolicy(jitter=0.0, backoff_initial_s=60.0, backoff_max_s=600.0)
    failing = FeedState(consecutive_failures=10)
    assert policy.delay_s(USGS, failing, None, rng) == 600.0
    assert policy.delay_s(USGS, failing, 3600.0, rng) == 3600.0
    assert policy.delay_s(USGS, FeedState(), None, rng) == USGS.cadence_s


def test_jitter_spreads_the_cadence() -> None:
    rng = random.Random(4)
    policy = SchedulePolicy(jitter=0.1)
    delays = {policy.delay_s(KEV, FeedState(), None, rng) for _ in range(50)}
    assert len(delays) > 40
    assert all(0.9 * KEV.cadence_s <= delay <= 1.1 * KEV.cadence_s for delay in delays)


async def test_a_broken_feed_is_a_recorded_failure_and_the_others_carry_on(
    upstream: Upstream, http: httpx.AsyncClient, store: SqliteStore, clock: FakeClock
) -> None:
    def exploding(key: str | None) -> UpstreamRequest:
        raise RuntimeError("a bug in one feed's request builder")

    broken = dataclasses.replace(USGS, build_request=exploding)
    kev = dataclasses.replace(
        KEV, upstream_url=upstream.file("/kev", ConditionalFile(sample("cisa_kev.json")))
    )
    runner = scheduler(store, http, clock, [broken, kev])
    assert by_feed(await runner.tick()) == {"usgs-earthquakes": "failed", "cisa-kev": "seeded"}
    meta = orjson.loads(await store.get(USGS.seed_meta_key) or b"{}")
    assert meta["lastFailure"]["kind"] == "internal"
    assert "RuntimeError: a bug in one feed's request builder" in meta["lastFailure"]["message"]


async def test_a_crash_outside_the_run_is_logged_and_the_others_carry_on(
    upstream: Upstream,
    http: httpx.AsyncClient,
    store: SqliteStore,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from worldmonitor_mcp.seeders import scheduler as module

    real_run_feed = module.run_feed

    async def crash_for_usgs(store: Store, fetcher: Fetcher, feed: Feed, **options: Any) -> RunOutcome:
        if feed.name == "usgs-earthquakes":
            raise ZeroDivisionError("bug")
        return await real_run_feed(store, fetcher, feed, **options)

    monkeypatch.setattr(module, "run_feed", crash_for_usgs)
    runner = scheduler(store, http, clock, served(upstream)[:2])
    assert by_feed(await runner.tick()) == {"cisa-kev": "seeded"}
    assert "usgs-earthquakes: the run failed unexpectedly" in caplog.text
    assert runner.seconds_until_due() == NO_JITTER.backoff_initial_s  # the crashed feed retries later
    assert await store.get(keys.feed_lock(USGS.name)) is None  # its lock was released


# -- keys -------------------------------------------------------------------------------------------------


def keyed(upstream: Upstream) -> Feed:
    def build(key: str | None) -> UpstreamRequest:
        return UpstreamRequest(upstream.url("/keyed"), params={"api_key": key or ""})

    upstream.file("/keyed", ConditionalFile(sample("cisa_kev.json")))
    return dataclasses.replace(KEV, needs_key="KEVPRO", build_request=build)


async def test_a_feed_without_its_key_is_disabled_and_never_fetched(
    upstream: Upstream, http: httpx.AsyncClient, store: SqliteStore, clock: FakeClock
) -> None:
    runner = scheduler(store, http, clock, [keyed(upstream)])
    assert [feed.name for feed in runner.disabled] == ["cisa-kev"]
    assert await runner.tick() == []
    assert upstream.hits("/keyed") == []
    with pytest.raises(ValueError, match="needs WORLDMONITOR_FEED_KEVPRO_KEY"):
        await runner.run(runner.disabled[0])


async def test_a_feed_with_its_key_runs_with_it(
    upstream: Upstream, http: httpx.AsyncClient, store: SqliteStore, clock: FakeClock
) -> None:
    runner = scheduler(store, http, clock, [keyed(upstream)], feed_keys={"KEVPRO": SecretStr("k-123")})
    assert by_feed(await runner.tick()) == {"cisa-kev": "seeded"}
    assert upstream.hits("/keyed")[0].query == "api_key=k-123"


# -- many instances --------------------------------------------------------------------------------------


async def test_a_feed_locked_elsewhere_is_skipped_and_looked_at_again_soon(
    upstream: Upstream, http: httpx.AsyncClient, store: SqliteStore, clock: FakeClock
) -> None:
    feeds = served(upstream)[:1]
    await store.acquire_lock(keys.feed_lock(feeds[0].name), "another-instance", 60_000)
    runner = scheduler(store, http, clock, feeds)
    assert await runner.tick() == []
    assert upstream.hits("/usgs") == []
    assert runner.seconds_until_due() == 30.0


@pytest.mark.redis
async def test_two_schedulers_on_one_redis_never_run_a_feed_at_once(
    upstream: Upstream, http: httpx.AsyncClient, redis_url: str, clock: FakeClock
) -> None:
    """Two instances, each with its own Redis connection pool, tick together for several cadences. The
    upstream answers slowly so that runs would overlap if the lock let them; it sees one request at a time
    per feed, and one run per feed per cadence in total."""
    body = sample("usgs_earthquakes_4.5_week.geojson")
    feeds = [
        dataclasses.replace(
            USGS, upstream_url=upstream.script("/usgs", Reply(200, body, delay_s=0.05)), cadence_s=300
        ),
        dataclasses.replace(
            KEV,
            upstream_url=upstream.script("/kev", Reply(200, sample("cisa_kev.json"), delay_s=0.05)),
            cadence_s=300,
        ),
    ]
    stores = [RedisStore.from_url(redis_url, timeout_s=2.0) for _ in range(2)]
    try:
        runners = [scheduler(each, http, clock, feeds) for each in stores]
        rounds = 4
        for _ in range(rounds):
            results: list[list[RunOutcome]] = []

            async def tick(runner: Scheduler) -> None:
                results.append(await runner.tick())  # noqa: B023 (awaited within the round)

            async with anyio.create_task_group() as group:
                for runner in runners:
                    group.start_soon(tick, runner)
            ran = [o.feed for outcomes in results for o in outcomes if o.status in {"seeded", "unchanged"}]
            assert sorted(ran) == ["cisa-kev", "usgs-earthquakes"]  # each feed once, by one instance
            clock.advance(300)
            for runner in runners:  # both instances look again: one finds the feed done by the other
                runner._due_ms = dict.fromkeys(runner._due_ms, 0)
    finally:
        for each in stores:
            await each.aclose()
    assert upstream.max_active == {"/usgs": 1, "/kev": 1}
    assert len(upstream.hits("/usgs")) == len(upstream.hits("/kev")) == rounds


# -- serve --seeders: the scheduler as a lifespan task of the app --------------------------------------


@asynccontextmanager
async def lifespan(app: ASGIApp) -> AsyncIterator[None]:
    """Drive the ASGI lifespan protocol by hand: startup, the body, shutdown."""
    to_app_send, to_app = anyio.create_memory_object_stream[dict[str, Any]](4)
    from_app_send, from_app = anyio.create_memory_object_stream[dict[str, Any]](4)
    async with to_app_send, to_app, from_app_send, from_app, anyio.create_task_group() as group:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
        group.start_soon(app, scope, to_app.receive, from_app_send.send)
        await to_app_send.send({"type": "lifespan.startup"})
        assert (await from_app.receive())["type"] == "lifespan.startup.complete"
        yield
        await to_app_send.send({"type": "lifespan.shutdown"})
        assert (await from_app.receive())["type"] == "lifespan.shutdown.complete"


@pytest.mark.parametrize("seeders", [True, False])
async def test_serve_seeders_runs_the_scheduler_for_the_apps_lifetime(
    upstream: Upstream,
    store: SqliteStore,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    seeders: bool,
) -> None:
    """WORLDMONITOR_SEEDERS (serve --seeders) starts the scheduler with the app and stops it with the app."""
    only_usgs = {"usgs-earthquakes": served(upstream)[0]}
    monkeypatch.setattr("worldmonitor_mcp.seeders.scheduler.FEEDS", only_usgs)
    app = create_app(Settings(data_dir=tmp_path, seeders=seeders), store=store, clock_ms=clock)
    with anyio.fail_after(10):
        async with lifespan(app):
            if seeders:
                # A real server fills the store on its own time: poll it.
                while await store.get(USGS.data_key) is None:  # noqa: ASYNC110
                    await anyio.sleep(0.01)
            else:
                await anyio.sleep(0.2)
    assert len(upstream.hits("/usgs")) == (1 if seeders else 0)
    assert await store.get(keys.feed_lock(USGS.name)) is None
