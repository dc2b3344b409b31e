"""The live-fetching fields of Feed (seeders/base.py): defaults that keep every older Feed(...) valid,
the request they build, and what register refuses."""

from __future__ import annotations

import dataclasses

import pytest

from worldmonitor_mcp.seeders import FEEDS, register
from worldmonitor_mcp.seeders.base import DEFAULT_CADENCE_S, DEFAULT_MAX_BYTES, UpstreamRequest
from worldmonitor_mcp.seeders.usgs import FEED as USGS

OTHER = {
    "name": "copy",
    "resource": "copy",
    "data_key": "copy:v1",
    "file_names": ("c.json",),
    "snapshot_file": "c.json",
}


def test_a_feed_without_live_fields_is_a_keyless_hourly_feed_of_its_upstream_url() -> None:
    plain = dataclasses.replace(USGS, **OTHER)  # type: ignore[arg-type]
    bare = type(USGS)(
        name="bare",
        domain="d",
        resource="r",
        data_key="d:r:v1",
        parse=USGS.parse,
        count_records=USGS.count_records,
        upstream_url="https://example.org/feed.json",
        snapshot_file="f.json",
        file_names=("f.json",),
        cache_ttl_s=3600,
    )
    assert (bare.cadence_s, bare.needs_key, bare.min_records, bare.max_bytes) == (
        DEFAULT_CADENCE_S,
        None,
        0,
        DEFAULT_MAX_BYTES,
    )
    assert bare.max_drop_fraction == 0.9
    assert bare.request() == UpstreamRequest("https://example.org/feed.json")
    assert plain.request("ignored").url == USGS.upstream_url


def test_a_keyed_feed_builds_its_request_from_the_key() -> None:
    def build(key: str | None) -> UpstreamRequest:
        return UpstreamRequest("https://api.example.org/obs", params={"api_key": key or ""})

    keyed = dataclasses.replace(USGS, needs_key="FRED", build_request=build)
    assert keyed.request("k1") == UpstreamRequest("https://api.example.org/obs", params={"api_key": "k1"})


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"cadence_s": 0}, "must be positive"),
        ({"max_bytes": -1}, "must be positive"),
        ({"min_records": -1}, "0 or more"),
        ({"max_drop_fraction": 0.0}, r"in \(0, 1\]"),
        ({"max_drop_fraction": 1.5}, r"in \(0, 1\]"),
        ({"needs_key": "fred", "build_request": UpstreamRequest}, "must be upper case"),
        ({"needs_key": "FRED-API", "build_request": UpstreamRequest}, "must be upper case"),
        ({"needs_key": "FRED"}, "has no build_request"),
    ],
)
def test_register_refuses_bad_live_fields(
    changes: dict[str, object], problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("worldmonitor_mcp.seeders.base.FEEDS", dict(FEEDS))
    with pytest.raises(ValueError, match=problem):
        register(dataclasses.replace(USGS, **OTHER, **changes))  # type: ignore[arg-type]
