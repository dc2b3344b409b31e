"""The optional narrative against a real local chat-completions server (chat_server.py), through /mcp.

Every case returns the full evidence pack; the narrative is either checked (only ids of the pack cited)
or null with a reason that says what went wrong. Only the LLM's own key goes to the LLM endpoint.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tool_calls import structured

from chat_server import SLOW_S, ChatServer, running_chat_server
from support import FakeClock
from worldmonitor_mcp.app import create_app
from worldmonitor_mcp.settings import Settings
from worldmonitor_mcp.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

LLM_KEY = "sk-llm-test-0123456789"
BUDGET_S = 1.0


@pytest.fixture(scope="module")
def chat() -> Iterator[ChatServer]:
    with running_chat_server() as server:
        yield server


AppWithLlm = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def client_factory(store: SqliteStore, clock: FakeClock, tmp_path: Path) -> AsyncIterator[AppWithLlm]:
    """The app in-process with an LLM configured and the one LLM HTTP client injected (and closed here,
    as the app's lifespan would close its own)."""
    llm_http = httpx.AsyncClient(timeout=BUDGET_S)
    clients: list[httpx.AsyncClient] = []

    def build(**overrides: Any) -> httpx.AsyncClient:
        app = create_app(
            Settings(data_dir=tmp_path, **overrides), store=store, clock_ms=clock, llm_http=llm_http
        )
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000")
        clients.append(client)
        return client

    yield build
    for client in clients:
        await client.aclose()
    await llm_http.aclose()


async def brief(
    client_factory: AppWithLlm, api_key: str, chat: ChatServer, model: str, **arguments: Any
) -> tuple[dict[str, Any], str]:
    """The country brief of Greece (six USGS earthquakes in the snapshot) with ``model`` as the LLM."""
    client = client_factory(
        llm_base_url=chat.url, llm_model=model, llm_api_key=LLM_KEY, llm_timeout_s=BUDGET_S
    )
    reply = await client.post(
        "/mcp",
        json={
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "get_country_brief", "arguments": {"country_code": "GR", **arguments}},
        },
        headers={"X-WorldMonitor-Key": api_key},
    )
    assert reply.status_code == 200
    pack = structured(reply.json())
    assert len(pack["sections"]["hazards"]["items"]) == 6, "the evidence is returned whatever the model did"
    return pack, reply.text


def evidence_ids(pack: dict[str, Any]) -> list[str]:
    return [i["id"] for s in pack["sections"].values() for i in s["items"]]


async def test_a_narrative_citing_the_evidence_is_returned_with_its_citations(
    client_factory: AppWithLlm, api_key: str, chat: ChatServer, snapshot_store: SqliteStore
) -> None:
    pack, _ = await brief(client_factory, api_key, chat, "cite", framework="PMESII-PT")
    narrative = pack["narrative"]
    assert pack["narrative_reason"] is None
    assert narrative["citations"] == evidence_ids(pack)[:2]
    assert f"[{evidence_ids(pack)[0]}]" in narrative["text"]
    assert narrative["stripped_citations"] == 0
    assert narrative["model"] == "cite"
    assert narrative["framework"].startswith("PMESII-PT: Political, Military")
    system = chat.requests[-1].body["messages"][0]["content"]
    assert "Analytical lens: PMESII-PT" in system


async def test_a_fenced_json_answer_is_accepted(
    client_factory: AppWithLlm, api_key: str, chat: ChatServer, snapshot_store: SqliteStore
) -> None:
    pack, _ = await brief(client_factory, api_key, chat, "fenced")
    assert pack["narrative"]["citations"] == evidence_ids(pack)[:2]


async def test_invented_citations_are_stripped_from_the_text_and_counted(
    client_factory: AppWithLlm, api_key: str, chat: ChatServer, snapshot_store: SqliteStore
) -> None:
    pack, _ = await brief(client_factory, api_key, chat, "invent")
    narrative = pack["narrative"]
    assert narrative["citations"] == [evidence_ids(pack)[0]]
    assert narrative["stripped_citations"] == 2
    assert "invented1" not in narrative["text"]
    assert "made-up" not in narrative["text"]
    assert f"[{evidence_ids(pack)[0]}]" in narrative["text"]


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        ("error", "the model endpoint answered HTTP 500"),
        ("malformed", "answered malformed JSON"),
        ("huge", "exceeded 256 KiB"),
        ("prose", "did not answer the JSON object asked for"),
        ("nocite", "cited none of the evidence ids"),
    ],
)
async def test_a_failing_model_gives_a_null_narrative_with_the_reason_and_the_evidence(
    client_factory: AppWithLlm,
    api_key: str,
    chat: ChatServer,
    snapshot_store: SqliteStore,
    model: str,
    reason: str,
) -> None:
    pack, _ = await brief(client_factory, api_key, chat, model)
    assert pack["narrative"] is None
    assert reason in pack["narrative_reason"]


async def test_a_slow_model_is_cut_at_the_budget(
    client_factory: AppWithLlm, api_key: str, chat: ChatServer, snapshot_store: SqliteStore
) -> None:
    started = time.monotonic()
    pack, _ = await brief(client_factory, api_key, chat, "slow")
    assert time.monotonic() - started < SLOW_S - 0.5
    assert pack["narrative"] is None
    assert pack["narrative_reason"] == f"the model did not answer within the {BUDGET_S:g} s budget"


async def test_a_model_that_is_down_gives_a_reason(
    client_factory: AppWithLlm, api_key: str, snapshot_store: SqliteStore
) -> None:
    down = ChatServer("http://127.0.0.1:9/v1")  # the discard port: nothing listens there
    pack, _ = await brief(client_factory, api_key, down, "cite")
    assert pack["narrative"] is None
    assert pack["narrative_reason"].startswith("the model endpoint could not be reached (")


async def test_only_the_llm_key_goes_to_the_llm_and_no_secret_comes_back(
    client_factory: AppWithLlm, api_key: str, chat: ChatServer, snapshot_store: SqliteStore
) -> None:
    chat.requests.clear()
    _, raw = await brief(client_factory, api_key, chat, "cite")
    [sent] = chat.requests
    assert sent.headers["authorization"] == f"Bearer {LLM_KEY}"
    assert "x-worldmonitor-key" not in sent.headers
    assert "cookie" not in sent.headers
    assert api_key not in str(sent.headers)
    assert api_key not in str(sent.body)
    assert set(sent.body) == {"model", "messages", "temperature", "max_tokens"}
    assert "[quake:us7000c7y0]" in sent.body["messages"][1]["content"]  # the evidence, with ids
    assert LLM_KEY not in raw


async def test_narrative_false_never_calls_the_llm(
    client_factory: AppWithLlm, api_key: str, chat: ChatServer, snapshot_store: SqliteStore
) -> None:
    chat.requests.clear()
    pack, _ = await brief(client_factory, api_key, chat, "cite", narrative=False)
    assert chat.requests == []
    assert pack["narrative"] is None
    assert "narrative: false" in pack["narrative_reason"]


async def test_with_an_llm_the_tools_say_they_reach_the_open_world(
    client_factory: AppWithLlm, api_key: str, chat: ChatServer
) -> None:
    client = client_factory(llm_base_url=chat.url, llm_model="cite")
    reply = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"X-WorldMonitor-Key": api_key},
    )
    tools = {t["name"]: t for t in reply.json()["result"]["tools"]}
    assert tools["get_world_brief"]["annotations"]["openWorldHint"] is True
    assert tools["get_world_brief"]["annotations"]["idempotentHint"] is False
    assert tools["get_natural_disasters"]["annotations"]["openWorldHint"] is False
