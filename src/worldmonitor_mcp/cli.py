"""The ``worldmonitor-mcp`` command. ``serve`` is the default: plain ``worldmonitor-mcp`` starts the server.

Flags feed the one ``Settings`` object; secrets (Redis URL, static keys) come only from the environment,
never from argv, where other users of the machine can read them.
"""

from __future__ import annotations

import asyncio
import logging.config
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from . import __version__
from .errors import StoreUnavailableError
from .keys import ApiKeyRepository, KeyNotFoundError
from .logging_config import logging_config
from .onboarding import connection_help
from .settings import Settings, load_settings
from .store import Store, open_store

T = TypeVar("T")
DOCS = "docs/configuration.md"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _settings(**flags: Any) -> Settings:
    try:
        return load_settings(**flags)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise click.ClickException(f"Invalid configuration: {problems}. See {DOCS}.") from None


def _with_store(settings: Settings, work: Callable[[Store], Awaitable[T]]) -> T:
    async def run() -> T:
        store = open_store(settings)
        try:
            return await work(store)
        finally:
            await store.aclose()

    try:
        return asyncio.run(run())
    except StoreUnavailableError as exc:
        raise click.ClickException(
            f"The store is unreachable ({exc.log_reason}). Check WORLDMONITOR_REDIS_URL or "
            f"WORLDMONITOR_DATA_DIR, then retry."
        ) from None


class _DefaultToServe(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0].startswith("-") and args[0] not in {"--help", "-h", "--version"}):
            args = ["serve", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultToServe, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="worldmonitor-mcp")
def main() -> None:
    """An MCP server for world-intelligence data. Run without a command to serve."""


@main.command()
@click.option("--host", default=None, help="Interface to bind. Default 127.0.0.1 (WORLDMONITOR_HOST).")
@click.option("--port", type=int, default=None, help="Port to listen on. Default 8000 (WORLDMONITOR_PORT).")
@click.option("--workers", type=int, default=None, help="Worker processes. Default 1 (WORLDMONITOR_WORKERS).")
@click.option("--public-url", default=None, help="Public base URL. Default http://HOST:PORT.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory of the embedded store. Default: the user data directory (WORLDMONITOR_DATA_DIR).",
)
@click.option(
    "--seeders",
    is_flag=True,
    default=None,
    help="Also run the feed scheduler in the server, one runner per feed across workers and instances. "
    "Default off (WORLDMONITOR_SEEDERS).",
)
@click.option(
    "--no-auth",
    "no_auth",
    is_flag=True,
    default=None,
    help="Serve /mcp without credentials, for one person on one machine. Refused unless bound to a "
    "loopback address. Default off (WORLDMONITOR_NO_AUTH).",
)
def serve(
    host: str | None,
    port: int | None,
    workers: int | None,
    public_url: str | None,
    data_dir: Path | None,
    seeders: bool | None,
    no_auth: bool | None,
) -> None:
    """Serve MCP over Streamable HTTP at /mcp. Loads the bundled snapshot into an empty store and creates
    a first API key when none exists."""
    import uvicorn

    flags = {"host": host, "port": port, "workers": workers, "public_url": public_url, "data_dir": data_dir}
    flags["no_auth"] = no_auth or None  # the flag turns auth off; its absence leaves the environment
    flags["seeders"] = seeders or None  # the flag turns seeders on; its absence leaves the environment
    settings = _settings(**flags)
    created = _with_store(settings, lambda store: _prepare(store, settings))
    if created is not None:
        click.echo(connection_help(settings.base_url, created))
    # Worker processes build their own app from the environment, so the flags travel there.
    for name, value in flags.items():
        if value is not None:
            os.environ[f"WORLDMONITOR_{name.upper()}"] = str(value)
    click.echo(f"worldmonitor-mcp {__version__} serving {settings.base_url}/mcp ({_store_label(settings)})")
    uvicorn.run(
        "worldmonitor_mcp.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        access_log=False,
        log_config=logging_config(settings.log_level),
        server_header=False,
    )


def _store_label(settings: Settings) -> str:
    return "redis" if settings.redis_url is not None else f"sqlite in {settings.data_dir}"


async def _prepare(store: Store, settings: Settings) -> str | None:
    """Snapshot into an empty store; a first key when there is none anywhere. Returns that key."""
    if settings.load_snapshot:
        from .seeders import load_snapshot_if_empty

        reports = await load_snapshot_if_empty(store)
        for report in reports or []:
            click.echo(f"snapshot: {report.describe()}")
    repository = ApiKeyRepository(store)
    if settings.no_auth or settings.static_keys or await repository.count_active() > 0:
        return None
    key, _ = await repository.create("first key (created by serve)", now_ms=_now_ms())
    return key


@main.command()
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory of the embedded store. Default: the user data directory (WORLDMONITOR_DATA_DIR).",
)
def stdio(data_dir: Path | None) -> None:
    """Serve MCP over stdio, for clients that start the server themselves (Claude Desktop, Cursor).

    No credentials: the client is the user's own process. Logs go to stderr; stdout carries only MCP."""
    settings = _settings(data_dir=data_dir)
    logging.config.dictConfig(logging_config(settings.log_level))
    _with_store(settings, lambda store: _serve_stdio(store, settings))


async def _serve_stdio(store: Store, settings: Settings) -> None:
    from .app import wall_clock_ms
    from .mcp.dispatch import Dispatcher
    from .mcp.methods import MethodTable
    from .mcp.stdio import serve_stdio
    from .seeders import load_snapshot_if_empty
    from .tools import build_registry

    if settings.load_snapshot:
        await load_snapshot_if_empty(store)
    registry = build_registry(result_cache_ms=int(settings.result_cache_s * 1000))
    await serve_stdio(Dispatcher(MethodTable(registry)), store, wall_clock_ms)


@main.group()
def keys() -> None:
    """Create, list and revoke API keys."""


@keys.command("create")
@click.option("--label", required=True, help="Who or what the key is for, shown by `keys list`.")
def keys_create(label: str) -> None:
    """Create a key and print it once. Only its hash is stored."""
    settings = _settings()
    try:
        key, record = _with_store(settings, lambda s: ApiKeyRepository(s).create(label, now_ms=_now_ms()))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created key {record.id} ({record.label}). It is shown only this once:\n\n    {key}\n")


@keys.command("list")
def keys_list() -> None:
    """List keys: id, label, created, last used, revoked. Never the key itself."""
    records = _with_store(_settings(), lambda s: ApiKeyRepository(s).list())
    if not records:
        click.echo("No API keys. Create one with: worldmonitor-mcp keys create --label NAME")
        return
    click.echo(f"{'ID':<14}{'CREATED':<22}{'LAST USED':<22}{'STATUS':<10}LABEL")
    for r in records:
        click.echo(
            f"{r.id:<14}{_when(r.created_at_ms):<22}{_when(r.last_used_at_ms):<22}"
            f"{'revoked' if r.revoked else 'active':<10}{r.label}"
        )


def _when(epoch_ms: int | None) -> str:
    if epoch_ms is None:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(epoch_ms / 1000))


@keys.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id: str) -> None:
    """Revoke a key by id. Requests with it are refused from now on, on every instance."""
    try:
        record = _with_store(_settings(), lambda s: ApiKeyRepository(s).revoke(key_id, now_ms=_now_ms()))
    except KeyNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Revoked key {record.id} ({record.label}).")


# -- seeding: the feeds into the store (seeders/commands.py does the work) ---------------------------

FEEDS_DOCS = "docs/feeds.md"


@main.command()
@click.argument("feed_names", metavar="[FEED]...", nargs=-1)
@click.option(
    "--once",
    "mode",
    flag_value="once",
    help="Fetch each FEED (default: every feed) from upstream once, now. The default without --from-*.",
)
@click.option(
    "--schedule",
    "mode",
    flag_value="schedule",
    help="Keep fetching each FEED (default: every feed) on its cadence until stopped with Ctrl-C.",
)
@click.option(
    "--from-dir",
    "from_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Directory of saved upstream responses to parse into the store (air-gapped sites). Default: none.",
)
@click.option(
    "--from-file",
    "from_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="One saved upstream response, parsed by the one FEED named. Default: none.",
)
def seed(
    feed_names: tuple[str, ...], mode: str | None, from_dir: Path | None, from_file: Path | None
) -> None:
    """Fill the store from the feeds: live from upstream (--once, --schedule) or from saved files.

    Feeds that need an API key run only when WORLDMONITOR_FEED_<NAME>_KEY is set."""
    from .seeders import commands

    if from_dir is not None and (from_file is not None or feed_names or mode):
        raise click.UsageError(
            "--from-dir seeds every feed it has files for: give no FEED, --once or --schedule."
        )
    if from_dir is not None:
        _seed_from_dir(from_dir)
        return
    try:
        feeds = commands.select_feeds(feed_names)
    except commands.UnknownFeedError as exc:
        raise click.ClickException(str(exc)) from None
    if from_file is not None:
        if len(feed_names) != 1 or mode:
            raise click.UsageError("--from-file needs exactly one FEED, and no --once or --schedule.")
        _seed_from_file(feeds[0].name, from_file)
        return
    settings = _settings()
    if mode == "schedule":
        click.echo(f"Seeding {len(feeds)} feeds on their cadence; Ctrl-C stops.")
        try:
            _with_store(settings, lambda s: commands.run_schedule(settings, s, feeds))
        except KeyboardInterrupt:
            click.echo("Stopped.")
        return
    reports = _with_store(settings, lambda s: commands.run_once(settings, s, feeds, named=bool(feed_names)))
    for once in reports:
        click.echo(once.describe())
    if not all(once.ok for once in reports):
        raise click.ClickException(
            "Some feeds failed; their last good data is kept. `worldmonitor-mcp feeds` shows them; "
            f"see {FEEDS_DOCS}."
        )


def _seed_from_dir(from_dir: Path) -> None:
    from .seeders import seed_from_dir

    reports = _with_store(_settings(), lambda s: seed_from_dir(s, from_dir, now_ms=_now_ms()))
    failed = False
    for report in reports:
        click.echo(report.describe())
        failed = failed or not report.ok
    if failed:
        raise click.ClickException("Some files could not be seeded; see the lines above.")


def _seed_from_file(feed_name: str, from_file: Path) -> None:
    from .seeders import FEEDS, seed_from_file

    feed = FEEDS[feed_name]
    report = _with_store(_settings(), lambda s: seed_from_file(s, feed, from_file, now_ms=_now_ms()))
    click.echo(report.describe())
    if not report.ok:
        raise click.ClickException(f"{from_file} could not be seeded as {feed.name}; see the line above.")


@main.command()
def feeds() -> None:
    """List every feed: cadence, last run, last success, record count, and whether it is disabled for want
    of its key (WORLDMONITOR_FEED_<NAME>_KEY) or failing."""
    from .seeders import commands

    settings = _settings()
    for line in commands.feeds_table(_with_store(settings, lambda s: commands.statuses(settings, s))):
        click.echo(line)
