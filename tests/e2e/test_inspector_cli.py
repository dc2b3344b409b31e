"""The MCP Inspector CLI (the reference Node client) against a real ``worldmonitor-mcp serve`` process.

Spec: MCP 2025-11-25, basic/transports "Streamable HTTP" and basic/lifecycle, as implemented by the
official TypeScript SDK inside the Inspector: initialize, initialized, the optional GET stream (we answer
405), then the method under test. The credential travels as ``--header "X-WorldMonitor-Key: ..."``.

Node >= 22 must be first on PATH (``make node`` installs it into .tools/node; ``make test`` puts it on
PATH). These tests fail rather than skip without it: a skipped interoperability test is an untested one.
The Inspector version is pinned so that a new release cannot change the outcome unnoticed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from server import KEY_HEADER, ServerProcess

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

INSPECTOR_VERSION = "2.12.0"
INSPECTOR = f"@modelcontextprotocol/inspector@{INSPECTOR_VERSION}"
MIN_NODE_MAJOR = 22  # the Inspector's package.json: engines.node >= 22.19
INSPECTOR_TIMEOUT_S = 300.0
"""The first run downloads the Inspector and its dependencies into the npx cache; later runs take ~2 s."""

EXPECTED_TOOL_COUNT = 22  # 18 cache tools + 4 analysis tools
HOW_TO_GET_NODE = (
    "The Inspector CLI tests need Node.js >= 22 first on PATH. Run `make node` (installs Node 22 into "
    ".tools/node) and then `make test`, or put .tools/node/bin first on PATH: "
    'PATH="$PWD/.tools/node/bin:$PATH" .venv/bin/pytest tests/e2e'
)


@dataclass(frozen=True)
class Node:
    node: Path
    npx: Path


@dataclass(frozen=True)
class Run:
    command: list[str]
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        return (
            f"$ {' '.join(self.command)}\nexit code {self.returncode}\n"
            f"stdout:\n{self.stdout[-4000:]}\nstderr:\n{self.stderr[-4000:]}"
        )


@pytest.fixture(scope="module")
def node() -> Node:
    """``node`` and ``npx`` from PATH, checked to be Node >= 22. Fails (never skips) otherwise."""
    found = shutil.which("node")
    if found is None:
        pytest.fail(f"`node` is not on PATH. {HOW_TO_GET_NODE}", pytrace=False)
    node_path = Path(found)
    version = subprocess.run(
        [str(node_path), "--version"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()
    match = re.fullmatch(r"v(\d+)\.\d+\.\d+.*", version)
    if match is None or int(match.group(1)) < MIN_NODE_MAJOR:
        pytest.fail(f"`{node_path}` is Node {version or '(unknown)'}. {HOW_TO_GET_NODE}", pytrace=False)
    # npx runs under whichever `node` is first on PATH, so take the npx installed beside that node.
    beside = node_path.parent / "npx"
    npx = beside if beside.is_file() else Path(shutil.which("npx") or "")
    if not npx.is_file():
        pytest.fail(f"`npx` is missing beside {node_path}. {HOW_TO_GET_NODE}", pytrace=False)
    return Node(node_path, npx)


def inspector_environment(node: Node, state_dir: Path) -> dict[str, str]:
    """This environment, with the checked node first on PATH, npm quiet and non-interactive, and every
    Inspector state file (catalog, client config, OAuth state) in ``state_dir``, not in ~/.mcp-inspector."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(node.node.parent), env.get("PATH", "")])
    env.update(
        {
            "npm_config_yes": "true",
            "npm_config_update_notifier": "false",
            "npm_config_fund": "false",
            "npm_config_audit": "false",
            "NO_COLOR": "1",
            "MCP_STORAGE_DIR": str(state_dir / "storage"),
            "MCP_CATALOG_PATH": str(state_dir / "mcp.json"),
            "MCP_CLIENT_CONFIG_PATH": str(state_dir / "client.json"),
            "MCP_INSPECTOR_OAUTH_STATE_PATH": str(state_dir / "oauth.json"),
        }
    )
    return env


async def inspector(node: Node, tmp_path: Path, url: str, key: str, *args: str) -> Run:
    """Run the Inspector CLI once against ``url`` with ``key`` and return what it printed.

    ``--stored-auth-only`` keeps a refused key from starting an interactive OAuth login;
    ``--format json`` makes stdout one JSON object.
    """
    command = [
        str(node.npx),
        "-y",
        INSPECTOR,
        "--cli",
        url,
        "--transport",
        "http",
        "--stored-auth-only",
        "--format",
        "json",
        *args,
        "--header",  # variadic: keep it last so it swallows no other argument
        f"{KEY_HEADER}: {key}",
    ]
    with anyio.fail_after(INSPECTOR_TIMEOUT_S):
        done = await anyio.run_process(
            command,
            check=False,
            env=inspector_environment(node, tmp_path / "inspector"),
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
        )
    return Run(command, done.returncode, done.stdout.decode(), done.stderr.decode())


def json_output(run: Run) -> dict[str, Any]:
    assert run.returncode == 0, run.describe()
    try:
        output: dict[str, Any] = json.loads(run.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the Inspector's stdout is not one JSON object\n{run.describe()}", pytrace=False)
    return output


@pytest.mark.timeout(INSPECTOR_TIMEOUT_S + 60)
async def test_inspector_lists_the_tools(
    node: Node, tmp_path: Path, e2e_server: ServerProcess, e2e_key: str
) -> None:
    """``--method tools/list``: the Inspector completes the lifecycle and lists all 22 tools."""
    run = await inspector(node, tmp_path, e2e_server.mcp_url, e2e_key, "--method", "tools/list")
    tools = json_output(run)["result"]["tools"]
    names = [tool["name"] for tool in tools]
    assert len(names) == EXPECTED_TOOL_COUNT, names
    assert "get_natural_disasters" in names
    assert all(tool["inputSchema"]["type"] == "object" for tool in tools)


@pytest.mark.timeout(INSPECTOR_TIMEOUT_S + 60)
async def test_inspector_calls_get_natural_disasters(
    node: Node, tmp_path: Path, e2e_server: ServerProcess, e2e_key: str
) -> None:
    """``--method tools/call --tool-name get_natural_disasters``: one text item holding the cache answer,
    with the bundled snapshot's earthquakes marked stale."""
    run = await inspector(
        node,
        tmp_path,
        e2e_server.mcp_url,
        e2e_key,
        "--method",
        "tools/call",
        "--tool-name",
        "get_natural_disasters",
    )
    result = json_output(run)["result"]
    assert result.get("isError") is False, run.describe()
    [block] = result["content"]
    assert block["type"] == "text"
    answer = json.loads(block["text"])
    assert answer["stale"] is True
    assert isinstance(answer["cached_at"], str)
    assert answer["data"]["earthquakes"]["earthquakes"], "the snapshot's earthquakes are missing"


@pytest.mark.timeout(INSPECTOR_TIMEOUT_S + 60)
async def test_inspector_reports_a_refused_key(node: Node, tmp_path: Path, e2e_server: ServerProcess) -> None:
    """A wrong key: the Inspector gets the 401 and exits non-zero naming the JSON-RPC error -32001,
    without trying an interactive login (``--stored-auth-only``)."""
    run = await inspector(
        node, tmp_path, e2e_server.mcp_url, "wm_000000000000_" + "A" * 43, "--method", "tools/list"
    )
    assert run.returncode != 0, run.describe()
    assert "-32001" in run.stderr, run.describe()
    assert e2e_server.alive(), e2e_server.describe()


@pytest.mark.timeout(INSPECTOR_TIMEOUT_S + 60)
async def test_inspector_in_the_modern_era(
    node: Node, tmp_path: Path, e2e_server: ServerProcess, e2e_key: str
) -> None:
    """``--protocol-era modern``: the 2026-07-28 stateless revision, with no initialize handshake."""
    listed = await inspector(
        node, tmp_path, e2e_server.mcp_url, e2e_key, "--protocol-era", "modern", "--method", "tools/list"
    )
    assert len(json_output(listed)["result"]["tools"]) == EXPECTED_TOOL_COUNT
    called = await inspector(
        node,
        tmp_path,
        e2e_server.mcp_url,
        e2e_key,
        "--protocol-era",
        "modern",
        "--method",
        "tools/call",
        "--tool-name",
        "get_cyber_threats",
    )
    result = json_output(called)["result"]
    assert result.get("isError") is False, called.describe()
    assert json.loads(result["content"][0]["text"])["data"]["kev"]["vulnerabilities"]
