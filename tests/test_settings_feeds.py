"""The seeders' settings (settings.py): feed keys from WORLDMONITOR_FEED_<NAME>_KEY, and their checks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from worldmonitor_mcp.settings import Settings


def test_feed_keys_come_from_their_own_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORLDMONITOR_FEED_FRED_KEY", "fred-secret")
    monkeypatch.setenv("WORLDMONITOR_FEED_OPEN_SKY_KEY", "sky-secret")
    monkeypatch.setenv("WORLDMONITOR_FEED_EMPTY_KEY", "  ")
    monkeypatch.setenv("OTHER_FEED_X_KEY", "not ours")
    settings = Settings()
    assert {name: key.get_secret_value() for name, key in settings.feed_keys.items()} == {
        "FRED": "fred-secret",
        "OPEN_SKY": "sky-secret",
    }
    assert "fred-secret" not in repr(settings)


def test_feed_keys_as_one_json_variable_merge_with_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORLDMONITOR_FEED_KEYS", '{"UCDP": "u"}')
    monkeypatch.setenv("WORLDMONITOR_FEED_FRED_KEY", "f")
    assert set(Settings().feed_keys) == {"UCDP", "FRED"}


def test_feed_key_names_are_upper_case() -> None:
    with pytest.raises(ValidationError, match=r"WORLDMONITOR_FEED_<NAME>_KEY"):
        Settings(feed_keys={"fred": "x"})


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"feed_contact": "ops@example.org\r\nX-Injected: 1"}, "WORLDMONITOR_FEED_CONTACT"),
        ({"feed_backoff_initial_s": 600, "feed_backoff_max_s": 60}, "WORLDMONITOR_FEED_BACKOFF_MAX_S"),
        ({"feed_jitter": 1.0}, "feed_jitter"),
        ({"feed_concurrency": 0}, "feed_concurrency"),
    ],
)
def test_invalid_seeder_settings_name_the_setting(overrides: dict[str, object], variable: str) -> None:
    with pytest.raises(ValidationError, match=variable):
        Settings(**overrides)  # type: ignore[arg-type]


def test_seeder_defaults() -> None:
    settings = Settings()
    assert (settings.seeders, settings.feed_retries, settings.feed_timeout_s) == (False, 3, 30.0)
