"""Real data out of the box: after the snapshot loads, the cache tools answer with the genuine samples,
and honestly say they are stale (the samples are years old)."""

from __future__ import annotations

import httpx
import orjson
import pytest

from worldmonitor_mcp.seeders import load_snapshot
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


async def tool_payload(client: httpx.AsyncClient, key: str, name: str) -> dict[str, object]:
    reply = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name}},
        headers={"X-WorldMonitor-Key": key},
    )
    return orjson.loads(reply.json()["result"]["content"][0]["text"])  # type: ignore[no-any-return]


async def test_snapshot_earthquakes_kev_and_fx(
    client: httpx.AsyncClient, api_key: str, store: SqliteStore
) -> None:
    await load_snapshot(store)
    quakes = await tool_payload(client, api_key, "get_natural_disasters")
    assert quakes["stale"] is True
    assert quakes["cached_at"] == "2020-11-02T00:59:03.000Z"  # USGS metadata.generated of the sample
    earthquakes = quakes["data"]["earthquakes"]["earthquakes"]  # type: ignore[index]
    assert len(earthquakes) == 30  # the default limit per list
    assert quakes["lists"]["earthquakes.earthquakes"] == {  # type: ignore[index]
        "total": 50,
        "matched": 50,
        "returned": 30,
        "dropped": 20,
    }
    assert earthquakes[0]["id"] == "us7000c93g"

    cyber = await tool_payload(client, api_key, "get_cyber_threats")
    assert cyber["data"]["kev"]["vulnerabilities"][0]["cveID"].startswith("CVE-")  # type: ignore[index]
    assert cyber["freshness"]["kev"]["cached_at"].startswith("2025-08-25")  # type: ignore[index]

    economy = await tool_payload(client, api_key, "get_economic_data")
    assert economy["data"]["ecb-fx-rates"]["rates"]["EURUSD"]["rate"] == 1.0163  # type: ignore[index]
