"""The snapshot manifest: what the bundled snapshot holds, and where each piece came from.

``python -m worldmonitor_mcp.seeders.manifest PATH`` (``make snapshot``) runs every registered feed's
parser over its bundled genuine sample and writes one record per feed: the file and its SHA-256, the
key written, the record count, the data's own time, the upstream URL, the licence, and the public copy
the sample was taken from (SOURCES.md). The server serves it as ``worldmonitor://sources``; a test
fails when the manifest and the parsers disagree, so it cannot drift.
"""

from __future__ import annotations

import hashlib
import re
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from . import FEEDS
from ._dates import iso_utc
from .snapshot import SNAPSHOT_PACKAGE

MANIFEST_NAME = "manifest.json"
_FILE_CELL = re.compile(r"`(?P<file>[^`]+)`")


def _sample_provenance() -> dict[str, dict[str, str]]:
    text = resources.files(SNAPSHOT_PACKAGE).joinpath("SOURCES.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        # Provenance table columns: file, size, upstream feed, public copy (repo @ commit : path), date, ...
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        match = _FILE_CELL.fullmatch(cells[0]) if len(cells) >= 7 else None
        if match and " @ " in cells[3] and match["file"] not in rows:
            rows[match["file"]] = {"copied_from": cells[3], "data_date": cells[4]}
    return rows


def _iso(epoch_ms: int | None) -> str | None:
    return None if epoch_ms is None else iso_utc(epoch_ms)


def build_manifest() -> dict[str, Any]:
    provenance = _sample_provenance()
    feeds = []
    for feed in FEEDS.values():
        if not feed.snapshot_file:
            continue
        payload = resources.files(SNAPSHOT_PACKAGE).joinpath(feed.snapshot_file).read_bytes()
        parsed = feed.parse(payload)
        data_time = parsed.published_at_ms or parsed.newest_item_at_ms or feed.sample_fetched_at_ms
        feeds.append(
            {
                "feed": feed.name,
                "key": feed.data_key,
                "file": feed.snapshot_file,
                "sha256": hashlib.sha256(payload).hexdigest(),
                "records": parsed.record_count,
                "data_time": _iso(data_time),
                "upstream_url": feed.upstream_url,
                "licence": feed.licence,
                **provenance.get(feed.snapshot_file, {}),
            }
        )
    return {
        "about": "Genuine upstream samples bundled with worldmonitor-mcp; details in SOURCES.md.",
        "feeds": feeds,
    }


def render() -> bytes:
    return orjson.dumps(build_manifest(), option=orjson.OPT_INDENT_2) + b"\n"


def bundled() -> bytes:
    return resources.files(SNAPSHOT_PACKAGE).joinpath(MANIFEST_NAME).read_bytes()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m worldmonitor_mcp.seeders.manifest PATH", file=sys.stderr)
        return 2
    Path(argv[0]).write_bytes(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
