"""``python -m bench.run``: authenticated ``tools/call`` throughput and latency, ours against the baselines.

One uvicorn worker per target, identical server settings (bench/serve.py), wrk in its own process with
keep-alive connections. Targets run round-robin, ``--repeats`` times each; each column of the table is
the median over a target's runs. The table goes to stdout; everything (machine, settings, every run) goes to
bench/results/<time>.json. docs/performance.md explains the method and the numbers.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import load, targets

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_TARGETS = ("bare", "sdk", "mcpserver", "ours-sqlite", "ours-redis", "ours-modern")
OURS = ("ours-sqlite", "ours-redis")
TARGET_VS_BARE = 0.5
TARGET_VS_SDK = 3.0


# -- the machine ----------------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine(redis_version: str | None) -> dict[str, Any]:
    return {
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {
            name: _version(name)
            for name in ("uvicorn", "uvloop", "httptools", "starlette", "mcp", "redis", "orjson")
        },
        "redis_server": redis_version,
        "wrk": load.wrk_version(),
        "source": source_tree(),
    }


def source_tree() -> dict[str, Any]:
    """Which code was measured: the commit, and how many files differed from it."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=targets.REPO_ROOT, capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD") or None,
        "changed_files": len(git("status", "--porcelain").splitlines()),
    }


def wait_for_quiet(max_load: float, wait_s: float) -> float:
    """Poll the 1-minute load average until it drops below ``max_load`` or ``wait_s`` runs out."""
    deadline = time.monotonic() + wait_s
    load1 = os.getloadavg()[0]
    announced = False
    while max_load > 0 and load1 >= max_load and time.monotonic() < deadline:
        if not announced:
            print(
                f"waiting for the 1-min load average ({load1:.2f}) to drop below {max_load} ...", flush=True
            )
            announced = True
        time.sleep(5)
        load1 = os.getloadavg()[0]
    if max_load > 0 and load1 >= max_load:
        print(f"warning: load average still {load1:.2f} after {wait_s:.0f} s; measuring anyway", flush=True)
    return load1


# -- one measurement ------------------------------------------------------------------------------------


def capture_payload(workdir: Path, source: Path | None = None) -> tuple[load.Reply, str]:
    """Our server's real reply to the benchmark request (SQLite store, bundled snapshot)."""
    with targets.run_server(
        targets.TARGETS["ours-sqlite"], workdir, payload_env={}, redis_url=None, source=source
    ) as server:
        reply = load.post(server.port, server.key, server.target.era)
    text = load.tool_text(reply, target="ours-sqlite")
    load.check_earthquakes(text)
    return reply, text


def verify(server: targets.RunningServer, expected_text: str) -> load.Reply:
    reply = load.post(server.port, server.key)
    text = load.tool_text(reply, target=server.target.name)
    if server.target.store is not None:
        load.check_earthquakes(text)
    elif text != expected_text:
        raise load.VerificationError(f"{server.target.name}: the tool text differs from our server's")
    return reply


def measure(
    target: targets.Target,
    workdir: Path,
    args: argparse.Namespace,
    *,
    payload_env: dict[str, str],
    expected_text: str,
    redis: targets.RedisServer | None,
    source: Path | None,
) -> dict[str, Any]:
    with targets.run_server(
        target,
        workdir,
        payload_env=payload_env,
        redis_url=redis.url if redis else None,
        window_s=args.window_s,
        source=source,
    ) as server:
        verified = verify(server, expected_text)
        if args.warmup > 0:
            load.run_wrk(
                server.port,
                server.key,
                duration_s=args.warmup,
                connections=args.connections,
                threads=args.threads,
                era=target.era,
            )
        load_before = os.getloadavg()[0]
        cpu_before = targets.cpu_seconds(server.pid)
        redis_before = targets.cpu_seconds(redis.pid) if redis and target.store == "redis" else None
        result = load.run_wrk(
            server.port,
            server.key,
            duration_s=args.duration,
            connections=args.connections,
            threads=args.threads,
            era=target.era,
        )
        server_cpu = targets.cpu_seconds(server.pid) - cpu_before
        redis_cpu = (
            targets.cpu_seconds(redis.pid) - redis_before if redis and redis_before is not None else None
        )
        verify(server, expected_text)
    load.check_run(result, verified, target=target.name)
    run = {
        "target": target.name,
        "load_1min_before": round(load_before, 2),
        "load_1min_after": round(os.getloadavg()[0], 2),
        "server_cpu_s": round(server_cpu, 2),
        "server_cpu_us_per_request": round(server_cpu * 1e6 / result.requests, 1),
        **result.as_dict(),
    }
    if redis_cpu is not None:
        run["redis_cpu_us_per_request"] = round(redis_cpu * 1e6 / result.requests, 1)
    return run


def describe(run: dict[str, Any], repeats: int) -> str:
    latency = run["latency_us"]
    return (
        f"  [{run['repeat']}/{repeats}] {run['target']:<12} {run['rps']:>9,.0f} req/s"
        f"  p50 {latency['p50'] / 1000:6.1f} ms  p99 {latency['p99'] / 1000:6.1f} ms"
        f"  cpu {run['server_cpu_us_per_request']:6.0f} µs/req  load {run['load_1min_before']:.2f}"
    )


# -- the report -----------------------------------------------------------------------------------------


def summarise(runs: list[dict[str, Any]], names: list[str]) -> dict[str, dict[str, Any]]:
    summary: dict[str, dict[str, Any]] = {}
    for name in names:
        mine = [r for r in runs if r["target"] == name]
        if not mine:
            continue
        entry: dict[str, Any] = {
            "rps": statistics.median(r["rps"] for r in mine),
            "p50_ms": statistics.median(r["latency_us"]["p50"] for r in mine) / 1000,
            "p99_ms": statistics.median(r["latency_us"]["p99"] for r in mine) / 1000,
            "cpu_us_per_request": statistics.median(r["server_cpu_us_per_request"] for r in mine),
            "runs_rps": [r["rps"] for r in mine],
        }
        if all("redis_cpu_us_per_request" in r for r in mine):
            entry["redis_cpu_us_per_request"] = statistics.median(r["redis_cpu_us_per_request"] for r in mine)
        summary[name] = entry
    return summary


def ratios(summary: dict[str, dict[str, Any]]) -> dict[str, float]:
    found: dict[str, float] = {}
    for ours in OURS:
        if ours not in summary:
            continue
        for base in ("bare", "sdk", "mcpserver"):
            if base in summary:
                found[f"{ours}/{base}"] = round(summary[ours]["rps"] / summary[base]["rps"], 2)
    return found


def verdicts(found: dict[str, float]) -> dict[str, bool]:
    met: dict[str, bool] = {}
    for ours in OURS:
        if f"{ours}/bare" in found:
            met[f"{ours} >= {TARGET_VS_BARE} x bare"] = found[f"{ours}/bare"] >= TARGET_VS_BARE
        if f"{ours}/sdk" in found:
            met[f"{ours} >= {TARGET_VS_SDK} x sdk"] = found[f"{ours}/sdk"] >= TARGET_VS_SDK
    return met


def markdown(summary: dict[str, dict[str, Any]], found: dict[str, float], met: dict[str, bool]) -> str:
    lines = [
        "| Target | req/s (median) | p50 ms | p99 ms | server CPU µs/req | runs (req/s) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, entry in summary.items():
        cpu = f"{entry['cpu_us_per_request']:.0f}"
        if "redis_cpu_us_per_request" in entry:
            cpu += f" (+{entry['redis_cpu_us_per_request']:.0f} Valkey)"
        lines.append(
            f"| {targets.TARGETS[name].label} | {entry['rps']:,.0f} | {entry['p50_ms']:.1f} | "
            f"{entry['p99_ms']:.1f} | {cpu} | {', '.join(f'{r:,.0f}' for r in entry['runs_rps'])} |"
        )
    if found:
        lines += ["", "| Ratio (req/s) | value |", "|---|---:|"]
        lines += [f"| {name} | {value:.2f} |" for name, value in found.items()]
    if met:
        lines += [""] + [f"- {'met' if ok else 'NOT MET'}: {goal}" for goal, ok in met.items()]
    return "\n".join(lines)


# -- main -----------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds measured per run (default 15)")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections (default 64)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load first (default 3)")
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs per target; the median counts (default 3)"
    )
    parser.add_argument(
        "--targets",
        default=",".join(DEFAULT_TARGETS),
        help=f"comma-separated, from {','.join(targets.TARGETS)} (default: all)",
    )
    parser.add_argument(
        "--max-load",
        type=float,
        default=0.7,
        help="wait until the 1-min load average is below this before starting; 0 to skip (default 0.7)",
    )
    parser.add_argument(
        "--window-s",
        type=int,
        default=None,
        help="our server's rate-limit window in seconds (default: the server's default, 60)",
    )
    parser.add_argument("--load-wait", type=float, default=600, help="longest wait for --max-load, seconds")
    parser.add_argument("--check", action="store_true", help="exit 1 when ours misses 0.5 x bare or 3 x SDK")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.targets.split(",") if n.strip()]
    unknown = [n for n in names if n not in targets.TARGETS]
    if unknown or not names:
        parser.error(f"unknown targets {unknown}; choose from {','.join(targets.TARGETS)}")
    args.target_names = names
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load.wrk_binary()
    names: list[str] = args.target_names
    started = datetime.now(UTC)
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wm-bench-")))
        redis = stack.enter_context(targets.redis_server(workdir)) if "ours-redis" in names else None
        source = targets.snapshot_source(workdir)
        print("capturing our server's reply ...", flush=True)
        reply, text = capture_payload(workdir, source)
        (workdir / "body.json").write_bytes(reply.body)
        (workdir / "text.json").write_text(text)
        payload_env = {
            "BENCH_BODY_FILE": str(workdir / "body.json"),
            "BENCH_TEXT_FILE": str(workdir / "text.json"),
        }
        info = machine(redis.version if redis else None)
        load_at_start = wait_for_quiet(args.max_load, args.load_wait)
        runs: list[dict[str, Any]] = []
        for repeat in range(1, args.repeats + 1):
            for name in names:
                run = measure(
                    targets.TARGETS[name],
                    workdir,
                    args,
                    payload_env=payload_env,
                    expected_text=text,
                    redis=redis,
                    source=source,
                )
                run["repeat"] = repeat
                runs.append(run)
                print(describe(run, args.repeats), flush=True)

    summary = summarise(runs, names)
    found = ratios(summary)
    met = verdicts(found)
    table = markdown(summary, found, met)
    loads = [r["load_1min_before"] for r in runs]
    print()
    print(
        f"{info['cpu_model']}, {info['cores']} cores, Python {info['python']}, uvicorn "
        f"{info['packages']['uvicorn']} (uvloop, httptools), 1 worker, {args.connections} connections, "
        f"{args.duration} s x {args.repeats}; 1-min load {min(loads):.2f}-{max(loads):.2f}"
    )
    print()
    print(table)

    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    report = {
        "started_at": started.isoformat(),
        "command": [sys.executable, "-m", "bench.run", *(argv if argv is not None else sys.argv[1:])],
        "machine": info,
        "settings": {
            "duration_s": args.duration,
            "connections": args.connections,
            "wrk_threads": args.threads,
            "warmup_s": args.warmup,
            "repeats": args.repeats,
            "rate_limit": targets.RATE_LIMIT,
            "rate_limit_window_s": args.window_s or "server default (60)",
            "request_body": load.REQUEST_BODY,
            "reply_body_bytes": len(reply.body),
            "load_1min_at_start": round(load_at_start, 2),
        },
        "runs": runs,
        "summary": summary,
        "ratios": found,
        "targets_met": met,
    }
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    return 1 if args.check and not all(met.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
