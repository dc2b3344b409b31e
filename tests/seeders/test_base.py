"""The Feed registry and the error hierarchy (seeders/base.py)."""

from __future__ import annotations

import dataclasses

import pytest

from worldmonitor_mcp.errors import WorldMonitorError
from worldmonitor_mcp.seeders import (
    BUILTIN_FEEDS,
    FEEDS,
    EmptyResultError,
    FeedFormatError,
    SeedError,
    UnsafeXmlError,
    register,
)
from worldmonitor_mcp.seeders.usgs import FEED as USGS


def test_builtin_feeds_are_registered_in_order() -> None:
    assert list(FEEDS)[:3] == ["usgs-earthquakes", "cisa-kev", "ecb-fx-rates"]
    assert tuple(FEEDS.values()) == BUILTIN_FEEDS


def test_error_hierarchy_stays_off_the_wire() -> None:
    assert issubclass(UnsafeXmlError, FeedFormatError)
    assert issubclass(FeedFormatError, SeedError)
    assert issubclass(EmptyResultError, SeedError)
    assert not issubclass(SeedError, WorldMonitorError)
    error = FeedFormatError("some-feed", "expected JSON")
    assert str(error) == "some-feed: unrecognised payload: expected JSON"
    assert (error.feed, error.problem) == ("some-feed", "expected JSON")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({}, "already registered"),
        ({"name": "copy"}, "both write the keys"),
        (
            {"name": "copy", "data_key": "copy:v1"},
            r"both write the keys \['seed-meta:seismology:earthquakes'\]",
        ),
        ({"name": "copy", "data_key": "copy:v1", "resource": "copy"}, "both claim the files"),
        (
            {"name": "copy", "resource": "copy", "file_names": ("a.json",), "snapshot_file": "b.json"},
            "is not in file_names",
        ),
    ],
)
def test_register_refuses_clashes(
    changes: dict[str, object], problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("worldmonitor_mcp.seeders.base.FEEDS", dict(FEEDS))
    with pytest.raises(ValueError, match=problem):
        register(dataclasses.replace(USGS, **changes))  # type: ignore[arg-type]


def test_register_accepts_a_new_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = dict(FEEDS)
    monkeypatch.setattr("worldmonitor_mcp.seeders.base.FEEDS", registry)
    feed = dataclasses.replace(
        USGS,
        name="usgs-day",
        resource="earthquakes-day",
        data_key="seismology:earthquakes-day:v1",
        snapshot_file="x",
        file_names=("x",),
    )
    assert register(feed) is feed
    assert list(registry)[-1] == "usgs-day"
    assert feed.seed_meta_key == "seed-meta:seismology:earthquakes-day"
