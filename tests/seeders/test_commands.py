"""`worldmonitor-mcp seed` and `worldmonitor-mcp feeds` (cli.py over seeders/commands.py), driven with
CliRunner; live runs fetch from a real local upstream serving the genuine samples."""

from __future__ import annotations

import dataclasses
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner
from upstream_server import ConditionalFile, Reply, Upstream, upstream

from worldmonitor_mcp.cli import main
from worldmonitor_mcp.seeders import FEEDS
from worldmonitor_mcp.seeders.base import Feed, UpstreamRequest
from worldmonitor_mcp.seeders.commands import duration_label

__all__ = ["upstream"]

USGS, KEV = FEEDS["usgs-earthquakes"], FEEDS["cisa-kev"]


def sample(name: str) -> bytes:
    return resources.files("worldmonitor_mcp.snapshot").joinpath(name).read_bytes()


@pytest.fixture
def runner(tmp_path: Path) -> CliRunner:
    # No retries: a failing upstream fails at once instead of backing off for real seconds.
    return CliRunner(
        env={
            "WORLDMONITOR_DATA_DIR": str(tmp_path),
            "WORLDMONITOR_REDIS_URL": None,
            "WORLDMONITOR_FEED_RETRIES": "0",
        }
    )


def keyed(upstream: Upstream) -> Feed:
    def build(key: str | None) -> UpstreamRequest:
        return UpstreamRequest(upstream.url("/keyed"), headers={"X-Key": key or ""})

    upstream.file("/keyed", ConditionalFile(sample("cisa_kev.json")))
    return dataclasses.replace(
        KEV,
        name="kev-pro",
        resource="kev-pro",
        data_key="cyber:kev-pro:v1",
        needs_key="KEVPRO",
        build_request=build,
    )


@pytest.fixture
def local_feeds(upstream: Upstream, monkeypatch: pytest.MonkeyPatch) -> dict[str, Feed]:
    """The registry, for these commands, is USGS and KEV served locally plus a feed that needs a key."""
    feeds = {
        "usgs-earthquakes": dataclasses.replace(
            USGS,
            upstream_url=upstream.file("/usgs", ConditionalFile(sample("usgs_earthquakes_4.5_week.geojson"))),
        ),
        "cisa-kev": dataclasses.replace(KEV, upstream_url=upstream.script("/kev", Reply(500, b"down"))),
    }
    feeds["kev-pro"] = keyed(upstream)
    monkeypatch.setattr("worldmonitor_mcp.seeders.commands.FEEDS", feeds)
    return feeds


def test_seed_once_runs_the_named_feed(
    runner: CliRunner, local_feeds: dict[str, Feed], upstream: Upstream
) -> None:
    result = runner.invoke(main, ["seed", "usgs-earthquakes", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "seeded     usgs-earthquakes  50 records"
    assert upstream.hits("/kev") == []


def test_seed_without_a_mode_runs_every_feed_once_and_fails_on_a_failure(
    runner: CliRunner, local_feeds: dict[str, Feed]
) -> None:
    result = runner.invoke(main, ["seed"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "seeded     usgs-earthquakes  50 records"
    assert lines[1].startswith("failed     cisa-kev: http-status: http://127.0.0.1:")  # the feed named once
    assert "answered HTTP 500" in lines[1]
    assert lines[2] == "skipped    kev-pro: disabled: set WORLDMONITOR_FEED_KEVPRO_KEY"
    assert "last good data is kept" in result.output
    assert "Traceback" not in result.output


def test_naming_a_feed_without_its_key_fails(runner: CliRunner, local_feeds: dict[str, Feed]) -> None:
    result = runner.invoke(main, ["seed", "kev-pro"])
    assert result.exit_code == 1
    assert "failed     kev-pro: disabled: set WORLDMONITOR_FEED_KEVPRO_KEY" in result.output


def test_a_configured_key_enables_the_feed_and_never_shows(
    runner: CliRunner, local_feeds: dict[str, Feed], upstream: Upstream
) -> None:
    result = runner.invoke(
        main, ["seed", "kev-pro", "--once"], env={"WORLDMONITOR_FEED_KEVPRO_KEY": "k-secret"}
    )
    assert result.exit_code == 0, result.output
    assert upstream.hits("/keyed")[0].headers["x-key"] == "k-secret"
    listed = runner.invoke(main, ["feeds"], env={"WORLDMONITOR_FEED_KEVPRO_KEY": "k-secret"})
    assert "k-secret" not in result.output + listed.output


def test_feeds_lists_cadence_runs_records_and_status(runner: CliRunner, local_feeds: dict[str, Feed]) -> None:
    before = runner.invoke(main, ["feeds"])
    assert before.exit_code == 0, before.output
    header, usgs, _kev, pro = before.output.splitlines()
    assert header.split() == ["FEED", "CADENCE", "LAST", "RUN", "LAST", "SUCCESS", "RECORDS", "STATUS"]
    assert usgs.split()[:4] == ["usgs-earthquakes", duration_label(USGS.cadence_s), "never", "never"]
    assert usgs.endswith("not run yet")
    assert pro.endswith("disabled: set WORLDMONITOR_FEED_KEVPRO_KEY")

    runner.invoke(main, ["seed", "--once"])
    after = runner.invoke(main, ["feeds"]).output.splitlines()
    assert after[1].split()[-2:] == ["50", "ok"]
    assert after[2].endswith("failing x1: http-status")
    assert after[4].startswith("cisa-kev at ")  # the failing feed's message, under the table
    assert "answered HTTP 500" in after[4]


def test_feeds_shows_file_data_that_was_never_run_live(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "quakes.geojson"
    path.write_bytes(sample("usgs_earthquakes_4.5_week.geojson"))
    assert runner.invoke(main, ["seed", "usgs-earthquakes", "--from-file", str(path)]).exit_code == 0
    usgs_line = next(line for line in runner.invoke(main, ["feeds"]).output.splitlines() if "usgs" in line)
    assert usgs_line.endswith("50       not run yet (file data)")


def test_seed_from_file_reports_the_feed(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "kev.json"
    path.write_bytes(sample("cisa_kev.json"))
    result = runner.invoke(main, ["seed", "cisa-kev", "--from-file", str(path)])
    assert result.exit_code == 0, result.output
    assert "seeded" in result.output
    assert "100 records" in result.output
    wrong = runner.invoke(main, ["seed", "usgs-earthquakes", "--from-file", str(path)])
    assert wrong.exit_code == 1
    assert "could not be seeded as usgs-earthquakes" in wrong.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["seed", "--from-file", "{file}"], "needs exactly one FEED"),
        (["seed", "cisa-kev", "usgs-earthquakes", "--from-file", "{file}"], "needs exactly one FEED"),
        (["seed", "cisa-kev", "--once", "--from-file", "{file}"], "no --once or --schedule"),
        (["seed", "cisa-kev", "--from-dir", "{dir}"], "give no FEED"),
        (["seed", "--schedule", "--from-dir", "{dir}"], "give no FEED"),
        (["seed", "no-such-feed"], "no feed named no-such-feed; `worldmonitor-mcp feeds` lists them"),
    ],
)
def test_operator_mistakes_end_in_one_sentence(
    runner: CliRunner, tmp_path: Path, arguments: list[str], message: str
) -> None:
    (tmp_path / "f.json").write_text("{}")
    filled = [a.format(file=tmp_path / "f.json", dir=tmp_path) for a in arguments]
    result = runner.invoke(main, filled)
    assert result.exit_code in {1, 2}
    assert message in result.output
    assert "Traceback" not in result.output


def test_seed_schedule_runs_the_scheduler_until_interrupted(
    runner: CliRunner, local_feeds: dict[str, Feed], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[str]] = []

    async def fake_schedule(settings: object, store: object, feeds: list[Feed]) -> None:
        seen.append([feed.name for feed in feeds])
        raise KeyboardInterrupt

    monkeypatch.setattr("worldmonitor_mcp.seeders.commands.run_schedule", fake_schedule)
    result = runner.invoke(main, ["seed", "usgs-earthquakes", "--schedule"])
    assert result.exit_code == 0, result.output
    assert seen == [["usgs-earthquakes"]]
    assert "Stopped." in result.output


@pytest.mark.parametrize(("seconds", "label"), [(300, "5m"), (3600, "1h"), (86400, "1d"), (90, "90s")])
def test_duration_label(seconds: int, label: str) -> None:
    assert duration_label(seconds) == label


def test_an_unreachable_store_is_one_line_per_feed(local_feeds: dict[str, Feed], tmp_path: Path) -> None:
    runner = CliRunner(
        env={
            "WORLDMONITOR_REDIS_URL": "redis://:hunter2@127.0.0.1:1/0",
            "WORLDMONITOR_STORE_TIMEOUT_S": "0.3",
        }
    )
    result = runner.invoke(main, ["seed", "usgs-earthquakes"])
    assert result.exit_code == 1
    assert "failed     usgs-earthquakes: the store is unavailable (redis SET NX on redis://127.0.0.1:1" in (
        result.output
    )
    assert "hunter2" not in result.output
    assert "Traceback" not in result.output
