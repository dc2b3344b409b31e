"""The whole OAuth flow in a real browser against the real server process: Dynamic Client
Registration, the authorization request, the consent page, pasting the key, Approve (and Deny), the
redirect to the client's local listener, the code exchange with PKCE, and tools/list with the token.

The browser is Debian's Chromium driven by Playwright through its executable path (Playwright's own
browser download cannot run here). Without /usr/bin/chromium this test FAILS with the command that
installs it: a skipped browser test would hide a broken consent page.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from server import ServerProcess, start_server

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "consent-page.png"
OAUTH_SERVER_ENV = {
    "WORLDMONITOR_RATE_LIMIT": "100000",
    "WORLDMONITOR_AUTHORIZE_RATE_LIMIT": "1000",
    "WORLDMONITOR_REGISTRATION_RATE_LIMIT": "1000",
}


class Listener:
    """The client's redirect target: a loopback HTTP server that records each callback's query."""

    def __init__(self) -> None:
        self.queries: list[dict[str, str]] = []
        received = self.queries
        arrived = self.arrived = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if urlsplit(self.path).path != "/callback":  # the browser also asks for /favicon.ico
                    self.send_error(404)
                    return
                received.append({k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()})
                arrived.set()
                body = b"<!doctype html><title>Done</title><p>You can close this window."
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self.redirect_uri = f"http://127.0.0.1:{self._server.server_address[1]}/callback"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def wait(self) -> dict[str, str]:
        assert self.arrived.wait(15), "the browser never reached the client's redirect URI"
        self.arrived.clear()
        return self.queries[-1]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def oauth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("oauth-browser")
    server = start_server(root / "data", root / "logs", env=OAUTH_SERVER_ENV)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing, and the browser test needs it. Install Debian's Chromium: "
            "`make chromium` (apt-get install chromium, as root; .ci/run does it).",
            pytrace=False,
        )
    return CHROMIUM


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def register(base_url: str, redirect_uri: str) -> str:
    async with httpx.AsyncClient() as http:
        reply = await http.post(
            f"{base_url}/oauth/register",
            json={
                "client_name": "Browser Test Client",
                "redirect_uris": [redirect_uri],
                "token_endpoint_auth_method": "none",
            },
        )
    assert reply.status_code == 201, reply.text
    return str(reply.json()["client_id"])


def authorize_url(
    server: ServerProcess, client_id: str, redirect_uri: str, challenge: str, state: str
) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": state,
        "scope": "mcp",
        "resource": server.mcp_url,
    }
    return f"{server.base_url}/oauth/authorize?{urlencode(query)}"


async def test_browser_dcr_consent_approve_token_tools_list(
    oauth_server: ServerProcess, listener: Listener, chromium_path: Path, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    key = oauth_server.first_key()
    assert key, oauth_server.describe()
    client_id = await register(oauth_server.base_url, listener.redirect_uri)
    verifier, challenge = pkce()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 800, "height": 900})
        response = await page.goto(
            authorize_url(oauth_server, client_id, listener.redirect_uri, challenge, "s1")
        )
        assert response is not None
        assert response.status == 200
        assert await page.title() == "Connect Browser Test Client to WorldMonitor"
        assert await page.locator("h1").inner_text() == "Connect Browser Test Client?"
        await page.screenshot(path=str(tmp_path / "consent-page.png"), full_page=True)
        if os.environ.get("UPDATE_SCREENSHOTS"):
            await page.screenshot(path=str(SCREENSHOT), full_page=True)
        await page.fill("#api_key", key)
        await page.click("button[value=approve]")
        query = listener.wait()
        await page.wait_for_load_state()
        await browser.close()
    assert query["state"] == "s1"
    assert query["iss"] == oauth_server.base_url
    async with httpx.AsyncClient() as http:
        tokens = await http.post(
            f"{oauth_server.base_url}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": query["code"],
                "redirect_uri": listener.redirect_uri,
                "code_verifier": verifier,
                "client_id": client_id,
                "resource": oauth_server.mcp_url,
            },
        )
        assert tokens.status_code == 200, tokens.text
        listed = await http.post(
            oauth_server.mcp_url,
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={
                "Authorization": f"Bearer {tokens.json()['access_token']}",
                "Accept": "application/json, text/event-stream",
            },
        )
    assert listed.status_code == 200, listed.text
    assert len(listed.json()["result"]["tools"]) >= 18


async def test_browser_deny_sends_access_denied(
    oauth_server: ServerProcess, listener: Listener, chromium_path: Path
) -> None:
    from playwright.async_api import async_playwright

    client_id = await register(oauth_server.base_url, listener.redirect_uri)
    _, challenge = pkce()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.goto(authorize_url(oauth_server, client_id, listener.redirect_uri, challenge, "s2"))
        await page.click("button[value=deny]")
        query = listener.wait()
        await browser.close()
    assert query["error"] == "access_denied"
    assert query["state"] == "s2"
    assert "code" not in query


async def test_browser_wrong_key_shows_the_error_and_allows_a_retry(
    oauth_server: ServerProcess, listener: Listener, chromium_path: Path
) -> None:
    from playwright.async_api import async_playwright

    key = oauth_server.first_key()
    assert key
    client_id = await register(oauth_server.base_url, listener.redirect_uri)
    _, challenge = pkce()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.goto(authorize_url(oauth_server, client_id, listener.redirect_uri, challenge, "s3"))
        await page.fill("#api_key", "wm_000000000000_" + "x" * 43)
        await page.click("button[value=approve]")
        assert "not valid" in await page.locator("[role=alert]").inner_text()
        await page.fill("#api_key", key)
        await page.click("button[value=approve]")
        query = listener.wait()
        await browser.close()
    assert "code" in query
