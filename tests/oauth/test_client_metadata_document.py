"""Client ID Metadata Documents: validation and the SSRF-safe fetcher (private, link-local, loopback
and mapped addresses; DNS answers that change; redirects; oversize; slow), caching, and the flow."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from support import START_MS
from worldmonitor_mcp.oauth.client_metadata_document import (
    MAX_DOCUMENT_BYTES,
    ClientMetadataDocuments,
    DocumentRefusedError,
    cache_seconds,
    is_public_address,
)
from worldmonitor_mcp.oauth.redirect_uris import DEFAULT_PATTERNS
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

URL = "https://client.example.com/oauth/metadata.json"
PUBLIC_IP = "93.184.216.34"
DOCUMENT = {
    "client_id": URL,
    "client_name": "Example Client",
    "redirect_uris": ["http://127.0.0.1:3000/callback"],
    "token_endpoint_auth_method": "none",
}


class Resolver:
    """DNS answers a test controls; counts lookups (an answer that changes is caught by pinning)."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.calls = 0

    async def __call__(self, host: str, port: int) -> list[str]:
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return answer


def serving(
    body: bytes | Any = DOCUMENT, status: int = 200, headers: dict[str, str] | None = None
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    payload = body if isinstance(body, bytes) else orjson.dumps(body)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            status, content=payload, headers=headers or {"Content-Type": "application/json"}
        )

    return httpx.MockTransport(handler), seen


def documents(
    store: SqliteStore, resolver: Resolver, transport: httpx.AsyncBaseTransport
) -> ClientMetadataDocuments:
    return ClientMetadataDocuments(
        store, redirect_uri_patterns=DEFAULT_PATTERNS, resolve=resolver, transport=transport
    )


async def test_document_becomes_a_public_client(store: SqliteStore) -> None:
    transport, _ = serving()
    client = await documents(store, Resolver([PUBLIC_IP]), transport)(URL, START_MS)
    assert client is not None
    assert client.client_id == URL
    assert client.client_name == "Example Client"
    assert client.is_public
    assert client.redirect_uris == ("http://127.0.0.1:3000/callback",)


async def test_connection_is_pinned_to_the_checked_address_with_sni_and_host_kept(store: SqliteStore) -> None:
    transport, seen = serving()
    await documents(store, Resolver([PUBLIC_IP], ["127.0.0.1"]), transport)(URL, START_MS)
    [request] = seen
    assert request.url.host == PUBLIC_IP
    assert request.url.path == "/oauth/metadata.json"
    assert request.headers["host"] == "client.example.com"
    assert request.extensions["sni_hostname"] == "client.example.com"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",  # loopback
        "10.1.2.3",  # private
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # link-local: cloud metadata
        "100.64.0.1",  # shared address space
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:169.254.169.254",
        "224.0.0.1",  # multicast
    ],
)
async def test_ssrf_non_public_addresses_are_refused(store: SqliteStore, address: str) -> None:
    transport, seen = serving()
    assert not is_public_address(address)
    assert await documents(store, Resolver([address]), transport)(URL, START_MS) is None
    assert seen == []


async def test_ssrf_one_private_address_among_public_ones_is_refused(store: SqliteStore) -> None:
    transport, seen = serving()
    assert await documents(store, Resolver([PUBLIC_IP, "10.0.0.1"]), transport)(URL, START_MS) is None
    assert seen == []


async def test_ssrf_redirects_are_not_followed(store: SqliteStore) -> None:
    transport, seen = serving(b"", status=302, headers={"Location": "http://169.254.169.254/latest"})
    assert await documents(store, Resolver([PUBLIC_IP]), transport)(URL, START_MS) is None
    assert len(seen) == 1


async def test_ssrf_oversize_document_is_refused(store: SqliteStore) -> None:
    big = orjson.dumps({**DOCUMENT, "padding": "x" * MAX_DOCUMENT_BYTES})
    transport, _ = serving(big)
    assert await documents(store, Resolver([PUBLIC_IP]), transport)(URL, START_MS) is None


async def test_ssrf_slow_server_times_out(store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from worldmonitor_mcp.oauth import client_metadata_document

    monkeypatch.setattr(client_metadata_document, "FETCH_TIMEOUT_S", 0.2)

    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json=DOCUMENT)

    fetcher = documents(store, Resolver([PUBLIC_IP]), httpx.MockTransport(slow))
    assert await fetcher(URL, START_MS) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://client.example.com/meta.json",
        "https://client.example.com",
        "https://client.example.com/",
        "https://user@client.example.com/meta.json",
        "https://client.example.com/a/../meta.json",
        "https://client.example.com/meta.json#x",
    ],
)
async def test_client_id_url_shape(store: SqliteStore, url: str) -> None:
    transport, seen = serving({**DOCUMENT, "client_id": url})
    assert await documents(store, Resolver([PUBLIC_IP]), transport)(url, START_MS) is None
    assert seen == []


@pytest.mark.parametrize(
    "document",
    [
        {**DOCUMENT, "client_id": "https://other.example.com/meta.json"},
        {**DOCUMENT, "redirect_uris": ["http://evil.example/cb"]},
        {**DOCUMENT, "redirect_uris": []},
        {**DOCUMENT, "token_endpoint_auth_method": "client_secret_basic"},
        ["not", "an", "object"],
    ],
)
async def test_document_shape_is_validated(store: SqliteStore, document: Any) -> None:
    transport, _ = serving(document)
    assert await documents(store, Resolver([PUBLIC_IP]), transport)(URL, START_MS) is None


async def test_cached_per_cache_control_and_stale_copy_served_when_refetch_fails(store: SqliteStore) -> None:
    transport, seen = serving(headers={"Content-Type": "application/json", "Cache-Control": "max-age=300"})
    fetcher = documents(store, Resolver([PUBLIC_IP]), transport)
    assert await fetcher(URL, START_MS) is not None
    assert await fetcher(URL, START_MS + 299_000) is not None
    assert len(seen) == 1
    failing = documents(store, Resolver(["10.0.0.1"]), transport)  # the refetch fails
    assert await failing(URL, START_MS + 301_000) is not None  # stale copy
    assert len(seen) == 1
    assert await failing(URL, START_MS + 301_000 + 25 * 3600 * 1000) is None  # past the stale bound


def test_cache_bounds() -> None:
    assert cache_seconds(None) == 3600
    assert cache_seconds("no-store") == 60
    assert cache_seconds("max-age=5") == 60
    assert cache_seconds("public, max-age=600") == 600
    assert cache_seconds("max-age=99999999") == 86_400


async def test_refusal_reason_is_specific() -> None:
    fetcher = ClientMetadataDocuments(
        SqliteStore(":memory:"), redirect_uri_patterns=DEFAULT_PATTERNS, resolve=Resolver(["10.0.0.1"])
    )
    with pytest.raises(DocumentRefusedError, match="non-public"):
        await fetcher.fetch(URL)


# -- the real thing: a local TLS server reached only through the explicit test settings ----------------


@pytest.fixture
async def tls_document_server(tmp_path: Any) -> AsyncIterator[tuple[str, Any]]:
    """An https server on 127.0.0.1 with a certificate for "localhost", serving one document."""
    import datetime
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    holder: dict[str, bytes] = {}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        holder["request"] = request
        body = holder["body"]
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    url = f"https://localhost:{port}/client.json"
    holder["body"] = orjson.dumps({**DOCUMENT, "client_id": url})
    try:
        yield url, (cert_path, holder)
    finally:
        server.close()
        await server.wait_closed()


async def test_local_tls_server_is_refused_by_default(tls_document_server: tuple[str, Any]) -> None:
    url, _ = tls_document_server
    fetcher = ClientMetadataDocuments(SqliteStore(":memory:"), redirect_uri_patterns=DEFAULT_PATTERNS)
    with pytest.raises(DocumentRefusedError, match="non-public"):
        await fetcher.fetch(url)


async def test_local_tls_server_through_the_test_settings_verifies_tls_for_the_name(
    tls_document_server: tuple[str, Any],
) -> None:
    url, (cert_path, holder) = tls_document_server
    fetcher = ClientMetadataDocuments(
        SqliteStore(":memory:"),
        redirect_uri_patterns=DEFAULT_PATTERNS,
        allow_loopback_for_tests=True,
        ca_file=cert_path,
    )
    document, _ = await fetcher.fetch(url)
    assert document["client_id"] == url  # type: ignore[index]
    assert b"Host: localhost:" in holder["request"]
    untrusted = ClientMetadataDocuments(
        SqliteStore(":memory:"), redirect_uri_patterns=DEFAULT_PATTERNS, allow_loopback_for_tests=True
    )
    with pytest.raises(DocumentRefusedError, match="fetch failed"):
        await untrusted.fetch(url)  # the self-signed certificate is not trusted without the CA file


async def test_metadata_document_client_completes_the_flow(
    client_factory, api_key: str, tls_document_server: tuple[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    from oauth_support import nonce_of, pkce_pair, query_of

    url, (cert_path, _) = tls_document_server
    client = client_factory(client_metadata_test_loopback=True, client_metadata_test_ca_file=cert_path)
    verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": url,
        "redirect_uri": "http://127.0.0.1:3000/callback",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "s",
    }
    page = await client.get("/oauth/authorize", params=params)
    assert page.status_code == 200, page.text
    assert "Example Client" in page.text
    assert "localhost" in page.text  # the host the document came from
    approved = await client.post(
        "/oauth/authorize", data={"nonce": nonce_of(page), "api_key": api_key, "action": "approve"}
    )
    code = query_of(approved.headers["location"])["code"]
    reply = await client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1:3000/callback",
            "code_verifier": verifier,
            "client_id": url,
        },
    )
    assert reply.status_code == 200, reply.text
