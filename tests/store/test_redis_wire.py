"""The multiplexed hot-path connection: RESP packing, URL endpoints, and what a failure does to the
requests in flight (against a real server)."""

from __future__ import annotations

import asyncio

import pytest

from worldmonitor_mcp.store.redis_wire import Endpoint, MultiplexedConnection, WireError, pack_command

pytestmark = [pytest.mark.anyio, pytest.mark.redis]


def test_pack_command_is_resp_bulk_strings() -> None:
    assert pack_command("GET", "k") == b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
    assert pack_command("SELECT", 3) == b"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://127.0.0.1:6380/2", Endpoint("127.0.0.1", 6380, None, None, None, 2)),
        ("redis://:s%40cret@h/0", Endpoint("h", 6379, None, None, "s@cret", 0)),
        ("redis://user:pw@h:1?db=4", Endpoint("h", 1, None, "user", "pw", 4)),
        ("unix:///run/r.sock?db=1", Endpoint(None, 0, "/run/r.sock", None, None, 1)),
        ("rediss://h:6380/0", None),  # TLS stays on redis-py
        ("redis://h/0?ssl_cert_reqs=none", None),  # options this client does not understand
    ],
)
def test_endpoint_from_url(url: str, expected: Endpoint | None) -> None:
    assert Endpoint.from_url(url) == expected


async def test_replies_are_matched_to_concurrent_requests_in_order(redis_url: str) -> None:
    wire = MultiplexedConnection(Endpoint.from_url(redis_url))  # type: ignore[arg-type]
    try:
        await wire.execute(pack_command("SET", "a", "1") + pack_command("SET", "b", "2"), 2)
        replies = await asyncio.gather(
            *(wire.execute(pack_command("GET", "ab"[i % 2]), 1) for i in range(200))
        )
        assert replies == [[b"1"] if i % 2 == 0 else [b"2"] for i in range(200)]
    finally:
        await wire.aclose()


async def test_a_dead_server_fails_the_request_and_the_next_one_reconnects(redis_url: str) -> None:
    wire = MultiplexedConnection(Endpoint("127.0.0.1", 1, None, None, None, 0))
    with pytest.raises(ConnectionRefusedError):
        await wire.execute(pack_command("PING"), 1)
    live = MultiplexedConnection(Endpoint.from_url(redis_url))  # type: ignore[arg-type]
    try:
        assert await live.execute(pack_command("PING"), 1) == [b"PONG"]
        await live.aclose()  # everything in flight fails; the next request opens a new connection
        assert await live.execute(pack_command("PING"), 1) == [b"PONG"]
    finally:
        await live.aclose()


async def test_an_abandoned_request_resets_the_connection(redis_url: str) -> None:
    """A caller's timeout leaves its reply unread; the connection must not hand it to the next caller."""
    wire = MultiplexedConnection(Endpoint.from_url(redis_url))  # type: ignore[arg-type]
    try:
        await wire.execute(pack_command("SET", "slow", "x"), 1)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await wire.execute(pack_command("BLPOP", "never-filled", "1"), 1)
        assert await wire.execute(pack_command("GET", "slow"), 1) == [b"x"]
    finally:
        await wire.aclose()


async def test_a_refused_password_is_a_wire_error_without_the_password(redis_url: str) -> None:
    endpoint = Endpoint.from_url(redis_url.replace("redis://", "redis://:not-the-password@"))
    wire = MultiplexedConnection(endpoint)  # type: ignore[arg-type]
    with pytest.raises(WireError) as caught:
        await wire.execute(pack_command("PING"), 1)
    assert "not-the-password" not in str(caught.value)
    await wire.aclose()
