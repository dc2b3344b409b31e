"""docs/feeds.md is generated from the registry (seeders/catalog.py) and fails here when it drifts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from worldmonitor_mcp.seeders import COMPOSITES, FEEDS
from worldmonitor_mcp.seeders.base import UpstreamRequest
from worldmonitor_mcp.seeders.catalog import BEGIN, END, feeds_table, main, splice
from worldmonitor_mcp.seeders.usgs import FEED as USGS

FEEDS_MD = Path(__file__).resolve().parents[2] / "docs" / "feeds.md"


def test_docs_feeds_md_lists_every_registered_feed() -> None:
    document = FEEDS_MD.read_text()
    expected = splice(document, feeds_table(FEEDS.values(), COMPOSITES.values()))
    assert document == expected, (
        "docs/feeds.md is out of date: run `python -m worldmonitor_mcp.seeders.catalog docs/feeds.md`"
    )
    for feed in FEEDS.values():
        assert f"| `{feed.name}` |" in document


def test_a_row_says_url_cadence_keys_written_key_needed_and_licence() -> None:
    def build(key: str | None) -> UpstreamRequest:
        return UpstreamRequest("https://api.example.org/obs", params={"api_key": key or ""})

    keyed = dataclasses.replace(
        USGS,
        name="fred",
        needs_key="FRED",
        build_request=build,
        upstream_url="https://api.example.org/obs",
        licence="",
    )
    table = feeds_table([dataclasses.replace(USGS, cadence_s=300, licence="public domain (USGS)"), keyed], [])
    usgs_row, fred_row = table.splitlines()[2:4]
    assert usgs_row == (
        f"| `usgs-earthquakes` | <{USGS.upstream_url}> | 5m | `seismology:earthquakes:v1`, "
        "`seed-meta:seismology:earthquakes` | none | public domain (USGS) |"
    )
    assert "`https://api.example.org/obs` (with the key)" in fred_row
    assert "`WORLDMONITOR_FEED_FRED_KEY`" in fred_row
    assert fred_row.endswith("| not recorded |")


def test_main_rewrites_only_the_generated_part(tmp_path: Path) -> None:
    page = tmp_path / "feeds.md"
    page.write_text(f"# Feeds\n\nhand-written\n\n{BEGIN}\nold table\n{END}\n\nmore prose\n")
    assert main([str(page)]) == 0
    text = page.read_text()
    assert "old table" not in text
    assert text.startswith("# Feeds\n\nhand-written\n\n")
    assert text.endswith(f"{END}\n\nmore prose\n")
    assert "| `usgs-earthquakes` |" in text


def test_splice_needs_the_markers() -> None:
    with pytest.raises(ValueError, match="lacks the markers"):
        splice("no markers here", "table")
