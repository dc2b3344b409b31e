"""Choose and open the store backend the settings name."""

from __future__ import annotations

from ..settings import Settings
from .base import Store

SQLITE_FILENAME = "worldmonitor.sqlite3"


def open_store(settings: Settings) -> Store:
    if settings.redis_url is not None:
        from .redis import RedisStore

        return RedisStore.from_url(settings.redis_url.get_secret_value(), timeout_s=settings.store_timeout_s)
    from .sqlite import SqliteStore

    return SqliteStore(settings.data_dir / SQLITE_FILENAME, timeout_s=settings.store_timeout_s)
