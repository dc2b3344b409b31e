"""A local OpenAI-compatible chat-completions server for the narrative tests, on a real socket.

``POST /v1/chat/completions`` answers according to the requested ``model``, so one server plays every
behaviour: ``cite`` (cites the first two evidence ids of the prompt), ``invent`` (one real id and two
invented ones), ``nocite``, ``prose`` (text instead of the JSON object), ``fenced`` (the object in a
code fence), ``slow`` (answers after ``SLOW_S``), ``error`` (HTTP 500), ``malformed`` (a body that is
not JSON) and ``huge`` (a 300 KiB answer). Every request's headers and body are recorded.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SLOW_S = 3.0
_EVIDENCE_ID = re.compile(r"^\[([^\]]+)\]", re.MULTILINE)


@dataclass
class Recorded:
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class ChatServer:
    url: str
    requests: list[Recorded] = field(default_factory=list)


def _completion(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
    }


def _app(server: ChatServer) -> Starlette:
    async def completions(request: Request) -> Response:
        body = await request.json()
        server.requests.append(Recorded({k.lower(): v for k, v in request.headers.items()}, body))
        model = body["model"]
        ids = _EVIDENCE_ID.findall(body["messages"][-1]["content"])
        if model == "slow":
            await asyncio.sleep(SLOW_S)
        if model == "error":
            return JSONResponse({"error": {"message": "boom"}}, status_code=500)
        if model == "malformed":
            return Response(b'{"choices": [', media_type="application/json")
        if model == "huge":
            return Response(b'{"pad": "' + b"x" * 300 * 1024 + b'"}', media_type="application/json")
        if model == "prose":
            return JSONResponse(_completion("Greece had earthquakes."))
        if model == "nocite":
            return JSONResponse(_completion(json.dumps({"narrative": "Greece shook.", "citations": []})))
        if model == "invent":
            text = f"A strong shock [{ids[0]}] and a tsunami [quake:invented1] hit [news:made-up]."
            answer = {"narrative": text, "citations": [ids[0], "quake:invented1", "news:made-up"]}
            return JSONResponse(_completion(json.dumps(answer)))
        answer = {
            "narrative": f"A strong shock [{ids[0]}] followed by aftershocks [{ids[1]}].",
            "citations": ids[:2],
        }
        content = json.dumps(answer)
        if model == "fenced":
            content = f"```json\n{content}\n```"
        return JSONResponse(_completion(content))

    return Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])


@contextmanager
def running_chat_server() -> Iterator[ChatServer]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = ChatServer(f"http://127.0.0.1:{port}/v1")
    config = uvicorn.Config(_app(server), log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test chat-completions server did not start within 10 s")
        time.sleep(0.01)
    try:
        yield server
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()
