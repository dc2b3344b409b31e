"""Fetch one feed's upstream body over HTTP, politely and within limits.

- One shared ``httpx.AsyncClient``, injected (``make_client`` builds the production one): every request
  names us in ``User-Agent`` (NWS and others refuse anonymous clients) and runs under a timeout, both per
  read and for the whole attempt, so an upstream that trickles bytes cannot hold a run.
- Retries with exponential backoff and jitter on 408/425/429/5xx, timeouts and connection failures. A
  ``Retry-After`` (RFC 9110 §10.2.3: ``delay-seconds`` or an ``HTTP-date``) is honoured; one too long to
  wait out inside a run ends it as ``UpstreamRateLimitedError`` carrying the delay, for the scheduler.
- Conditional GET: the validators of the stored data go out as ``If-None-Match`` (RFC 9110 §13.1.2) and
  ``If-Modified-Since`` (§13.1.3); ``304 Not Modified`` comes back as a ``FetchResult`` without a body.
- A size cap per feed (``Feed.max_bytes``): a larger ``Content-Length`` is refused before reading, and the
  body is streamed and abandoned as soon as it passes the cap (after decompression, so a gzip bomb stops
  there too).

A feed's API key never appears in a log line, an error message or a URL we print: it travels in
``UpstreamRequest.params`` or ``headers``, messages name ``UpstreamRequest.url`` only, anything quoted from
httpx is scrubbed of the key, httpx's own request log line loses its query string, and a keyed request
does not follow redirects (custom headers would follow to another host).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import anyio
import httpx

from .. import __version__
from ..clock import wall_clock_ms
from .base import Feed, SeedError, UpstreamRequest

logger = logging.getLogger("worldmonitor.seeders")

PROJECT_URL = "https://pypi.org/project/worldmonitor-mcp/"
"""Where an upstream operator reads who we are; ``WORLDMONITOR_FEED_CONTACT`` can name a person instead."""

RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
"""Statuses worth asking again: timeouts, rate limits and server-side trouble. Any other error status is
a request the upstream will refuse the same way next time."""

BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 30.0
"""Retry n waits between half and all of min(30 s, 1 s * 2**n): long enough for a restarting upstream,
short enough that a run with three retries stays within a minute."""

MAX_RETRY_AFTER_S = 120.0
"""A longer ``Retry-After`` is not waited out inside a run: the run fails as rate-limited and the
scheduler comes back after the delay, without holding the feed's lock meanwhile."""

Sleep = Callable[[float], Awaitable[None]]


class _RedactQueryFilter(logging.Filter):
    """httpx logs every request at INFO with its full URL, query string included, where a feed key such
    as FRED's ``api_key`` travels. Whatever logging an operator configures, that line shows the URL
    without its query."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                arg.copy_with(query=b"redacted") if isinstance(arg, httpx.URL) and arg.query else arg
                for arg in record.args
            )
        return True


_HTTPX_LOG = logging.getLogger("httpx")
if not any(isinstance(existing, _RedactQueryFilter) for existing in _HTTPX_LOG.filters):
    _HTTPX_LOG.addFilter(_RedactQueryFilter())


def user_agent(contact: str | None = None) -> str:
    """``worldmonitor-mcp/<version> (+<project url or the operator's contact>)``."""
    return f"worldmonitor-mcp/{__version__} (+{contact or PROJECT_URL})"


def make_client(*, timeout_s: float, contact: str | None = None) -> httpx.AsyncClient:
    """The production client: our User-Agent, the timeout, redirects followed (for key-less requests)."""
    return httpx.AsyncClient(
        headers={"User-Agent": user_agent(contact)},
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=True,
    )


# -- errors -------------------------------------------------------------------------------------------


class FetchError(SeedError):
    """The upstream did not deliver a body. ``retry_after_s`` is set when it said when to come back."""

    kind = "fetch"

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class UpstreamStatusError(FetchError):
    """An HTTP error status (after the retries, for a retryable one)."""

    kind = "http-status"

    def __init__(self, message: str, *, status: int, retry_after_s: float | None = None) -> None:
        super().__init__(message, retry_after_s=retry_after_s)
        self.status = status


class UpstreamRateLimitedError(UpstreamStatusError):
    """429, or a ``Retry-After`` longer than ``MAX_RETRY_AFTER_S``."""

    kind = "rate-limited"


class UpstreamTimeoutError(FetchError):
    kind = "timeout"


class UpstreamUnreachableError(FetchError):
    """DNS, connection, TLS or protocol failure before a complete answer."""

    kind = "unreachable"


class FeedTooLargeError(FetchError):
    """The body passed ``Feed.max_bytes``; the download was abandoned."""

    kind = "too-large"


# -- results ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Validators:
    """The upstream's validators for the body we hold: sent back on the next fetch."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True, slots=True)
class FetchResult:
    body: bytes | None
    """None when the upstream answered 304 Not Modified: the stored data is still current."""
    validators: Validators
    """The validators to store with this body (for a 304, the ones that are still valid)."""
    attempts: int

    @property
    def not_modified(self) -> bool:
        return self.body is None


# -- Retry-After --------------------------------------------------------------------------------------


def parse_retry_after(value: str | None, *, now_ms: int) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delay-seconds or HTTP-date); None if absent or invalid.

    A date in the past means "now" (0); an unparseable value is ignored rather than trusted.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # RFC 9110 §5.6.7: HTTP-dates are always GMT
        return None
    return max(0.0, moment.timestamp() - now_ms / 1000)


# -- the fetcher --------------------------------------------------------------------------------------


class _Retry(Exception):
    """One attempt failed in a way worth retrying; ``error`` is what to raise if none is left."""

    def __init__(self, error: FetchError, retry_after_s: float | None = None) -> None:
        self.error = error
        self.retry_after_s = retry_after_s


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


class Fetcher:
    """Fetches feeds through one shared client. ``sleep``, ``clock_ms`` and ``rng`` are injectable so tests
    run retries and backoff without waiting."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        retries: int = 3,
        timeout_s: float = 30.0,
        sleep: Sleep = anyio.sleep,
        clock_ms: Callable[[], int] = wall_clock_ms,
        rng: random.Random | None = None,
    ) -> None:
        if retries < 0 or timeout_s <= 0:
            raise ValueError("retries must be 0 or more and timeout_s positive")
        self._client = client
        self._retries = retries
        self._timeout_s = timeout_s
        self._sleep = sleep
        self._clock_ms = clock_ms
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not security)

    def backoff_s(self, retry: int) -> float:
        """The jittered wait before retry number ``retry`` (0-based)."""
        ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2.0**retry)
        return ceiling / 2 + self._rng.uniform(0.0, ceiling / 2)

    async def fetch(
        self, feed: Feed, *, key: str | None = None, validators: Validators | None = None
    ) -> FetchResult:
        """GET the feed's upstream, with retries; raise a ``FetchError`` when it does not deliver."""
        request = feed.request(key)
        conditional = validators.headers() if validators else {}
        attempts = self._retries + 1
        for attempt in range(1, attempts + 1):
            try:
                result = await self._attempt(feed, request, key, conditional, validators)
            except _Retry as retry:
                if attempt == attempts:
                    raise retry.error from None
                if retry.retry_after_s is not None and retry.retry_after_s > MAX_RETRY_AFTER_S:
                    raise retry.error from None
                delay = (
                    retry.retry_after_s if retry.retry_after_s is not None else self.backoff_s(attempt - 1)
                )
                # The error names the feed and its URL, already scrubbed of any key.
                logger.info("%s; retry %d of %d in %.1f s", retry.error, attempt, self._retries, delay)
                await self._sleep(delay)
                continue
            return FetchResult(result[0], result[1], attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(
        self,
        feed: Feed,
        request: UpstreamRequest,
        key: str | None,
        conditional: dict[str, str],
        validators: Validators | None,
    ) -> tuple[bytes | None, Validators]:
        where = f"{feed.name}: {request.url}"
        try:
            with anyio.fail_after(self._timeout_s):
                async with self._client.stream(
                    "GET",
                    request.url,
                    params=dict(request.params),
                    headers={**request.headers, **conditional},
                    timeout=httpx.Timeout(self._timeout_s),
                    follow_redirects=key is None,
                ) as response:
                    return await self._read(feed, where, response, conditional, validators)
        except TimeoutError as exc:  # the whole attempt (anyio.fail_after)
            raise _Retry(
                UpstreamTimeoutError(f"{where} gave no complete answer within {self._timeout_s:g} s")
            ) from exc
        except httpx.TimeoutException as exc:
            raise _Retry(
                UpstreamTimeoutError(f"{where} timed out ({type(exc).__name__}) after {self._timeout_s:g} s")
            ) from exc
        except httpx.HTTPError as exc:
            detail = _scrub(str(exc), key) or "no detail"
            raise _Retry(
                UpstreamUnreachableError(f"{where} failed: {type(exc).__name__}: {detail}")
            ) from None
        except httpx.InvalidURL:
            raise FetchError(f"{where} is not a valid URL") from None

    async def _read(
        self,
        feed: Feed,
        where: str,
        response: httpx.Response,
        conditional: dict[str, str],
        validators: Validators | None,
    ) -> tuple[bytes | None, Validators]:
        status = response.status_code
        if status == httpx.codes.NOT_MODIFIED and conditional:
            return None, _validators(response, fallback=validators)
        if not 200 <= status < 300:
            raise self._status_error(where, response)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > feed.max_bytes:
            raise FeedTooLargeError(
                f"{where} announced {int(declared)} bytes, over this feed's cap of {feed.max_bytes}"
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > feed.max_bytes:
                raise FeedTooLargeError(
                    f"{where} sent more than this feed's cap of {feed.max_bytes} bytes; download abandoned"
                )
            chunks.append(chunk)
        return b"".join(chunks), _validators(response, fallback=None)

    def _status_error(self, where: str, response: httpx.Response) -> Exception:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now_ms=self._clock_ms())
        phrase = f"{status} {response.reason_phrase}".strip()
        if status == httpx.codes.TOO_MANY_REQUESTS:
            error: UpstreamStatusError = UpstreamRateLimitedError(
                f"{where} answered HTTP {phrase}"
                + (f" (Retry-After {retry_after:g} s)" if retry_after is not None else ""),
                status=status,
                retry_after_s=retry_after,
            )
        elif status == httpx.codes.NOT_MODIFIED:
            error = UpstreamStatusError(f"{where} answered 304 to an unconditional request", status=status)
        elif 300 <= status < 400:
            error = UpstreamStatusError(
                f"{where} answered a redirect (HTTP {phrase}), not followed for a feed with a key",
                status=status,
            )
        else:
            error = UpstreamStatusError(
                f"{where} answered HTTP {phrase}", status=status, retry_after_s=retry_after
            )
        if status in RETRYABLE_STATUSES:
            return _Retry(error, retry_after)
        return error


def _validators(response: httpx.Response, *, fallback: Validators | None) -> Validators:
    etag = response.headers.get("ETag")
    last_modified = response.headers.get("Last-Modified")
    if fallback is not None:
        etag = etag or fallback.etag
        last_modified = last_modified or fallback.last_modified
    return Validators(etag, last_modified)
