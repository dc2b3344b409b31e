"""Docs are tested too: every setting is documented, and the README opens with the two commands."""

from __future__ import annotations

from pathlib import Path

from worldmonitor_mcp.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_in_configuration_md() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    missing = [name for name in Settings.model_fields if f"`WORLDMONITOR_{name.upper()}`" not in text]
    assert missing == [], f"document these settings in docs/configuration.md: {missing}"


def test_readme_opens_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text().split("\n## ")[0]
    assert "make serve" in head
    assert "make test" in head
