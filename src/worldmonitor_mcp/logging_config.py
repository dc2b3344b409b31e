"""Logging for the server process and its workers (uvicorn applies this dict in every worker)."""

from __future__ import annotations

from typing import Any


def logging_config(level: str) -> dict[str, Any]:
    upper = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
        },
        "loggers": {
            "worldmonitor": {"handlers": ["stderr"], "level": upper, "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": upper, "propagate": False},
            "uvicorn.error": {"level": upper},
            # uvicorn's access log prints the query string, where a careless client may put a credential;
            # our own access line (worldmonitor.access) never does.
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }
