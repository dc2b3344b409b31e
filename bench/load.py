"""The request, its verification, and the load generator (wrk, in its own process).

Before and after every measurement one request goes through ``http.client`` and must come back as a
200 JSON-RPC *result* with the expected tool output: the benchmark never measures error replies. During
the measurement wrk counts non-2xx/3xx replies and socket errors, and the bytes it read per reply must
match the verified reply's size (an error body is far smaller), so a run that drifted into errors fails.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOOL_NAME = "get_natural_disasters"
REQUEST_BODY = json.dumps(
    {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": TOOL_NAME, "arguments": {}}},
    separators=(",", ":"),
)
PROTOCOL_VERSION = "2025-11-25"
MODERN_VERSION = "2026-07-28"
MODERN_BODY = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {
            "name": TOOL_NAME,
            "arguments": {},
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
                "io.modelcontextprotocol/clientCapabilities": {},
            },
        },
    },
    separators=(",", ":"),
)
"""The same call on the 2026-07-28 wire: version and capabilities in _meta, mirrored in headers."""


def request_for(era: str) -> tuple[str, dict[str, str]]:
    """The body and the protocol headers of the measured request in ``era`` (handshake or modern)."""
    if era == "modern":
        return MODERN_BODY, {
            "MCP-Protocol-Version": MODERN_VERSION,
            "Mcp-Method": "tools/call",
            "Mcp-Name": TOOL_NAME,
        }
    return REQUEST_BODY, {"MCP-Protocol-Version": PROTOCOL_VERSION}


WRK_SCRIPT = Path(__file__).resolve().parent / "wrk.lua"
WRK_TIMEOUT_S = 10
SIZE_TOLERANCE = 0.02
"""A reply may differ from the verified one by a few header bytes (date, counters), not by its body."""


class VerificationError(RuntimeError):
    """A target answered something other than the expected JSON-RPC result."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def post(port: int, key: str | None, era: str = "handshake") -> Reply:
    body, protocol_headers = request_for(era)
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        **protocol_headers,
    }
    if key:
        headers["Authorization"] = f"Bearer {key}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/mcp", body=body.encode(), headers=headers)
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def tool_text(reply: Reply, *, target: str) -> str:
    """The text item of a successful ``tools/call`` reply; ``VerificationError`` for anything else."""
    problem = f"{target}: expected a 200 JSON-RPC result, got HTTP {reply.status}: {reply.body[:300]!r}"
    if reply.status != 200 or not reply.headers.get("content-type", "").startswith("application/json"):
        raise VerificationError(problem)
    try:
        message = json.loads(reply.body)
        result = message["result"]
        content = result["content"]
        text = content[0]["text"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise VerificationError(problem) from exc
    if (
        message.get("jsonrpc") != "2.0"
        or message.get("id") != 1
        or "error" in message
        or result.get("isError", False)
        or len(content) != 1
        or content[0].get("type") != "text"
        or not isinstance(text, str)
    ):
        raise VerificationError(problem)
    return text


def check_earthquakes(text: str) -> int:
    """Our tool's answer must carry the snapshot's earthquakes; returns how many."""
    payload = json.loads(text)
    quakes = (payload.get("data") or {}).get("earthquakes") or {}
    count = len(quakes.get("earthquakes") or []) if isinstance(quakes, dict) else 0
    if not count:
        raise VerificationError(f"the tool answered without earthquakes: {text[:300]}")
    return count


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    bytes_read: int
    errors: dict[str, int]
    latency_us: dict[str, float]

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s

    @property
    def bytes_per_reply(self) -> float:
        return self.bytes_read / max(1, self.requests)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "duration_s": round(self.duration_s, 3),
            "rps": round(self.rps, 1),
            "bytes_per_reply": round(self.bytes_per_reply, 1),
            "errors": self.errors,
            "latency_us": self.latency_us,
        }


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian/Ubuntu) or brew install wrk")
    return found


def wrk_version() -> str:
    done = subprocess.run([wrk_binary(), "--version"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).splitlines()[0].strip()


def run_wrk(
    port: int, key: str | None, *, duration_s: int, connections: int, threads: int, era: str = "handshake"
) -> WrkResult:
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        out = Path(tmp) / "summary.json"
        body, _ = request_for(era)
        env = {
            **os.environ,
            "BENCH_BODY": body,
            "BENCH_ERA": era,
            "BENCH_KEY": key or "",
            "BENCH_OUT": str(out),
        }
        command = [
            wrk_binary(),
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={duration_s}s",
            f"--timeout={WRK_TIMEOUT_S}s",
            f"--script={WRK_SCRIPT}",
            f"http://127.0.0.1:{port}/mcp",
        ]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
        summary = json.loads(out.read_text())
    return WrkResult(
        requests=summary["requests"],
        duration_s=summary["duration_us"] / 1e6,
        bytes_read=summary["bytes"],
        errors=summary["errors"],
        latency_us=summary["latency_us"],
    )


def check_run(result: WrkResult, verified: Reply, *, target: str) -> None:
    """No error replies, no socket errors, and replies the size of the verified one."""
    bad = {name: count for name, count in result.errors.items() if count}
    if bad:
        raise VerificationError(f"{target}: wrk saw errors during the run: {bad}")
    if result.requests == 0:
        raise VerificationError(f"{target}: no request completed")
    expected = len(verified.body)
    if not expected <= result.bytes_per_reply <= expected * (1 + SIZE_TOLERANCE) + 1024:
        raise VerificationError(
            f"{target}: replies averaged {result.bytes_per_reply:.0f} bytes, the verified body is {expected}"
        )
