"""Start one benchmark target under uvicorn: ``python -m bench.serve TARGET PORT``.

Every target runs with exactly the same server settings, the ones ``worldmonitor-mcp serve`` uses:
one worker, uvloop, httptools, uvicorn's access log off, no Server header, and our logging config at
INFO. Only our server writes a line per request (its own access line, worldmonitor.access), as it does
in production; the comparison apps log nothing per request.
"""

from __future__ import annotations

import sys

import uvicorn

from worldmonitor_mcp.logging_config import logging_config

APPS = {
    "bare": "bench.apps:bare_app",
    "sdk": "bench.apps:sdk_app",
    "mcpserver": "bench.apps:mcpserver_app",
    "ours": "worldmonitor_mcp.app:app_from_environment",
}

UVICORN_SETTINGS: dict[str, object] = {
    "workers": 1,
    "loop": "uvloop",
    "http": "httptools",
    "access_log": False,
    "server_header": False,
}


def main(argv: list[str]) -> None:
    if len(argv) != 2 or argv[0] not in APPS or not argv[1].isdigit():
        raise SystemExit(f"usage: python -m bench.serve {{{','.join(APPS)}}} PORT")
    uvicorn.run(
        APPS[argv[0]],
        factory=True,
        host="127.0.0.1",
        port=int(argv[1]),
        log_config=logging_config("info"),
        **UVICORN_SETTINGS,  # type: ignore[arg-type]
    )


if __name__ == "__main__":
    main(sys.argv[1:])
