"""Every setting of the server, typed, with its default and a one-line help.

Only this module reads the environment (``WORLDMONITOR_*``). CLI flags are passed in as explicit values
and win over the environment. Tests build ``Settings`` from explicit values and never touch ``os.environ``.
docs/configuration.md documents each field; tests/test_docs.py fails when one is missing there.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_PORT = 8000
MAX_BODY_BYTES = 1024 * 1024
"""1 MiB: a tools/call with generous arguments is a few KiB; anything near this is abuse."""


def _split(value: str | None) -> list[str]:
    return [] if value is None else [part.strip() for part in value.split(",") if part.strip()]


def is_loopback_host(host: str) -> bool:
    name = host.strip("[]").lower()
    return name == "localhost" or name == "::1" or name.startswith("127.")


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("worldmonitor-mcp", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WORLDMONITOR_", extra="forbid", frozen=True)

    host: str = Field("127.0.0.1", description="Interface the server binds to.")
    port: int = Field(DEFAULT_PORT, ge=0, le=65535, description="TCP port the server listens on.")
    workers: int = Field(1, ge=1, le=64, description="Number of uvicorn worker processes.")
    public_url: str | None = Field(
        None,
        description="Public base URL clients use (e.g. https://mcp.example.com); default http://<host>:<port>.",
    )
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Directory of the embedded SQLite store (used when no Redis URL is set).",
    )
    redis_url: SecretStr | None = Field(
        None, description="redis://, rediss:// or unix:// URL of a Redis/Valkey server; replaces SQLite."
    )
    store_timeout_s: float = Field(
        1.0, gt=0, le=30, description="Time allowed for one store operation before it counts as down."
    )
    valid_keys: SecretStr | None = Field(
        None,
        description="Comma-separated API keys accepted besides stored ones (WorldMonitor compatibility).",
    )
    rate_limit: int = Field(60, ge=1, description="Requests allowed per principal per rolling window.")
    rate_limit_window_s: int = Field(60, ge=1, description="Length of the rolling rate-limit window.")
    max_body_bytes: int = Field(MAX_BODY_BYTES, ge=1024, description="Largest request body accepted.")
    result_cache_s: float = Field(
        5.0,
        ge=0,
        description="Longest reuse of a rendered tool result in-process (also bounded by the data version).",
    )
    load_snapshot: bool = Field(
        True, description="Load the bundled snapshot of real data into an empty store at start-up."
    )
    log_level: str = Field("info", description="Log level: debug, info, warning or error.")
    allowed_hosts: str | None = Field(
        None,
        description="Comma-separated Host names /mcp accepts besides the public and loopback names; * = any.",
    )
    allowed_origins: str | None = Field(
        None, description="Comma-separated Origins allowed to call /mcp; default by bind address (see docs)."
    )
    no_auth: bool = Field(
        False, description="Serve /mcp without credentials; only allowed on a loopback bind."
    )

    # -- seeders: live feeds and their scheduler (seeders/fetch.py, scheduler.py) -----------------------
    seeders: bool = Field(False, description="Run the feed scheduler inside the server (serve --seeders).")
    feed_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="API keys of the feeds that need one, by NAME; set each as WORLDMONITOR_FEED_<NAME>_KEY.",
    )
    feed_timeout_s: float = Field(
        30.0, gt=0, le=600, description="Time allowed for one upstream request, from connect to last byte."
    )
    feed_retries: int = Field(
        3, ge=0, le=10, description="Retries of a failed upstream request (timeout, 429, 5xx) within one run."
    )
    feed_run_timeout_s: float = Field(
        300.0, gt=0, le=3600, description="Deadline of one feed run (fetch, retries, parse); bounds its lock."
    )
    feed_jitter: float = Field(
        0.1,
        ge=0,
        lt=1,
        description="Random spread of each feed's cadence, as a fraction (0.1 = plus/minus 10 %).",
    )
    feed_backoff_initial_s: float = Field(
        60.0, gt=0, description="Delay before re-running a feed after one failure; doubles with each failure."
    )
    feed_backoff_max_s: float = Field(
        3600.0, gt=0, description="Longest delay between runs of a failing feed."
    )
    feed_concurrency: int = Field(4, ge=1, le=64, description="Feeds one scheduler fetches at the same time.")
    feed_contact: str | None = Field(
        None, description="Contact (URL or e-mail) put in the seeders' User-Agent; default the project page."
    )

    # -- analysis tools and their optional LLM narrative (tools/analysis/) ------------------------------
    brief_window_h: int = Field(
        48, ge=1, le=168, description="Default hours of each source's data the world brief considers."
    )
    llm_base_url: str | None = Field(
        None,
        description="Base URL of an OpenAI-compatible API for narratives (https://api.openai.com/v1).",
    )
    llm_model: str | None = Field(
        None, description="Model name sent to the LLM endpoint (needed with the URL)."
    )
    llm_api_key: SecretStr | None = Field(
        None, description="Bearer key for the LLM endpoint; sent to it and nowhere else."
    )
    llm_timeout_s: float = Field(
        20.0, gt=0, le=120, description="Total time budget of one narrative call; past it, evidence only."
    )
    llm_max_tokens: int = Field(
        700, ge=50, le=4000, description="Most tokens the model may write per narrative."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Explicit values, then WORLDMONITOR_* fields, then the dynamic WORLDMONITOR_FEED_<NAME>_KEY names.
        return (
            init_settings,
            env_settings,
            _FeedKeysSource(settings_cls),
            dotenv_settings,
            file_secret_settings,
        )

    @field_validator("feed_contact")
    @classmethod
    def _header_safe(cls, value: str | None) -> str | None:
        if value is not None and not (value.isascii() and value.isprintable()):
            raise ValueError("WORLDMONITOR_FEED_CONTACT must be printable ASCII (it goes into a header)")
        return value

    @field_validator("feed_keys")
    @classmethod
    def _key_names(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for name in value:
            if not _FEED_KEY_NAME.fullmatch(name):
                raise ValueError(f"feed key name {name!r} must be upper case: WORLDMONITOR_FEED_<NAME>_KEY")
        return {name: key for name, key in value.items() if key.get_secret_value().strip()}

    @model_validator(mode="after")
    def _backoff_order(self) -> Settings:
        if self.feed_backoff_max_s < self.feed_backoff_initial_s:
            raise ValueError(
                "WORLDMONITOR_FEED_BACKOFF_MAX_S must be at least WORLDMONITOR_FEED_BACKOFF_INITIAL_S"
            )
        return self

    access_token_ttl_s: int = Field(
        3600, ge=60, le=86_400, description="Lifetime of OAuth access tokens issued by /oauth/token."
    )
    token_rate_limit: int = Field(
        10, ge=1, description="Token requests allowed per client secret (or client IP) per rolling window."
    )
    token_rate_limit_window_s: int = Field(
        60, ge=1, description="Length of the token endpoint's rolling window."
    )
    trusted_proxy_hops: int = Field(
        0,
        ge=0,
        le=10,
        description="Reverse proxies in front of the server whose X-Forwarded-For entries are trusted.",
    )

    # -- OAuth authorization server, part 2 (docs/oauth.md) ---------------------------------------------
    refresh_token_ttl_s: int = Field(
        30 * 86_400,
        ge=3600,
        le=365 * 86_400,
        description="Lifetime of a refresh token; each rotation starts a new one (sliding).",
    )
    refresh_grace_s: int = Field(
        60, ge=0, le=3600, description="How long a rotated refresh token still works, for a lost response."
    )
    client_idle_ttl_s: int = Field(
        30 * 86_400, ge=3600, description="Dynamically registered clients unused this long are removed."
    )
    redirect_uri_patterns: str | None = Field(
        None,
        description="Comma-separated glob patterns redirect URIs must match; default: any https, loopback.",
    )
    registration_rate_limit: int = Field(
        20, ge=1, description="Dynamic client registrations allowed per client IP per hour."
    )
    authorize_rate_limit: int = Field(
        30, ge=1, description="Consent page views and submissions per client IP per minute (and per key)."
    )
    public_discovery: bool = Field(
        False, description="Serve initialize, ping and tools/list without credentials (lazy authentication)."
    )
    client_metadata_test_loopback: bool = Field(
        False, description="Tests only: let Client ID Metadata Documents be fetched from loopback addresses."
    )
    client_metadata_test_ca_file: Path | None = Field(
        None, description="Tests only: CA bundle trusted when fetching Client ID Metadata Documents."
    )

    @property
    def redirect_uri_pattern_list(self) -> list[str]:
        """The redirect URI allowlist; empty = the default (oauth/redirect_uris.py DEFAULT_PATTERNS)."""
        return _split(self.redirect_uri_patterns)

    @field_validator("llm_base_url")
    @classmethod
    def _llm_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("WORLDMONITOR_LLM_BASE_URL must start with http:// or https://")
        # Credentials in the URL would travel as Basic auth; the key has its own setting, kept secret.
        if "@" in value.split("://", 1)[1].split("/", 1)[0]:
            raise ValueError(
                "WORLDMONITOR_LLM_BASE_URL must not hold credentials; put the key in WORLDMONITOR_LLM_API_KEY"
            )
        if "?" in value or "#" in value:
            raise ValueError("WORLDMONITOR_LLM_BASE_URL must have no query or fragment")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _llm_complete(self) -> Settings:
        if (self.llm_base_url is None) != (self.llm_model is None):
            raise ValueError("set both WORLDMONITOR_LLM_BASE_URL and WORLDMONITOR_LLM_MODEL, or neither")
        return self

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.lower()
        if level not in {"debug", "info", "warning", "error"}:
            raise ValueError("WORLDMONITOR_LOG_LEVEL must be one of debug, info, warning, error")
        return level

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("WORLDMONITOR_PUBLIC_URL must start with http:// or https://")
        # It is the OAuth issuer verbatim (RFC 8414 §2: no query or fragment), and every URL is built by
        # appending a path to it, so a trailing slash would double up rather than be silently dropped.
        if "?" in value or "#" in value:
            raise ValueError("WORLDMONITOR_PUBLIC_URL must have no query or fragment")
        if value.endswith("/"):
            raise ValueError("WORLDMONITOR_PUBLIC_URL must not end with a slash")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
            ("redis://", "rediss://", "unix://")
        ):
            raise ValueError("WORLDMONITOR_REDIS_URL must start with redis://, rediss:// or unix://")
        return value

    @model_validator(mode="after")
    def _window_fits(self) -> Settings:
        if self.rate_limit_window_s > 86_400:
            raise ValueError("WORLDMONITOR_RATE_LIMIT_WINDOW_S must be at most one day (86400)")
        return self

    @model_validator(mode="after")
    def _safe_exposure(self) -> Settings:
        loopback = is_loopback_host(self.host)
        if self.no_auth and not loopback:
            raise ValueError(
                "--no-auth (WORLDMONITOR_NO_AUTH) is allowed only on a loopback bind such as 127.0.0.1"
            )
        if not loopback and self.public_url is None and self.allowed_hosts is None:
            raise ValueError(
                f"bound to {self.host}, the server cannot tell its own Host names: set "
                "WORLDMONITOR_PUBLIC_URL (or WORLDMONITOR_ALLOWED_HOSTS) so other hosts can be refused"
            )
        return self

    @property
    def host_allowlist(self) -> list[str]:
        return _split(self.allowed_hosts)

    @property
    def origin_allowlist(self) -> list[str] | None:
        return None if self.allowed_origins is None else _split(self.allowed_origins)

    @property
    def base_url(self) -> str:
        """The one public base URL every printed or returned URL derives from."""
        if self.public_url:
            return self.public_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def static_keys(self) -> list[str]:
        if self.valid_keys is None:
            return []
        return [k.strip() for k in self.valid_keys.get_secret_value().split(",") if k.strip()]


_FEED_KEY_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_FEED_KEY_ENV = re.compile(r"WORLDMONITOR_FEED_([A-Z][A-Z0-9_]*)_KEY")


class _FeedKeysSource(PydanticBaseSettingsSource):
    """Collects every ``WORLDMONITOR_FEED_<NAME>_KEY`` into ``feed_keys``: feed names are dynamic (a new
    feed module brings its own), so they cannot each be a field."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found = {}
        for variable, value in os.environ.items():
            match = _FEED_KEY_ENV.fullmatch(variable)
            if match and value.strip():
                found[match.group(1)] = value
        return {"feed_keys": found} if found else {}


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with explicit values (CLI flags) taking precedence."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
