"""The bundled snapshot manifest stays in step with the samples and the parsers (regenerate with
`make snapshot`)."""

from __future__ import annotations

import hashlib
from importlib import resources

from worldmonitor_mcp.seeders import FEEDS, manifest


def test_bundled_manifest_matches_the_parsers() -> None:
    assert manifest.bundled() == manifest.render(), "the snapshot changed: run `make snapshot`"


def test_every_feed_with_a_sample_is_described_with_its_hash_and_source() -> None:
    entries = {entry["feed"]: entry for entry in manifest.build_manifest()["feeds"]}
    with_samples = {feed.name for feed in FEEDS.values() if feed.snapshot_file}
    assert set(entries) == with_samples
    for entry in entries.values():
        payload = resources.files("worldmonitor_mcp.snapshot").joinpath(entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(payload).hexdigest()
        assert " @ " in entry["copied_from"]
        assert entry["records"] >= 0
