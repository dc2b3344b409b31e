"""The OAuth operator commands: clients create/list/delete, grants list/revoke, and keys revoke
ending the grants made with the key."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from support import FakeClock
from worldmonitor_mcp.app import create_app
from worldmonitor_mcp.cli import main
from worldmonitor_mcp.settings import Settings
from worldmonitor_mcp.store.sqlite import SqliteStore

CLIENT_ID_RE = re.compile(r"wmc_[0-9a-f]{32}")
SECRET_RE = re.compile(r"wmcs_[A-Za-z0-9_-]{43}")
KEY_RE = re.compile(r"wm_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


@pytest.fixture
def runner(tmp_path: Path) -> CliRunner:
    return CliRunner(env={"WORLDMONITOR_DATA_DIR": str(tmp_path), "WORLDMONITOR_REDIS_URL": None})


def test_clients_create_prints_id_and_secret_once_and_list_never_shows_the_secret(runner: CliRunner) -> None:
    created = runner.invoke(
        main,
        [
            "clients",
            "create",
            "--name",
            "Claude",
            "--redirect-uri",
            "https://claude.ai/api/mcp/auth_callback",
        ],
    )
    assert created.exit_code == 0, created.output
    [client_id] = set(CLIENT_ID_RE.findall(created.output))
    [secret] = SECRET_RE.findall(created.output)
    assert "shown only this once" in created.output
    listed = runner.invoke(main, ["clients", "list"])
    assert client_id in listed.output
    assert "confidential" in listed.output
    assert "Claude" in listed.output
    assert secret not in listed.output
    deleted = runner.invoke(main, ["clients", "delete", client_id])
    assert deleted.exit_code == 0
    assert client_id not in runner.invoke(main, ["clients", "list"]).output


def test_clients_create_refuses_a_bad_redirect_uri(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["clients", "create", "--name", "X", "--redirect-uri", "http://evil.example/cb"]
    )
    assert result.exit_code == 1
    assert "loopback" in result.output
    assert "Traceback" not in result.output


def test_clients_delete_unknown(runner: CliRunner) -> None:
    result = runner.invoke(main, ["clients", "delete", "wmc_" + "0" * 32])
    assert result.exit_code == 1
    assert "clients list" in result.output


def test_public_client(runner: CliRunner) -> None:
    created = runner.invoke(
        main, ["clients", "create", "--name", "Local", "--redirect-uri", "http://127.0.0.1/cb", "--public"]
    )
    assert created.exit_code == 0
    assert not SECRET_RE.findall(created.output)


async def _grant(tmp_path: Path, key: str) -> str:
    """A consent made through the app on the CLI's store; returns the access token."""
    from oauth.oauth_support import code_flow

    store = SqliteStore(tmp_path / "worldmonitor.sqlite3")
    app = create_app(Settings(data_dir=tmp_path), store=store, clock_ms=FakeClock())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
    ) as http:
        _, tokens = await code_flow(http, key)
    await store.aclose()
    return str(tokens["access_token"])


def test_grants_list_and_revoke(runner: CliRunner, tmp_path: Path) -> None:
    key = KEY_RE.findall(runner.invoke(main, ["keys", "create", "--label", "alice"]).output)[0]
    key_id = key.split("_")[1]
    access = asyncio.run(_grant(tmp_path, key))
    grant_id = access.split("_")[2]
    listed = runner.invoke(main, ["grants", "list", "--key", key_id])
    assert listed.exit_code == 0
    assert grant_id in listed.output
    assert "Test Client" in listed.output
    assert "active" in listed.output
    assert access not in listed.output
    assert "No OAuth grants" in runner.invoke(main, ["grants", "list", "--key", "000000000000"]).output
    revoked = runner.invoke(main, ["grants", "revoke", grant_id])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in runner.invoke(main, ["grants", "list"]).output
    assert runner.invoke(main, ["grants", "revoke", "ffffffffffffffff"]).exit_code == 1


def test_keys_revoke_revokes_the_grants_made_with_it(runner: CliRunner, tmp_path: Path) -> None:
    key = KEY_RE.findall(runner.invoke(main, ["keys", "create", "--label", "bob"]).output)[0]
    asyncio.run(_grant(tmp_path, key))
    revoked = runner.invoke(main, ["keys", "revoke", key.split("_")[1]])
    assert revoked.exit_code == 0
    assert "1 OAuth grant" in revoked.output
    assert "revoked" in runner.invoke(main, ["grants", "list"]).output
