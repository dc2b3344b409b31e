"""Cache tools over /mcp: wire shape {cached_at, stale, data, freshness}, unwrapping, errors."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from worldmonitor_mcp.store.sqlite import SqliteStore
from worldmonitor_mcp.tools.freshness import iso_utc

pytestmark = pytest.mark.anyio

MINUTE_MS = 60_000


async def call(
    client: httpx.AsyncClient, key: str, name: str | None, arguments: Any = None
) -> dict[str, Any]:
    params: dict[str, Any] = {} if name is None else {"name": name}
    if arguments is not None:
        params["arguments"] = arguments
    reply = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params},
        headers={"X-WorldMonitor-Key": key},
    )
    assert reply.status_code == 200
    return reply.json()  # type: ignore[no-any-return]


def payload(reply: dict[str, Any]) -> dict[str, Any]:
    [item] = reply["result"]["content"]
    assert item["type"] == "text"
    return orjson.loads(item["text"])  # type: ignore[no-any-return]


def meta(fetched_at_ms: int, count: int = 1) -> bytes:
    return orjson.dumps({"fetchedAt": fetched_at_ms, "recordCount": count, "sourceVersion": "test"})


async def test_empty_cache_answers_nulls_and_stale(client: httpx.AsyncClient, api_key: str) -> None:
    result = payload(await call(client, api_key, "get_natural_disasters"))
    assert result["cached_at"] is None
    assert result["stale"] is True
    assert result["data"] == {"earthquakes": None, "fires": None, "events": None}


async def test_fresh_data_with_tool_meta(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore, clock
) -> None:  # type: ignore[no-untyped-def]
    fetched = clock() - 10 * MINUTE_MS
    await store.set_many(
        {
            "seismology:earthquakes:v1": orjson.dumps({"earthquakes": [{"id": "us1"}]}),
            "seed-meta:seismology:earthquakes": meta(fetched),
        }
    )
    result = payload(await call(client, api_key, "get_natural_disasters"))
    assert result["data"]["earthquakes"] == {"earthquakes": [{"id": "us1"}]}
    assert result["cached_at"] == iso_utc(fetched)
    assert result["stale"] is False
    assert result["freshness"]["earthquakes"] == {"cached_at": iso_utc(fetched), "stale": False}


async def test_turns_stale_after_budget_even_when_cached_in_process(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore, clock
) -> None:  # type: ignore[no-untyped-def]
    """max stale for get_natural_disasters is 30 min; the in-process result cache must not hide that."""
    await store.set_many(
        {
            "seismology:earthquakes:v1": b"[]",
            "seed-meta:seismology:earthquakes": meta(clock() - 29 * MINUTE_MS),
        }
    )
    assert payload(await call(client, api_key, "get_natural_disasters"))["stale"] is False
    clock.advance(61)
    assert payload(await call(client, api_key, "get_natural_disasters"))["stale"] is True


async def test_new_data_version_is_seen_at_once(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore, clock
) -> None:  # type: ignore[no-untyped-def]
    await store.set_many(
        {"seismology:earthquakes:v1": b"[1]", "seed-meta:seismology:earthquakes": meta(clock())}
    )
    assert payload(await call(client, api_key, "get_natural_disasters"))["data"]["earthquakes"] == [1]
    await store.set_many({"seismology:earthquakes:v1": b"[2]"})
    assert payload(await call(client, api_key, "get_natural_disasters"))["data"]["earthquakes"] == [2]


async def test_seed_envelope_is_unwrapped(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore
) -> None:
    wrapped = {"_seed": {"fetchedAt": 1}, "data": {"vulnerabilities": ["CVE-1"]}}
    await store.set_many({"cyber:kev:v1": orjson.dumps(wrapped)})
    result = payload(await call(client, api_key, "get_cyber_threats"))
    assert result["data"] == {"threats-bootstrap": None, "kev": {"vulnerabilities": ["CVE-1"]}}


async def test_key_with_own_meta_reports_own_freshness_and_oldest_wins(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore, clock
) -> None:  # type: ignore[no-untyped-def]
    """get_cyber_threats: threats from the tool meta (fresh), kev from its own meta (old) -> stale overall."""
    now = clock()
    await store.set_many(
        {
            "cyber:threats-bootstrap:v2": b"{}",
            "seed-meta:cyber:threats": meta(now - MINUTE_MS),
            "cyber:kev:v1": b"{}",
            "seed-meta:cyber:kev": meta(now - 300 * MINUTE_MS),
        }
    )
    result = payload(await call(client, api_key, "get_cyber_threats"))
    assert result["freshness"]["threats-bootstrap"] == {"cached_at": iso_utc(now - MINUTE_MS), "stale": False}
    assert result["freshness"]["kev"] == {"cached_at": iso_utc(now - 300 * MINUTE_MS), "stale": True}
    assert result["cached_at"] == iso_utc(now - 300 * MINUTE_MS)
    assert result["stale"] is True


async def test_labels_follow_the_key_rule(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore
) -> None:
    await store.set_many({"economic:fred:v1:FEDFUNDS:0": b'{"observations": []}'})
    result = payload(await call(client, api_key, "get_economic_data"))
    assert result["data"]["FEDFUNDS"] == {"observations": []}
    assert set(result["data"]) == {
        "FEDFUNDS",
        "econ-calendar",
        "fuel-prices",
        "ecb-fx-rates",
        "yield-curve-eu",
        "spending",
        "earnings-calendar",
        "cot",
    }


@pytest.mark.parametrize("bad_meta", [b"not json", b'{"fetchedAt": "yesterday"}', b"[]"])
async def test_malformed_meta_gives_null_cached_at_and_stale(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore, bad_meta: bytes
) -> None:
    await store.set_many({"seismology:earthquakes:v1": b"[]", "seed-meta:seismology:earthquakes": bad_meta})
    result = payload(await call(client, api_key, "get_natural_disasters"))
    assert result["cached_at"] is None
    assert result["stale"] is True


@pytest.mark.parametrize(("name", "arguments"), [(None, None), ("no_such_tool", None), (7, None), ("x", {})])
async def test_unknown_tool_or_missing_name_is_32602(
    client: httpx.AsyncClient, api_key: str, name: Any, arguments: Any
) -> None:
    reply = await call(client, api_key, name, arguments)
    assert reply["error"]["code"] == -32602


async def test_store_failure_while_reading_is_masked_32603(
    client: httpx.AsyncClient, api_key: str, monkeypatch: pytest.MonkeyPatch, store: SqliteStore
) -> None:
    """A read failure is -32603 "Internal error: data fetch failed", never the exception text."""
    import sqlite3

    def broken_mget(keys: list[str]) -> None:
        raise sqlite3.OperationalError("disk I/O error at /var/secret/path")

    async def failing(keys: list[str]) -> list[bytes | None]:
        return store._run(lambda db: broken_mget(keys))  # type: ignore[return-value]

    monkeypatch.setattr(store, "mget", failing)
    reply = await call(client, api_key, "get_market_data")
    assert reply["error"] == {"code": -32603, "message": "Internal error: data fetch failed"}
    assert "secret" not in orjson.dumps(reply).decode()


async def test_a_failed_seeder_run_is_visible_in_freshness(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore, clock
) -> None:  # type: ignore[no-untyped-def]
    """The seeder keeps the last good data through an outage and records lastFailure in seed-meta;
    the answer says so, so an agent knows why the data is ageing."""
    failed_at = clock() - 5 * MINUTE_MS
    meta_with_failure = {
        "fetchedAt": clock() - 50 * MINUTE_MS,
        "recordCount": 1,
        "sourceVersion": "test",
        "lastFailure": {"at": failed_at, "kind": "http", "message": "HTTP 503 from upstream"},
    }
    await store.set_many(
        {
            "seismology:earthquakes:v1": b'{"earthquakes": []}',
            "seed-meta:seismology:earthquakes": orjson.dumps(meta_with_failure),
            "wildfire:fires:v1": b'{"fireDetections": []}',
            "seed-meta:wildfire:fires": meta(clock()),
        }
    )
    result = payload(await call(client, api_key, "get_natural_disasters"))
    assert result["freshness"]["earthquakes"]["last_failure"] == {
        "at": iso_utc(failed_at),
        "kind": "http",
        "message": "HTTP 503 from upstream",
    }
    assert result["stale"] is True
    assert "last_failure" not in result["freshness"]["fires"]
