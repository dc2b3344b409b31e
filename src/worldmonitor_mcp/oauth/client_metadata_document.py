"""Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; MCP 2025-11-25
"Client ID Metadata Documents"): a ``client_id`` that is an https URL names a JSON document, served by
the client's own site, that describes the client. Fetching it is fetching a URL an anonymous party
chose, so the fetcher is built against server-side request forgery:

- https only, on a URL with a path, no userinfo, fragment or dot segments;
- the host is resolved once and every address must be public (no loopback, private, link-local,
  shared, multicast or reserved range, IPv4-mapped IPv6 included); the connection then goes to that
  resolved address (SNI and Host stay the name, so TLS still verifies it), so a DNS answer that changes
  between the check and the connection cannot point the request inward;
- no redirects, ``FETCH_TIMEOUT_S`` for the whole exchange, ``MAX_DOCUMENT_BYTES`` read at most;
- the document must be a JSON object whose ``client_id`` is exactly the URL, with registrable redirect
  URIs (oauth/redirect_uris.py) and no shared-secret authentication (a document cannot hold a secret).

Documents are cached in the store (every instance shares them) for the response's ``max-age`` bounded
to [``MIN_CACHE_S``, ``MAX_CACHE_S``]; when a refetch fails, the cached copy still serves for
``STALE_IF_ERROR_S``. Tests may reach a local TLS server only through the explicit test settings
(``allow_loopback_for_tests`` and a CA file), never by default.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
import re
import socket
import ssl
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from ..store import Store
from ..store import keys as store_keys
from .clients import MAX_CLIENT_NAME_CHARS, ClientRecord
from .errors import OAuthError
from .redirect_uris import check_registrable

logger = logging.getLogger("worldmonitor.oauth")

FETCH_TIMEOUT_S = 5.0
MAX_DOCUMENT_BYTES = 64 * 1024
"""A metadata document is a few hundred bytes; 64 KiB is generous and cheap to hold."""
MAX_URL_CHARS = 2000
MIN_CACHE_S = 60
"""Even ``no-store`` documents are kept a minute: one consent makes several lookups (page, approve,
token), and each must not refetch."""
MAX_CACHE_S = 24 * 3600
DEFAULT_CACHE_S = 3600
STALE_IF_ERROR_S = 24 * 3600
"""A client's site being down for a while must not lock its users out; a day bounds the staleness."""

Resolve = Callable[[str, int], Awaitable[list[str]]]
_MAX_AGE = re.compile(r"max-age=(\d+)")


class DocumentRefusedError(Exception):
    """Why a document was not fetched or not accepted (logged, never shown to the client verbatim)."""


async def resolve_host(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_document_url(url: str) -> tuple[str, int]:
    """(host, port) of a URL that may be fetched, or ``DocumentRefusedError``."""
    if len(url) > MAX_URL_CHARS or any(ord(c) <= 0x20 for c in url) or "\\" in url or "#" in url:
        raise DocumentRefusedError("malformed client_id URL")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or "@" in parts.netloc:
        raise DocumentRefusedError("client_id URL must be https://host/path without userinfo")
    segments = parts.path.split("/")
    if parts.path in {"", "/"} or "." in segments or ".." in segments:
        raise DocumentRefusedError("client_id URL must have a path without dot segments")
    try:
        port = parts.port or 443
    except ValueError:
        raise DocumentRefusedError("client_id URL has an invalid port") from None
    return parts.hostname, port


def cache_seconds(cache_control: str | None) -> int:
    if cache_control is None:
        return DEFAULT_CACHE_S
    directives = cache_control.lower()
    if "no-store" in directives or "no-cache" in directives:
        return MIN_CACHE_S
    match = _MAX_AGE.search(directives)
    seconds = int(match.group(1)) if match else DEFAULT_CACHE_S
    return max(MIN_CACHE_S, min(MAX_CACHE_S, seconds))


def client_from_document(url: str, document: object, patterns: Sequence[str], now_ms: int) -> ClientRecord:
    if not isinstance(document, dict):
        raise DocumentRefusedError("the document is not a JSON object")
    if document.get("client_id") != url:
        raise DocumentRefusedError("the document's client_id is not its own URL")
    uris = document.get("redirect_uris")
    if not isinstance(uris, list) or not uris or len(uris) > 10 or not all(isinstance(u, str) for u in uris):
        raise DocumentRefusedError("redirect_uris must be 1 to 10 strings")
    try:
        for uri in uris:
            check_registrable(uri, patterns)
    except OAuthError as error:
        raise DocumentRefusedError(error.message) from None
    method = document.get("token_endpoint_auth_method", "none")
    if method != "none":
        raise DocumentRefusedError("a metadata-document client must use token_endpoint_auth_method none")
    host = urlsplit(url).hostname or url
    name = document.get("client_name", host)
    if not isinstance(name, str) or not name.strip():
        name = host
    return ClientRecord(
        client_id=url,
        client_name=name.strip()[:MAX_CLIENT_NAME_CHARS],
        redirect_uris=tuple(uris),
        token_endpoint_auth_method="none",  # noqa: S106 (a method name)
        source="metadata_document",
        created_at_ms=now_ms,
        last_used_at_ms=now_ms,
    )


class ClientMetadataDocuments:
    """Resolves a metadata-document ``client_id`` into a client (a ``clients.DocumentFetcher``)."""

    def __init__(
        self,
        store: Store,
        *,
        redirect_uri_patterns: Sequence[str],
        resolve: Resolve = resolve_host,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_loopback_for_tests: bool = False,
        ca_file: Path | None = None,
    ) -> None:
        self._store = store
        self._patterns = tuple(redirect_uri_patterns)
        self._resolve = resolve
        self._transport = transport
        self._allow_loopback = allow_loopback_for_tests
        self._ca_file = ca_file

    async def __call__(self, url: str, now_ms: int) -> ClientRecord | None:
        url_hash = hashlib.sha256(url.encode()).hexdigest()
        key = store_keys.client_metadata_document(url_hash)
        cached = await self._store.get(key)
        entry: dict[str, Any] | None = None if cached is None else orjson.loads(cached)
        if entry is not None and now_ms < entry["fresh_until_ms"]:
            return self._client(url, entry["document"], now_ms)
        try:
            document, max_age_s = await self.fetch(url)
            client = client_from_document(url, document, self._patterns, now_ms)
        except DocumentRefusedError as exc:
            logger.info("client metadata document %s refused: %s", url[:200], exc)
            if entry is not None and now_ms < entry["stale_until_ms"]:
                return self._client(url, entry["document"], now_ms)
            return None
        fresh_until = now_ms + max_age_s * 1000
        stale_until = fresh_until + STALE_IF_ERROR_S * 1000
        record = {"document": document, "fresh_until_ms": fresh_until, "stale_until_ms": stale_until}
        await self._store.set(key, orjson.dumps(record), ttl_ms=stale_until - now_ms)
        return client

    def _client(self, url: str, document: object, now_ms: int) -> ClientRecord | None:
        try:
            return client_from_document(url, document, self._patterns, now_ms)
        except DocumentRefusedError:
            return None

    def _address_allowed(self, address: str) -> bool:
        if is_public_address(address):
            return True
        return self._allow_loopback and ipaddress.ip_address(address).is_loopback

    async def fetch(self, url: str) -> tuple[object, int]:
        """The parsed document and how long to cache it, or ``DocumentRefusedError``."""
        host, port = check_document_url(url)
        try:
            async with asyncio.timeout(FETCH_TIMEOUT_S):
                addresses = await self._resolve(host, port)
                if not addresses or not all(self._address_allowed(a) for a in addresses):
                    raise DocumentRefusedError(f"{host} resolves to a non-public address: {addresses}")
                return await self._get(url, host, port, addresses[0])
        except TimeoutError:
            raise DocumentRefusedError(f"no complete answer within {FETCH_TIMEOUT_S} s") from None
        except (OSError, httpx.HTTPError) as exc:
            raise DocumentRefusedError(f"fetch failed: {type(exc).__name__}: {exc}") from None

    async def _get(self, url: str, host: str, port: int, address: str) -> tuple[object, int]:
        parts = urlsplit(url)
        literal = f"[{address}]" if ":" in address else address
        pinned = f"https://{literal}:{port}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        verify: ssl.SSLContext | bool = True
        if self._ca_file is not None:
            verify = ssl.create_default_context(cafile=str(self._ca_file))
        client = httpx.AsyncClient(
            transport=self._transport, verify=verify, follow_redirects=False, trust_env=False
        )
        async with (
            client,
            client.stream(
                "GET",
                pinned,
                headers={"Host": parts.netloc, "Accept": "application/json"},
                extensions={"sni_hostname": host},
            ) as response,
        ):
            if response.status_code != 200:
                raise DocumentRefusedError(f"status {response.status_code} (redirects are not followed)")
            declared = response.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > MAX_DOCUMENT_BYTES:
                raise DocumentRefusedError(f"document over {MAX_DOCUMENT_BYTES} bytes")
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise DocumentRefusedError(f"document over {MAX_DOCUMENT_BYTES} bytes")
            cache_control = response.headers.get("cache-control")
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise DocumentRefusedError("the document is not JSON") from None
        return document, cache_seconds(cache_control)
