"""What every parser test needs: the bundled samples, hostile XML, and the fuzz contract.

The contract a parser keeps on any bytes at all: it returns a ``ParsedFeed`` whose count matches its data
and whose data serialises, or it raises ``FeedFormatError`` naming the feed. Any other exception is a bug.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worldmonitor_mcp.seeders import FeedFormatError, ParsedFeed

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sample(name: str) -> bytes:
    """A genuine upstream sample, as bundled in the snapshot (byte-identical to the shared fixtures)."""
    return resources.files("worldmonitor_mcp.snapshot").joinpath(name).read_bytes()


def parse_or_own_error(
    parse: Callable[[bytes], ParsedFeed], feed: str, count: Callable[[Any], int], payload: bytes
) -> ParsedFeed | None:
    """Run ``parse`` under the contract above; return the result, or None when it refused the payload."""
    try:
        parsed = parse(payload)
    except FeedFormatError as exc:
        message = str(exc)
    else:
        assert parsed.record_count == count(parsed.data)
        orjson.dumps(parsed.data)
        return parsed
    assert message.startswith(f"{feed}: unrecognised payload: "), message
    return None


def fuzz_contract(
    parse: Callable[[bytes], ParsedFeed], feed: str, count: Callable[[Any], int], sample: bytes
) -> tuple[Callable[[], None], Callable[[], None]]:
    """The two fuzz tests every single-sample parser runs under the contract above: arbitrary bytes, and
    its sample with a span (up to 300 bytes) replaced by up to 8 bytes. A test module binds them to
    the names pytest collects::

        test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count, SAMPLE)
    """

    @FUZZ
    @given(st.binary(max_size=2048))
    def arbitrary_bytes(payload: bytes) -> None:
        parse_or_own_error(parse, feed, count, payload)

    @FUZZ
    @given(st.integers(0, len(sample)), st.integers(0, 300), st.binary(max_size=8))
    def damaged_sample(start: int, length: int, insert: bytes) -> None:
        parse_or_own_error(parse, feed, count, sample[:start] + insert + sample[start + length :])

    return arbitrary_bytes, damaged_sample


def billion_laughs(root_open: str, root_close: str) -> bytes:
    """An entity-expansion bomb inside the given root element (nine levels of ten: 10**9 "lol")."""
    entities = "".join(
        f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">\n' for i in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n{entities}]>\n'
        f"{root_open}&lol9;{root_close}"
    ).encode()


def external_entity(root_open: str, root_close: str) -> bytes:
    """An external-entity (XXE) read of /etc/passwd inside the given root element."""
    return (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f"{root_open}&xxe;{root_close}"
    ).encode()


HTML_ERROR_PAGE = b"<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>"
