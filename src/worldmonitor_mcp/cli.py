"""The ``worldmonitor-mcp`` command. ``serve`` is the default: plain ``worldmonitor-mcp`` starts the server.

Flags feed the one ``Settings`` object; secrets (Redis URL, static keys) come only from the environment,
never from argv, where other users of the machine can read them.
"""

from __future__ import annotations

import asyncio
import logging.config
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from . import __version__
from .clock import wall_clock_ms, when_label
from .errors import StoreUnavailableError
from .keys import ApiKeyRepository, KeyNotFoundError
from .logging_config import logging_config
from .onboarding import connection_help
from .settings import Settings, load_settings
from .store import Store, open_store

T = TypeVar("T")
DOCS = "docs/configuration.md"


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
    key, _ = await repository.create("first key (created by serve)", now_ms=wall_clock_ms())
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
        key, record = _with_store(
            settings, lambda s: ApiKeyRepository(s).create(label, now_ms=wall_clock_ms())
        )
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
            f"{r.id:<14}{when_label(r.created_at_ms):<22}{when_label(r.last_used_at_ms):<22}"
            f"{'revoked' if r.revoked else 'active':<10}{r.label}"
        )


@keys.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id: str) -> None:
    """Revoke a key by id. Requests with it, and OAuth tokens and grants made with it, are refused from
    now on, on every instance."""
    from .oauth.grants import GrantRepository

    settings = _settings()

    async def revoke(store: Store) -> tuple[Any, int]:
        record = await ApiKeyRepository(store).revoke(key_id, now_ms=wall_clock_ms())
        grants = GrantRepository(store, ttl_s=settings.refresh_token_ttl_s)
        return record, await grants.revoke_for_key(key_id, now_ms=wall_clock_ms())

    try:
        record, grants = _with_store(settings, revoke)
    except KeyNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Revoked key {record.id} ({record.label}) and {grants} OAuth grant(s) made with it.")


# -- OAuth clients and grants (oauth/clients.py, oauth/grants.py) ------------------------------------

OAUTH_DOCS = "docs/oauth.md"


@main.group()
def clients() -> None:
    """Pre-register OAuth clients (for a connector's "Advanced settings"), list and delete them."""


@clients.command("create")
@click.option("--name", required=True, help="The client's name, shown on the consent page.")
@click.option(
    "--redirect-uri",
    "redirect_uris",
    multiple=True,
    required=True,
    help="A redirect URI (repeatable), e.g. https://claude.ai/api/mcp/auth_callback.",
)
@click.option(
    "--public",
    is_flag=True,
    default=False,
    help="A public client (PKCE only, no secret). Default: confidential, with a secret.",
)
def clients_create(name: str, redirect_uris: tuple[str, ...], public: bool) -> None:
    """Create a client and print its id and secret once. Only the secret's hash is stored."""
    from .oauth.clients import ClientRepository
    from .oauth.errors import OAuthError
    from .oauth.redirect_uris import DEFAULT_PATTERNS
    from .oauth.registration import validate_metadata

    settings = _settings()
    metadata = {
        "client_name": name,
        "redirect_uris": list(redirect_uris),
        "token_endpoint_auth_method": "none" if public else "client_secret_post",
    }
    try:
        checked_name, uris, method = validate_metadata(
            metadata, settings.redirect_uri_pattern_list or DEFAULT_PATTERNS
        )
    except OAuthError as exc:
        raise click.ClickException(f"{exc.message}. See {OAUTH_DOCS}.") from None
    record, secret = _with_store(
        settings,
        lambda s: ClientRepository(s, idle_ttl_s=settings.client_idle_ttl_s).create(
            client_name=checked_name,
            redirect_uris=uris,
            auth_method=method,
            source="operator",
            now_ms=wall_clock_ms(),
        ),
    )
    click.echo(f"Created client {record.client_id} ({record.client_name}).")
    click.echo(f"\n    Client ID:     {record.client_id}")
    if secret is not None:
        click.echo(f"    Client secret: {secret}\n\nThe secret is shown only this once.")
    click.echo(f"\nAuthorization server: {settings.base_url}  (MCP URL: {settings.base_url}/mcp)")


@clients.command("list")
def clients_list() -> None:
    """List registered clients: id, kind, created, last used, name. Never a secret."""
    from .oauth.clients import ClientRepository

    settings = _settings()
    records = _with_store(
        settings, lambda s: ClientRepository(s, idle_ttl_s=settings.client_idle_ttl_s).list()
    )
    if not records:
        click.echo("No OAuth clients. Create one: worldmonitor-mcp clients create --name N --redirect-uri U")
        return
    click.echo(f"{'ID':<38}{'KIND':<14}{'SOURCE':<14}{'CREATED':<22}{'LAST USED':<22}NAME")
    for r in records:
        kind = "public" if r.is_public else "confidential"
        click.echo(
            f"{r.client_id:<38}{kind:<14}{r.source:<14}{when_label(r.created_at_ms):<22}"
            f"{when_label(r.last_used_at_ms):<22}{r.client_name}"
        )


@clients.command("delete")
@click.argument("client_id")
def clients_delete(client_id: str) -> None:
    """Delete a client by id: it can no longer start or refresh a grant (revoke its grants to end its
    current tokens at once)."""
    from .oauth.clients import ClientNotFoundError, ClientRepository

    settings = _settings()
    try:
        record = _with_store(
            settings, lambda s: ClientRepository(s, idle_ttl_s=settings.client_idle_ttl_s).delete(client_id)
        )
    except ClientNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Deleted client {record.client_id} ({record.client_name}).")


@main.group()
def grants() -> None:
    """List and revoke OAuth grants: which clients hold tokens made with which API key."""


@grants.command("list")
@click.option("--key", "key_id", default=None, help="Only grants made with this API key id. Default: all.")
def grants_list(key_id: str | None) -> None:
    """List grants: id, key, client, scope, since, last used, status."""
    from .oauth.grants import GrantRepository

    settings = _settings()
    records = _with_store(
        settings, lambda s: GrantRepository(s, ttl_s=settings.refresh_token_ttl_s).list(key_id)
    )
    if not records:
        click.echo("No OAuth grants" + (f" for key {key_id}." if key_id else "."))
        return
    click.echo(f"{'ID':<18}{'KEY':<16}{'SINCE':<22}{'LAST USED':<22}{'STATUS':<10}CLIENT")
    for g in records:
        status = "revoked" if g.revoked else "active"
        click.echo(
            f"{g.id:<18}{g.key_id:<16}{when_label(g.created_at_ms):<22}{when_label(g.last_used_at_ms):<22}"
            f"{status:<10}{g.client_name} ({g.client_id})"
        )


@grants.command("revoke")
@click.argument("grant_id")
def grants_revoke(grant_id: str) -> None:
    """Revoke a grant by id: its access and refresh tokens stop working at once, on every instance."""
    from .oauth.grants import GrantNotFoundError, GrantRepository

    settings = _settings()

    async def revoke(store: Store) -> Any:
        repository = GrantRepository(store, ttl_s=settings.refresh_token_ttl_s)
        grant = await repository.find(grant_id)
        return await repository.revoke(grant, reason="revoked by the operator", now_ms=wall_clock_ms())

    try:
        grant = _with_store(settings, revoke)
    except GrantNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Revoked grant {grant.id} of {grant.client_name} (key {grant.key_id}).")


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

    reports = _with_store(_settings(), lambda s: seed_from_dir(s, from_dir, now_ms=wall_clock_ms()))
    failed = False
    for report in reports:
        click.echo(report.describe())
        failed = failed or not report.ok
    if failed:
        raise click.ClickException("Some files could not be seeded; see the lines above.")


def _seed_from_file(feed_name: str, from_file: Path) -> None:
    from .seeders import FEEDS, seed_from_file

    feed = FEEDS[feed_name]
    report = _with_store(_settings(), lambda s: seed_from_file(s, feed, from_file, now_ms=wall_clock_ms()))
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
