"""Fetcher (seeders/fetch.py) against a real local HTTP server serving the genuine samples.

Backoff and Retry-After waits go through an injected sleep that only records, so no test waits for them;
timeouts are real but short (a fraction of a second).
"""

from __future__ import annotations

import dataclasses
import random
import ssl
from collections.abc import AsyncIterator
from importlib import resources

import httpx
import pytest
from upstream_server import ConditionalFile, Reply, Upstream, upstream

from worldmonitor_mcp import __version__
from worldmonitor_mcp.seeders.base import Feed, UpstreamRequest
from worldmonitor_mcp.seeders.fetch import (
    MAX_RETRY_AFTER_S,
    PROJECT_URL,
    FeedTooLargeError,
    Fetcher,
    UpstreamRateLimitedError,
    UpstreamStatusError,
    UpstreamTimeoutError,
    UpstreamUnreachableError,
    Validators,
    make_client,
    parse_retry_after,
    user_agent,
)
from worldmonitor_mcp.seeders.usgs import FEED as USGS

__all__ = ["upstream"]  # the fixture, imported for pytest

pytestmark = pytest.mark.anyio

NOW_MS = 1_764_000_000_000  # 2025-11-24T16:00:00Z
SAMPLE = (
    resources.files("worldmonitor_mcp.snapshot").joinpath("usgs_earthquakes_4.5_week.geojson").read_bytes()
)
SECRET = "s3cret-feed-key"


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


TLS = ssl.create_default_context()
"""Built once: loading the CA bundle costs ~0.2 s per client, and these tests speak plain HTTP."""


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """What ``make_client`` builds, with the shared TLS context."""
    async with httpx.AsyncClient(
        headers={"User-Agent": user_agent()}, follow_redirects=True, verify=TLS
    ) as test_client:
        yield test_client


def fetcher(client: httpx.AsyncClient, sleeps: Sleeps, **overrides: object) -> Fetcher:
    options: dict[str, object] = {"retries": 3, "timeout_s": 2.0, "sleep": sleeps, "clock_ms": lambda: NOW_MS}
    options.update(overrides)
    return Fetcher(client, rng=random.Random(1), **options)  # type: ignore[arg-type]


def feed_at(url: str, **changes: object) -> Feed:
    return dataclasses.replace(USGS, upstream_url=url, **changes)  # type: ignore[arg-type]


# -- the happy path, validators and conditional GET ----------------------------------------------------


async def test_fetches_the_body_with_its_validators_and_our_user_agent(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    url = upstream.file("/quakes.geojson", ConditionalFile(SAMPLE))
    result = await fetcher(client, sleeps).fetch(feed_at(url))
    assert result.body == SAMPLE
    assert result.validators == Validators('"v1"', "Mon, 02 Nov 2020 00:59:03 GMT")
    assert result.attempts == 1
    assert not result.not_modified
    [seen] = upstream.hits("/quakes.geojson")
    assert seen.headers["user-agent"] == f"worldmonitor-mcp/{__version__} (+{PROJECT_URL})"
    assert "if-none-match" not in seen.headers


async def test_make_client_names_us_and_the_operators_contact() -> None:
    async with make_client(timeout_s=5.0, contact="ops@example.org") as production_client:
        assert production_client.headers["User-Agent"] == f"worldmonitor-mcp/{__version__} (+ops@example.org)"
        assert production_client.timeout == httpx.Timeout(5.0)
        assert production_client.follow_redirects


async def test_matching_etag_is_a_304_without_a_body(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    """RFC 9110 §13.1.2: If-None-Match with the stored ETag; 304 means the stored body is current."""
    url = upstream.file("/quakes.geojson", ConditionalFile(SAMPLE))
    first = await fetcher(client, sleeps).fetch(feed_at(url))
    second = await fetcher(client, sleeps).fetch(feed_at(url), validators=first.validators)
    assert second.not_modified
    assert second.body is None
    assert second.validators == first.validators
    sent = upstream.hits("/quakes.geojson")[1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Mon, 02 Nov 2020 00:59:03 GMT"


async def test_last_modified_alone_also_gives_a_304(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    """RFC 9110 §13.1.3: If-Modified-Since when the upstream sends no ETag."""
    url = upstream.file("/rates.xml", ConditionalFile(SAMPLE, etag=None))
    first = await fetcher(client, sleeps).fetch(feed_at(url))
    assert first.validators == Validators(None, "Mon, 02 Nov 2020 00:59:03 GMT")
    assert (await fetcher(client, sleeps).fetch(feed_at(url), validators=first.validators)).not_modified


async def test_a_changed_file_is_fetched_again(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    url = upstream.file("/quakes.geojson", ConditionalFile(SAMPLE, etag='"v2"'))
    result = await fetcher(client, sleeps).fetch(feed_at(url), validators=Validators('"v1"', None))
    assert result.body == SAMPLE
    assert result.validators.etag == '"v2"'


async def test_a_304_to_an_unconditional_request_is_an_error(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    url = upstream.script("/odd", Reply(304))
    with pytest.raises(UpstreamStatusError, match="304 to an unconditional request"):
        await fetcher(client, sleeps).fetch(feed_at(url))


# -- retries, backoff and Retry-After ------------------------------------------------------------------


async def test_429_waits_the_retry_after_seconds_then_succeeds(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    url = upstream.script("/limited", Reply(429, headers={"Retry-After": "7"}), Reply(200, SAMPLE))
    result = await fetcher(client, sleeps).fetch(feed_at(url))
    assert result.body == SAMPLE
    assert result.attempts == 2
    assert sleeps.calls == [7.0]


async def test_retry_after_as_an_http_date_counts_from_the_clock(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    """RFC 9110 §10.2.3: Retry-After = HTTP-date / delay-seconds."""
    retry_at = "Mon, 24 Nov 2025 16:00:30 GMT"  # NOW_MS + 30 s
    url = upstream.script("/busy", Reply(503, headers={"Retry-After": retry_at}), Reply(200, SAMPLE))
    await fetcher(client, sleeps).fetch(feed_at(url))
    assert sleeps.calls == [30.0]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Mon, 24 Nov 2025 16:01:00 GMT", 60.0),
        ("Mon, 24 Nov 2025 15:00:00 GMT", 0.0),  # in the past: now
        ("Monday, 24-Nov-25 16:00:10 GMT", 10.0),  # RFC 850, obsolete but allowed
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now_ms=NOW_MS) == seconds


async def test_5xx_backs_off_exponentially_with_jitter_then_gives_up(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    url = upstream.script("/down", Reply(500, b"oops"))
    with pytest.raises(UpstreamStatusError, match=r"/down answered HTTP 500 Internal Server Error") as caught:
        await fetcher(client, sleeps).fetch(feed_at(url))
    assert caught.value.status == 500
    assert caught.value.kind == "http-status"
    assert len(upstream.hits("/down")) == 4  # one try and three retries
    assert len(sleeps.calls) == 3
    for retry, waited in enumerate(sleeps.calls):  # between half and all of 1 s * 2**retry
        assert 2**retry / 2 <= waited <= 2**retry


async def test_a_client_error_is_not_retried(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    url = upstream.script("/gone", Reply(404, b"not here"))
    with pytest.raises(UpstreamStatusError, match="HTTP 404") as caught:
        await fetcher(client, sleeps).fetch(feed_at(url))
    assert caught.value.status == 404
    assert len(upstream.hits("/gone")) == 1
    assert sleeps.calls == []


async def test_a_retry_after_too_long_to_wait_ends_the_run_with_the_delay(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    """The run does not sleep for an hour holding the feed's lock: the scheduler waits instead."""
    url = upstream.script("/limited", Reply(429, headers={"Retry-After": "3600"}))
    with pytest.raises(UpstreamRateLimitedError) as caught:
        await fetcher(client, sleeps).fetch(feed_at(url))
    assert caught.value.retry_after_s == 3600.0 > MAX_RETRY_AFTER_S
    assert caught.value.kind == "rate-limited"
    assert len(upstream.hits("/limited")) == 1
    assert sleeps.calls == []


async def test_429_on_every_attempt_is_rate_limited(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    url = upstream.script("/limited", Reply(429, headers={"Retry-After": "2"}))
    with pytest.raises(UpstreamRateLimitedError, match=r"429 Too Many Requests \(Retry-After 2 s\)"):
        await fetcher(client, sleeps, retries=1).fetch(feed_at(url))
    assert sleeps.calls == [2.0]


# -- timeouts and unreachable upstreams ---------------------------------------------------------------


async def test_slow_upstream_times_out_and_is_retried(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    url = upstream.script("/slow", Reply(200, SAMPLE, delay_s=5.0), Reply(200, SAMPLE))
    result = await fetcher(client, sleeps, timeout_s=0.2).fetch(feed_at(url))
    assert result.body == SAMPLE
    assert result.attempts == 2


async def test_trickling_upstream_hits_the_whole_attempt_deadline(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    """Each chunk arrives within the read timeout, but the attempt as a whole is bounded too."""
    url = upstream.script("/trickle", Reply(200, SAMPLE, chunks=20, chunk_gap_s=0.05))
    with pytest.raises(UpstreamTimeoutError, match=r"no complete answer within 0\.3 s") as caught:
        await fetcher(client, sleeps, timeout_s=0.3, retries=0).fetch(feed_at(url))
    assert caught.value.kind == "timeout"


async def test_connection_refused_is_unreachable(client: httpx.AsyncClient, sleeps: Sleeps) -> None:
    with pytest.raises(UpstreamUnreachableError, match="ConnectError") as caught:
        await fetcher(client, sleeps, retries=1).fetch(feed_at("http://127.0.0.1:9/feed"))
    assert caught.value.kind == "unreachable"
    assert len(sleeps.calls) == 1


# -- the size cap ----------------------------------------------------------------------------------------


async def test_declared_oversize_body_is_refused_before_reading(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    url = upstream.script("/big", Reply(200, SAMPLE))
    with pytest.raises(
        FeedTooLargeError, match=f"announced {len(SAMPLE)} bytes, over this feed's cap of 1000"
    ):
        await fetcher(client, sleeps).fetch(feed_at(url, max_bytes=1000))
    assert len(upstream.hits("/big")) == 1  # not retried


async def test_undeclared_oversize_body_is_abandoned_at_the_cap(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    url = upstream.script("/big", Reply(200, SAMPLE, send_length=False, chunks=10))
    with pytest.raises(FeedTooLargeError, match="more than this feed's cap of 1000 bytes") as caught:
        await fetcher(client, sleeps).fetch(feed_at(url, max_bytes=1000))
    assert caught.value.kind == "too-large"


async def test_gzip_bomb_is_capped_after_decompression(client: httpx.AsyncClient, sleeps: Sleeps) -> None:
    import gzip

    bomb = gzip.compress(b"0" * 1_000_000)
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, content=bomb, headers={"Content-Encoding": "gzip"})
    )
    async with httpx.AsyncClient(transport=transport) as mock_client:
        with pytest.raises(FeedTooLargeError):
            await fetcher(mock_client, sleeps).fetch(feed_at("https://upstream.test/feed", max_bytes=100_000))


async def test_body_exactly_at_the_cap_is_accepted(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    url = upstream.script("/exact", Reply(200, SAMPLE, send_length=False))
    result = await fetcher(client, sleeps).fetch(feed_at(url, max_bytes=len(SAMPLE)))
    assert result.body == SAMPLE


# -- keys never leak -----------------------------------------------------------------------------------


def keyed_feed(url: str) -> Feed:
    def build(key: str | None) -> UpstreamRequest:
        return UpstreamRequest(url, params={"api_key": key or ""}, headers={"X-Key": key or ""})

    return feed_at(url, needs_key="FRED", build_request=build)


async def test_a_feed_key_travels_in_params_and_headers_but_never_in_messages(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    url = upstream.script("/keyed", Reply(500))
    with pytest.raises(UpstreamStatusError) as caught:
        await fetcher(client, sleeps, retries=0).fetch(keyed_feed(url), key=SECRET)
    [seen] = upstream.hits("/keyed")
    assert seen.query == f"api_key={SECRET}"
    assert seen.headers["x-key"] == SECRET
    assert SECRET not in str(caught.value)
    assert caught.value.__cause__ is None


async def test_transport_errors_are_scrubbed_of_the_key(sleeps: Sleeps) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}")

    async with httpx.AsyncClient(transport=httpx.MockTransport(fail)) as mock_client:
        with pytest.raises(UpstreamUnreachableError) as caught:
            await fetcher(mock_client, sleeps, retries=0).fetch(
                keyed_feed("https://fred.test/obs"), key=SECRET
            )
    assert "fred.test" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert "***" in str(caught.value)


async def test_a_keyed_request_does_not_follow_redirects(
    upstream: Upstream, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    """Custom headers would follow a redirect to another host, key included."""
    upstream.script("/elsewhere", Reply(200, SAMPLE))
    url = upstream.script("/keyed", Reply(302, headers={"Location": upstream.url("/elsewhere")}))
    with pytest.raises(UpstreamStatusError, match="redirect"):
        await fetcher(client, sleeps, retries=0).fetch(keyed_feed(url), key=SECRET)
    assert upstream.hits("/elsewhere") == []
    # A key-less feed follows the same redirect.
    assert (await fetcher(client, sleeps).fetch(feed_at(url))).body == SAMPLE
