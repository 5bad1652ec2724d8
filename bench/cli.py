"""`python -m bench`: builds the data, starts the servers, runs the scenarios, prints one table.

Targets are printed beside the figures, never asserted: the exit status is 0 unless the benchmark
could not measure (a scenario raised, or the baseline's JSON differed from GraphQL's).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import report
from bench.databases import Databases
from bench.dataset import build_dataset
from bench.load import pick_generator
from bench.scenarios import Run, s1, s2, s3, s4, s4b, s5, s6
from bench.servers import app_server, baseline_server
from bench.settings import FULL, SCENARIOS, SMOKE, Sizes

SCENARIO_FUNCTIONS = {
    "S1": s1,
    "S2": s2,
    "S3": s3,
    "S4": s4,
    "S4b": s4b,
    "S5": s5,
    "S6": s6,
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--smoke", action="store_true", help="every scenario tiny (seconds), for CI")
    p.add_argument("--only", help="comma-separated scenarios, e.g. S1,S2 (default: all)")
    p.add_argument("--json", metavar="PATH", help="also write the figures to this JSON file")
    p.add_argument(
        "--database-url",
        help="default: SQLite files in a temporary directory; postgresql+asyncpg://user@host/db "
        "creates (and drops) fresh databases bench_<random>_* on that server",
    )
    p.add_argument(
        "--workers", type=int, default=1, help="passed to `renewals serve --workers N` (PostgreSQL)"
    )
    p.add_argument("--load-generator", choices=("auto", "wrk", "httpx"), default="auto")
    p.add_argument("--duration", type=float, help="seconds per S1/S2 measurement")
    p.add_argument("--warmup", type=float, help="seconds of warm-up per S1/S2 target")
    p.add_argument("--rounds", type=int, help="interleaved S1/S2 rounds (medians reported)")
    p.add_argument("--connections", type=int, help="concurrent HTTP connections for S1/S2")
    p.add_argument("--subscribers", type=int, help="S4 WebSocket subscribers")
    p.add_argument("--changes", type=int, help="S4 status changes")
    p.add_argument("--s4b-subscribers", type=int, help="S4b subscribers (PostgreSQL, --workers 2)")
    p.add_argument("--s4b-changes", type=int, help="S4b status changes")
    p.add_argument("--s4b-processes", type=int, help="S4b subscriber processes")
    p.add_argument("--keep", action="store_true", help="keep the databases and server logs")
    return p


def sizes_for(args: argparse.Namespace) -> Sizes:
    sizes = SMOKE if args.smoke else FULL
    overrides = {
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "rounds": args.rounds,
        "connections": args.connections,
        "s4_subscribers": args.subscribers,
        "s4_changes": args.changes,
        "s4b_subscribers": args.s4b_subscribers,
        "s4b_changes": args.s4b_changes,
        "s4b_processes": args.s4b_processes,
    }
    return replace(sizes, **{k: v for k, v in overrides.items() if v is not None})


def read_only(argv: list[str]) -> str:
    with contextlib.suppress(Exception):
        return subprocess.run(
            argv, capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    return ""


def wrk_version() -> str:
    words = read_only(["wrk", "-v"]).split()
    return words[1] if len(words) > 1 else ""


def machine(args: argparse.Namespace, generator: str, kind: str) -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        cpu = next(
            (
                ln.split(":", 1)[1].strip()
                for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")
            ),
            "",
        )
    root = Path(__file__).resolve().parent.parent
    versions = {}
    for package in (
        "strawberry-graphql",
        "graphql-core",
        "starlette",
        "uvicorn",
        "sqlalchemy",
        "aiosqlite",
        "asyncpg",
        "orjson",
    ):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    import renewals

    source = Path(renewals.__file__).resolve().parent
    return {
        "command": "python -m bench " + " ".join(sys.argv[1:]),
        "renewals_source": str(source),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": cpu,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "database": kind,
        "workers": args.workers,
        "load_generator": generator + (f" {wrk_version()}" if generator == "wrk" else ""),
        "mode": "smoke" if args.smoke else "full",
        "git_commit": read_only(["git", "-C", str(root), "rev-parse", "--short", "HEAD"]),
        "git_dirty": bool(
            read_only(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"])
        ),
        "versions": versions,
        "loadavg_start": list(os.getloadavg()),
    }


async def run(args: argparse.Namespace) -> int:
    sizes = sizes_for(args)
    by_upper = {s.upper(): s for s in SCENARIOS}
    only = (
        [by_upper.get(s.strip().upper(), s.strip()) for s in args.only.split(",")]
        if args.only
        else list(SCENARIOS)
    )
    unknown = [s for s in only if s not in SCENARIOS]
    if unknown:
        print(
            f"unknown scenario(s): {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}",
            file=sys.stderr,
        )
        return 2
    generator = pick_generator(args.load_generator)
    workdir = Path(tempfile.mkdtemp(prefix="renewals-bench-"))
    dbs = Databases(args.database_url, workdir)
    began = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - began:6.1f}s] {message}", file=sys.stderr, flush=True)

    meta = machine(args, generator, dbs.kind)
    log(
        f"{meta['mode']} run on {meta['nproc']} cores, {dbs.kind}, load by {generator}; work dir {workdir}"
    )
    bench = Run(sizes=sizes, workdir=workdir, dbs=dbs, generator=generator, log=log)
    results: dict[str, dict[str, Any]] = {}

    async def attempt(name: str) -> None:
        log(f"{name} ...")
        t0 = time.perf_counter()
        try:
            results[name] = await SCENARIO_FUNCTIONS[name](bench)
        except Exception as e:  # noqa: BLE001 - reported in the table; the run goes on
            traceback.print_exc()
            results[name] = {"error": f"{type(e).__name__}: {e}"}
        if "skipped" in results[name]:
            log(f"{name} skipped: {results[name]['skipped']}")
        results[name]["seconds"] = round(time.perf_counter() - t0, 1)
        log(f"{name} done in {results[name]['seconds']} s")

    try:
        served = [s for s in ("S1", "S2", "S3", "S4", "S4b") if s in only]
        if served:
            try:
                url = await dbs.create("main")
                bench.data = await build_dataset(url, sizes.main, log=log)
                bench.app = app_server(url, workdir, args.workers)
                servers = [bench.app]
                if {"S1", "S2"} & set(served):
                    bench.baseline = baseline_server(url, workdir, args.workers)
                    servers.append(bench.baseline)
                await asyncio.gather(*(s.start() for s in servers))
                log("servers up: " + ", ".join(f"{s.name} on {s.base_url}" for s in servers))
            except Exception as e:  # noqa: BLE001
                traceback.print_exc()
                for name in served:
                    results[name] = {"error": f"set-up failed: {type(e).__name__}: {e}"}
                served = []
            try:
                for name in served:
                    await attempt(name)
            finally:
                for server in (bench.app, bench.baseline):
                    if server is not None:
                        server.stop()
        for name in ("S5", "S6"):
            if name in only:
                await attempt(name)
    finally:
        if args.keep:
            log(f"kept: {workdir} and databases {dbs.created}")
        else:
            await dbs.drop_all()
            shutil.rmtree(workdir, ignore_errors=True)
    meta["loadavg_end"] = list(os.getloadavg())
    root = Path(__file__).resolve().parent.parent
    meta["git_commit_end"] = read_only(["git", "-C", str(root), "rev-parse", "--short", "HEAD"])
    in_checkout = meta["renewals_source"].startswith(str(root))
    if in_checkout and meta["git_commit_end"] != meta["git_commit"]:
        log(
            f"warning: the checkout moved from {meta['git_commit']} to {meta['git_commit_end']} during the run"
        )
    meta["seconds"] = round(time.perf_counter() - began, 1)
    table = report.rows(results)
    print(report.markdown(table))
    print(
        f"\n{meta['mode']} run, {meta['database']}, {meta['nproc']} cores ({meta['cpu']}), Python {meta['python']}, "
        f"load: {meta['load_generator']}, {meta['seconds']} s; load average "
        f"{meta['loadavg_start'][0]:.2f} → {meta['loadavg_end'][0]:.2f}"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"meta": meta, "results": results, "table": table}, indent=2, default=str)
        )
    return 1 if any("error" in r for r in results.values()) else 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return asyncio.run(run(args))
