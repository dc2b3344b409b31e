"""The official conformance suite's authorization-server scenarios against the real server process.

``make conformance-authorization`` runs this. It starts ``worldmonitor-mcp serve`` on a free port with
an empty data directory (so it prints a first API key), registers a public client by Dynamic Client
Registration with the suite's callback as redirect URI, and runs ``conformance authorization``. The
authorization-code scenario prints an authorization URL and waits for a person; this script is that
person: it opens the consent page, pastes the key, approves, and follows the redirect to the suite's
callback listener. It fails on any check that is not SUCCESS, so a WARNING fails it too.

Scenarios (conformance 0.2.0-alpha.12) and the clauses they check:

| scenario                                | clauses                                                   |
|-----------------------------------------|-----------------------------------------------------------|
| authorization-server-metadata-endpoint  | RFC 8414 §3 (200, JSON, issuer), S256, response_types,    |
|                                         | client_id_metadata_document_supported (MCP 2025-11-25)    |
| authorization-code-grant                | OAuth 2.1 §4.1 with PKCE S256, state, iss (RFC 9207),     |
|                                         | RFC 8707 resource, token reply JSON + Cache-Control       |
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / ".tools" / "conformance" / "node_modules" / ".bin" / "conformance"
SERVE = Path(sys.executable).parent / "worldmonitor-mcp"
KEY = re.compile(r"wm_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")
NONCE = re.compile(r'name="nonce" value="([^"]+)"')
SUITE_TIMEOUT_S = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(work: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORLDMONITOR_")}
    env.update(WORLDMONITOR_DATA_DIR=str(work / "data"), PYTHONUNBUFFERED="1")
    log = (work / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [str(SERVE), "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.options(f"{base}/mcp", timeout=1).status_code == 204:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        server.terminate()
        sys.exit(f"the server did not start:\n{(work / 'server.log').read_text()}")
    found = KEY.search((work / "server.log").read_text())
    if not found:
        server.terminate()
        sys.exit("the server printed no first API key")
    return server, base, found.group(0)


def consent(authorize_url: str, key: str) -> None:
    """What a person does in the browser: read the page, paste the key, approve."""
    with httpx.Client(timeout=10) as http:
        page = http.get(authorize_url)
        page.raise_for_status()
        nonce = NONCE.search(page.text)
        if nonce is None:
            raise SystemExit(f"no consent form at {authorize_url}:\n{page.text[:2000]}")
        approved = http.post(
            str(page.url).split("?")[0],
            data={"nonce": nonce.group(1), "api_key": key, "action": "approve"},
        )
        if approved.status_code != 303:
            raise SystemExit(f"approval answered {approved.status_code}:\n{approved.text[:2000]}")
        # The suite's callback listener; it may print the URL a moment before it listens.
        for _ in range(50):
            try:
                http.get(approved.headers["location"])
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise SystemExit("the suite's callback listener never answered")


def main() -> int:
    if not SUITE.exists():
        sys.exit(f"{SUITE} is missing: run `make conformance-authorization` (it installs the suite)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server, base, key = start_server(work)
        try:
            callback_port = free_port()
            registration = httpx.post(
                f"{base}/oauth/register",
                json={
                    "client_name": "MCP conformance suite",
                    "redirect_uris": [f"http://127.0.0.1:{callback_port}/callback"],
                    "token_endpoint_auth_method": "none",
                },
            )
            registration.raise_for_status()
            command = [
                str(SUITE),
                "authorization",
                "--url",
                base,
                "--client-id",
                registration.json()["client_id"],
                "--resource",
                f"{base}/mcp",
                "--port",
                str(callback_port),
                "-o",
                str(work / "results"),
            ]
            suite = subprocess.Popen(  # noqa: S603
                command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=work
            )
            output: list[str] = []
            deadline = time.monotonic() + SUITE_TIMEOUT_S
            assert suite.stdout is not None
            for line in suite.stdout:
                output.append(line)
                if line.startswith(f"{base}/oauth/authorize?"):
                    consent(line.strip(), key)
                if time.monotonic() > deadline:
                    suite.kill()
                    break
            suite.wait(timeout=30)
        finally:
            server.terminate()
            server.wait(timeout=10)
        print("".join(output))
        checks = [
            check
            for path in sorted((work / "results").rglob("*.json"))
            for check in _checks(json.loads(path.read_text()))
        ]
        bad = [c for c in checks if c.get("status") != "SUCCESS"]
        print(f"authorization conformance: {len(checks) - len(bad)} passed, {len(bad)} failed or warned")
        for check in bad:
            detail = check.get("errorMessage") or check.get("description")
            print(f"  {check.get('status')}: {check.get('id')}: {detail}")
        if not checks:
            print("no checks were recorded")
            return 1
        if bad or suite.returncode != 0:
            print((work / "server.log").read_text()[-5000:] if (work / "server.log").exists() else "")
            return 1
        return 0


def _checks(data: object) -> list[dict[str, object]]:
    if isinstance(data, list):
        return [c for c in data if isinstance(c, dict) and "status" in c]
    if isinstance(data, dict):
        nested = data.get("checks")
        return _checks(nested) if nested is not None else []
    return []


if __name__ == "__main__":
    raise SystemExit(main())
