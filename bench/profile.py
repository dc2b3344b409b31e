"""``python -m bench.profile TARGET``: where one target's server spends its time under the benchmark load.

Starts the target exactly as ``bench.run`` does, drives it with wrk and samples the server process with
py-spy (``pip install py-spy``; it needs ptrace rights, e.g. root or ``CAP_SYS_PTRACE``). Writes the
collapsed stacks to bench/results/ (speedscope.app and flamegraph.pl read them) and prints the functions
with the most samples, by own time and by inclusive time. Sampling slows the server a little:
read proportions, not req/s.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from . import load, targets
from .run import RESULTS_DIR, capture_payload, verify

_PATH_PREFIXES = (
    re.compile(r"^.*/site-packages/"),
    re.compile(r"^.*/src/(?=worldmonitor_mcp/)"),
    re.compile(r"^.*/lib/python3\.\d+/"),
    re.compile(r"^.*/(?=bench/)"),
)


def _frame_name(frame: str) -> str:
    # py-spy frames read "function (path/to/module.py:line)"; keep the function and the file, not the line.
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    for prefix in _PATH_PREFIXES:
        path, found = prefix.subn("", path)
        if found:
            break
    return f"{name} ({path})" if path else name


AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # (area, substrings of a frame); a sample goes to the first area any frame of its stack matches.
    ("background threads (start-up work)", ("Thread._bootstrap",)),
    ("logging (our access line)", ("/logging/__init__.py",)),
    ("Redis client (redis-py + store/redis.py)", ("site-packages/redis/", "worldmonitor_mcp/store/redis.py")),
    ("SQLite store (store/sqlite.py)", ("worldmonitor_mcp/store/sqlite.py",)),
    ("store timeout guard (asyncio.timeout)", ("/asyncio/timeouts.py",)),
    ("response write (uvicorn send)", ("RequestResponseCycle.send",)),
    (
        "auth + rate limit (keys/, web/auth.py, ratelimit.py)",
        ("worldmonitor_mcp/keys/", "web/auth.py", "ratelimit.py"),
    ),
    (
        "MCP SDK (mcp/, mcp_types, pydantic, anyio)",
        ("site-packages/mcp/", "site-packages/mcp_types/", "pydantic", "anyio"),
    ),
    ("JSON-RPC, method table, tool (our mcp/, tools/)", ("worldmonitor_mcp/mcp/", "worldmonitor_mcp/tools/")),
    (
        "middleware + routing (our web/, Starlette)",
        ("worldmonitor_mcp/web/", "site-packages/starlette/", "bench/apps.py"),
    ),
    ("uvicorn HTTP (httptools parse, ASGI task)", ("site-packages/uvicorn/",)),
)


def by_area(collapsed: Path) -> list[tuple[str, int]]:
    counts: collections.Counter[str] = collections.Counter()
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        area = next(
            (name for name, marks in AREAS if any(mark in stack for mark in marks)),
            "event loop + other",
        )
        counts[area] += int(count_text)
    return counts.most_common()


def top_functions(collapsed: Path, limit: int) -> tuple[int, list[tuple[str, int]], list[tuple[str, int]]]:
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [_frame_name(f) for f in stack.split(";") if f]
        if not frames:
            continue
        own[frames[-1]] += count
        for name in set(frames):
            inclusive[name] += count
    return total, own.most_common(limit), inclusive.most_common(limit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=sorted(targets.TARGETS))
    parser.add_argument("--duration", type=int, default=10, help="seconds sampled (default 10)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second (default 250)")
    parser.add_argument("--top", type=int, default=25, help="functions listed (default 25)")
    parser.add_argument("--window-s", type=int, default=None, help="our rate-limit window, seconds")
    parser.add_argument("--native", action="store_true", help="include C frames (py-spy --native)")
    args = parser.parse_args(argv)
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        raise SystemExit("py-spy is not installed: pip install py-spy")
    target = targets.TARGETS[args.target]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS_DIR.mkdir(exist_ok=True)
    collapsed = RESULTS_DIR / f"profile-{args.target}-{stamp}.txt"

    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wm-profile-")))
        source = targets.snapshot_source(workdir)
        reply, text = capture_payload(workdir, source)
        (workdir / "body.json").write_bytes(reply.body)
        (workdir / "text.json").write_text(text)
        payload_env = {
            "BENCH_BODY_FILE": str(workdir / "body.json"),
            "BENCH_TEXT_FILE": str(workdir / "text.json"),
        }
        redis = stack.enter_context(targets.redis_server(workdir)) if target.store == "redis" else None
        with targets.run_server(
            target,
            workdir,
            payload_env=payload_env,
            redis_url=redis.url if redis else None,
            window_s=args.window_s,
            source=source,
        ) as server:
            verify(server, text)
            load.run_wrk(server.port, server.key, duration_s=2, connections=args.connections, threads=1)
            results: list[load.WrkResult] = []
            driver = threading.Thread(
                target=lambda: results.append(
                    load.run_wrk(
                        server.port,
                        server.key,
                        duration_s=args.duration + 2,
                        connections=args.connections,
                        threads=1,
                    )
                )
            )
            driver.start()
            common = [py_spy, "record", "--pid", str(server.pid), "--rate", str(args.rate)]
            common += ["--duration", str(args.duration), "--nonblocking", "--full-filenames"]
            if args.native:
                common.append("--native")
            subprocess.run(
                [*common, "--format", "raw", "--output", str(collapsed)], check=True, capture_output=True
            )
            driver.join()

    total, own, inclusive = top_functions(collapsed, args.top)
    if results:
        print(f"{args.target}: {results[0].rps:,.0f} req/s while sampled; {total} samples\n")
    for title, rows in (("own time", own), ("inclusive time", inclusive)):
        print(f"top functions by {title}:")
        for name, count in rows:
            print(f"  {100 * count / max(1, total):5.1f}%  {name}")
        print()
    print("samples by area (first match from the top of this list):")
    for name, count in by_area(collapsed):
        print(f"  {100 * count / max(1, total):5.1f}%  {name}")
    print()
    print(f"wrote {collapsed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
