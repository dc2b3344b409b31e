"""Evidence packs on the real snapshot, through /mcp in-process, with no LLM configured.

Expectations are computed from the bundled sample files themselves (the USGS place names, ReliefWeb's
GLIDE numbers, the Feodo CSV), never typed in, so the tests say "the pack holds exactly what the
upstream data says is there".
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pycountry
import pytest
from tool_calls import CallTool, error_text, structured

import worldmonitor_mcp
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

SNAPSHOT = Path(worldmonitor_mcp.__file__).parent / "snapshot"
ANALYSIS_TOOLS = ("get_world_brief", "get_country_brief", "analyze_situation", "generate_forecasts")


def iso_ms(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def usgs_features_in(country_name: str) -> dict[str, dict[str, Any]]:
    """USGS's own geocoding: the features whose place names the country ("..., Greece")."""
    collection = json.loads((SNAPSHOT / "usgs_earthquakes_4.5_week.geojson").read_text(encoding="utf-8"))
    return {
        f"quake:{f['id']}": f
        for f in collection["features"]
        if f["properties"]["place"].rsplit(",", 1)[-1].strip() == country_name
    }


def reliefweb_disasters_in(alpha_2: str) -> dict[str, dict[str, Any]]:
    """ReliefWeb's own tagging: disasters whose GLIDE number ends with the country's alpha-3 code."""
    alpha_3 = pycountry.countries.get(alpha_2=alpha_2).alpha_3
    data = json.loads((SNAPSHOT / "reliefweb_disasters_v1.json").read_text(encoding="utf-8"))["data"]
    return {
        f"event:reliefweb-{d['fields']['id']}": d["fields"]
        for d in data
        if str(d["fields"].get("glide", "")).endswith(f"-{alpha_3}")
    }


def all_items(pack: dict[str, Any]) -> list[dict[str, Any]]:
    found = [i for s in pack.get("sections", {}).values() for i in s["items"]]
    found += [i for g in pack.get("groups", ()) for i in g["items"]]
    return found + pack.get("items", []) + pack.get("forecasts", []) + pack.get("signals", [])


async def test_country_brief_for_greece_lists_exactly_the_quakes_usgs_places_in_greece(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    expected = usgs_features_in("Greece")
    assert expected  # the sample has the Samos sequence of October 2020
    pack = structured(await call_tool("get_country_brief", {"country_code": "gr", "limit": 200}))
    items = all_items(pack)
    assert {i["id"] for i in items} == set(expected)
    for item in items:
        feature = expected[item["id"]]
        assert item["source"] == "USGS"
        assert item["time"] == iso_ms(feature["properties"]["time"])
        assert item["facts"]["magnitude"] == feature["properties"]["mag"]
        assert item["relation"] in {"in", "near"}
        assert item.get("distance_km", 0) <= pack["country"]["near_km"]
    assert pack["country"]["code"] == "GR"
    assert pack["cached_at"] == "2020-11-02T00:59:03.000Z"  # the USGS sample's metadata.generated
    assert pack["stale"] is True
    assert pack["narrative"] is None
    assert "WORLDMONITOR_LLM_BASE_URL" in pack["narrative_reason"]


async def test_country_brief_for_bangladesh_lists_exactly_its_reliefweb_disasters(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    expected = reliefweb_disasters_in("BD")
    pack = structured(await call_tool("get_country_brief", {"country_code": "BD"}))
    items = all_items(pack)
    assert {i["id"] for i in items} == set(expected)
    assert {i["title"] for i in items} == {d["name"] for d in expected.values()}
    assert all(i["source"] == "ReliefWeb" and i["relation"] == "in" for i in items)


async def test_country_brief_ranks_by_severity_then_recency_and_says_what_it_read(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    pack = structured(await call_tool("get_country_brief", {"country_code": "GR"}))
    hazards = pack["sections"]["hazards"]["items"]
    assert hazards[0]["facts"]["magnitude"] == max(i["facts"]["magnitude"] for i in hazards)  # the M7.0
    assert [i["score"] for i in hazards] == sorted((i["score"] for i in hazards), reverse=True)
    quakes = pack["sources"]["seismology:earthquakes:v1"]
    assert quakes == {"cached_at": "2020-11-02T00:59:03.000Z", "stale": True, "items": len(hazards)}


async def test_country_brief_gives_the_currency_and_its_ecb_rate_as_a_citable_item(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    pack = structured(await call_tool("get_country_brief", {"country_code": "JP"}))
    [fx] = pack["sections"]["fx"]["items"]
    assert fx["id"] == "fx:EURJPY"
    assert fx["facts"]["rate"] == 138.05  # eurofxref-daily.xml of 2022-07-08
    assert pack["country"]["currency"]["currencies"] == ["JPY"]


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("XX", "is not an ISO 3166-1 alpha-2 country code"),
        ("GRC", 'its alpha-2 code is "GR"'),
        ("Greece", "must be an ISO 3166-1 alpha-2 code"),
        ("", '"country_code" is required'),
    ],
)
async def test_a_bad_country_code_is_a_tool_error_naming_the_problem(
    call_tool: CallTool, code: str, problem: str
) -> None:
    assert problem in error_text(await call_tool("get_country_brief", {"country_code": code}))


async def test_unknown_and_mistyped_arguments_are_tool_errors_naming_each(call_tool: CallTool) -> None:
    text = error_text(await call_tool("get_world_brief", {"region": "x", "limit": "ten"}))
    assert 'unknown argument "region"' in text
    assert '"limit" must be an integer from 1 to 100' in text


async def test_world_brief_is_grouped_capped_per_domain_and_deterministic(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    first = structured(await call_tool("get_world_brief"))
    second = structured(await call_tool("get_world_brief"))
    assert first["groups"] == second["groups"]
    assert first["returned"] == 30 == sum(g["returned"] for g in first["groups"])
    assert all(g["returned"] <= 8 for g in first["groups"])  # a quarter of 30, rounded up
    domains = [g["domain"] for g in first["groups"]]
    assert len(domains) == len(set(domains)) >= 4
    ids = [i["id"] for i in all_items(first)]
    assert len(ids) == len(set(ids))
    assert all(i["time"] is not None and i["source"] for i in all_items(first))
    # The snapshot is old: each stale source's window ends at its own newest record.
    assert first["window"]["hours"] == 48
    usgs = json.loads((SNAPSHOT / "usgs_earthquakes_4.5_week.geojson").read_text(encoding="utf-8"))
    newest = max(f["properties"]["time"] for f in usgs["features"])
    assert first["window"]["anchors"]["seismology:earthquakes:v1 USGS"] == iso_ms(newest)
    used = [s["cached_at"] for s in first["sources"].values() if s["items"]]
    assert first["cached_at"] == min(used)
    assert first["stale"] is True


async def test_world_brief_window_keeps_only_each_sources_last_hours(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    pack = structured(await call_tool("get_world_brief", {"window_hours": 1, "limit": 100}))
    for item in all_items(pack):
        anchor = next(v for k, v in pack["window"]["anchors"].items() if k.endswith(f" {item['source']}"))
        age_s = (datetime.fromisoformat(anchor) - datetime.fromisoformat(item["time"])).total_seconds()
        assert age_s <= 3600, item


async def test_world_brief_geo_context_narrows_to_the_region_and_says_how_it_read_it(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    pack = structured(await call_tool("get_world_brief", {"geo_context": "Middle East", "limit": 100}))
    assert pack["focus"]["resolved"]["regions"] == ["Middle East & North Africa"]
    items = all_items(pack)
    assert items
    assert all(any(m.startswith("in region 'Middle East & North Africa'") for m in i["match"]) for i in items)


async def test_analyze_situation_finds_every_pikabot_server_of_the_feodo_sample_with_reasons(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    lines = (SNAPSHOT / "feodo_ipblocklist.csv").read_text().splitlines()
    rows = list(csv.reader(line for line in lines if not line.startswith("#")))
    expected = {f"threat:{row[1]}" for row in rows if row and row[-1].strip('"') == "Pikabot"}
    assert expected
    pack = structured(await call_tool("analyze_situation", {"query": "Pikabot botnet", "limit": 100}))
    assert pack["resolved"]["entities"] == ["pikabot"]
    assert {i["id"] for i in pack["items"]} == expected
    assert all("names 'pikabot'" in i["match"] for i in pack["items"])


async def test_analyze_situation_resolves_countries_and_domains_and_ands_them(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    pack = structured(await call_tool("analyze_situation", {"query": "earthquakes in or near Greece"}))
    assert pack["resolved"]["countries"] == ["GR"]  # "in" is a word here, not India
    assert pack["resolved"]["domains"] == ["earthquake"]
    assert {i["id"] for i in pack["items"]} == set(usgs_features_in("Greece"))


async def test_generate_forecasts_lists_the_cached_markets_with_citable_signals(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    markets = json.loads((await snapshot_store.get("prediction:markets-bootstrap:v1")) or b"{}")
    titles = {m["title"] for pool in markets.values() for m in pool}
    pack = structured(await call_tool("generate_forecasts", {"limit": 100}))
    assert {f["title"] for f in pack["forecasts"]} == titles
    signal_ids = {s["id"] for s in pack["signals"]}
    for forecast in pack["forecasts"]:
        assert set(forecast["signals"]) <= signal_ids
        assert 0 <= forecast["facts"]["yes_probability"] <= 1


async def test_generate_forecasts_with_an_unknown_region_is_a_tool_error(call_tool: CallTool) -> None:
    assert "names no country or region" in error_text(
        await call_tool("generate_forecasts", {"region": "Atlantis"})
    )


async def test_on_an_empty_store_every_pack_is_empty_and_stale(call_tool: CallTool) -> None:
    for name, arguments in (
        ("get_world_brief", {}),
        ("get_country_brief", {"country_code": "JP"}),
        ("analyze_situation", {"query": "earthquakes in Japan"}),
        ("generate_forecasts", {}),
    ):
        pack = structured(await call_tool(name, arguments))
        assert all_items(pack) == [], name
        assert pack["cached_at"] is None, name
        assert pack["stale"] is True, name


async def output_schemas(client: httpx.AsyncClient, api_key: str) -> dict[str, dict[str, Any]]:
    reply = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"X-WorldMonitor-Key": api_key},
    )
    return {t["name"]: t for t in reply.json()["result"]["tools"] if t["name"] in ANALYSIS_TOOLS}


async def test_tools_are_listed_read_only_with_schemas_and_answers_conform(
    client: httpx.AsyncClient, api_key: str, call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    tools = await output_schemas(client, api_key)
    assert set(tools) == set(ANALYSIS_TOOLS)
    asks = {
        "get_world_brief": [{}, {"geo_context": "cyber"}, {"window_hours": 72, "limit": 5}],
        "get_country_brief": [{"country_code": "US"}, {"country_code": "GR", "framework": "PMESII-PT"}],
        "analyze_situation": [{"query": "floods in Bangladesh", "context": "monsoon"}],
        "generate_forecasts": [{}, {"domain": "economic", "region": "North America"}],
    }
    for name, tool in tools.items():
        jsonschema.Draft202012Validator.check_schema(tool["inputSchema"])
        jsonschema.Draft202012Validator.check_schema(tool["outputSchema"])
        assert tool["annotations"]["readOnlyHint"] is True
        assert tool["annotations"]["destructiveHint"] is False
        assert tool["annotations"]["openWorldHint"] is False  # no LLM configured here
        validator = jsonschema.Draft202012Validator(tool["outputSchema"])
        for arguments in asks[name]:
            answer = structured(await call_tool(name, arguments))
            errors = [e.message for e in validator.iter_errors(answer)]
            assert not errors, (name, arguments, errors[:3])


async def test_country_brief_reads_the_advisory_level_and_sanctions_programmes(
    call_tool: CallTool, snapshot_store: SqliteStore
) -> None:
    advisories = json.loads((await snapshot_store.get("intelligence:advisories-bootstrap:v1")) or b"{}")
    chad = [a for a in advisories["advisories"] if a.get("country") == "TD"]
    assert chad
    level = int(chad[0]["title"].split("Level ", 1)[1][0])  # "Chad - Level 3: Reconsider Travel"
    pack = structured(await call_tool("get_country_brief", {"country_code": "TD"}))
    assert pack["country"]["travel_advisory_level"] == level
    entities = json.loads((await snapshot_store.get("sanctions:entities:v1")) or b"[]")
    cuban = [e for e in entities if "CUBA" in e["pr"]]
    cuba = structured(await call_tool("get_country_brief", {"country_code": "CU", "limit": 200}))
    assert cuba["country"]["sanctions_programmes"]["CUBA"] == len(cuban)
    assert {i["id"] for i in cuba["sections"]["sanctions"]["items"]} >= {f"sanction:{e['id']}" for e in cuban}
