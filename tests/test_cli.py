"""The worldmonitor-mcp command, driven in-process with click's CliRunner."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from worldmonitor_mcp.cli import main

KEY_RE = re.compile(r"wm_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


@pytest.fixture
def runner(tmp_path: Path) -> CliRunner:
    return CliRunner(env={"WORLDMONITOR_DATA_DIR": str(tmp_path), "WORLDMONITOR_REDIS_URL": None})


def test_keys_create_prints_the_key_once_and_list_never_does(runner: CliRunner) -> None:
    created = runner.invoke(main, ["keys", "create", "--label", "ci bot"])
    assert created.exit_code == 0, created.output
    [key] = KEY_RE.findall(created.output)
    listed = runner.invoke(main, ["keys", "list"])
    assert listed.exit_code == 0
    assert "ci bot" in listed.output
    assert key.split("_")[1] in listed.output
    assert key not in listed.output
    assert "active" in listed.output
    assert "never" in listed.output


def test_keys_revoke(runner: CliRunner) -> None:
    created = runner.invoke(main, ["keys", "create", "--label", "temp"])
    key_id = KEY_RE.findall(created.output)[0].split("_")[1]
    revoked = runner.invoke(main, ["keys", "revoke", key_id])
    assert revoked.exit_code == 0
    assert "revoked" in runner.invoke(main, ["keys", "list"]).output


def test_operator_mistakes_end_in_one_clear_sentence(runner: CliRunner) -> None:
    unknown = runner.invoke(main, ["keys", "revoke", "000000000000"])
    assert unknown.exit_code == 1
    assert "keys list" in unknown.output
    assert "Traceback" not in unknown.output
    bad_label = runner.invoke(main, ["keys", "create", "--label", " "])
    assert bad_label.exit_code == 1
    assert "label" in bad_label.output


def test_invalid_setting_names_the_setting(tmp_path: Path) -> None:
    runner = CliRunner(env={"WORLDMONITOR_DATA_DIR": str(tmp_path), "WORLDMONITOR_REDIS_URL": "http://nope"})
    result = runner.invoke(main, ["keys", "list"])
    assert result.exit_code == 1
    assert "WORLDMONITOR_REDIS_URL" in result.output
    assert "Traceback" not in result.output


def test_unreachable_redis_is_a_clear_error(tmp_path: Path) -> None:
    runner = CliRunner(
        env={
            "WORLDMONITOR_REDIS_URL": "redis://:hunter2@127.0.0.1:1/0",
            "WORLDMONITOR_STORE_TIMEOUT_S": "0.3",
        }
    )
    result = runner.invoke(main, ["keys", "list"])
    assert result.exit_code == 1
    assert "unreachable" in result.output
    assert "hunter2" not in result.output


def test_serve_is_the_default_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert "serve" in result.output
    assert "keys" in result.output
    serve_help = CliRunner().invoke(main, ["serve", "--help"])
    for flag in ["--host", "--port", "--workers", "--public-url", "--data-dir"]:
        assert flag in serve_help.output


SAMPLES = Path(__file__).resolve().parent.parent / "src" / "worldmonitor_mcp" / "snapshot"


def test_seed_from_dir_reports_each_feed(runner: CliRunner, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "4.5_week.geojson").write_bytes((SAMPLES / "usgs_earthquakes_4.5_week.geojson").read_bytes())
    (feeds / "notes.txt").write_text("not a feed")
    result = runner.invoke(main, ["seed", "--from-dir", str(feeds)])
    assert result.exit_code == 0, result.output
    assert "seeded" in result.output
    assert "seismology:earthquakes:v1" in result.output
    assert "50 records" in result.output
    assert "unrecognised" in result.output


def test_seed_from_dir_fails_clearly_on_a_broken_file(runner: CliRunner, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "known_exploited_vulnerabilities.json").write_text("<html>502 Bad Gateway</html>")
    result = runner.invoke(main, ["seed", "--from-dir", str(feeds)])
    assert result.exit_code == 1
    assert "failed" in result.output
    assert "Traceback" not in result.output
