"""CPU per request of S1 and S2 in-process, split by layer (cProfile self time by file).

    .venv/bin/python -m bench.layers                     # S1 and S2, 2,000 requests each
    .venv/bin/python -m bench.layers --cpu-only --requests 3000
    .venv/bin/python -m bench.layers --db /tmp/layers.db # keep the data set between runs

The app runs with the benchmark servers' settings (bench/servers.py: no rate budget, metrics
on); each request goes straight into the ASGI app (bench/profile.call), sequentially. `--cpu-only`
prints the process CPU time per request without a profiler (the figure for A/B comparisons:
run it on two checkouts with PYTHONPATH=<checkout>/src in turn).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import time
from collections import defaultdict
from pathlib import Path

import orjson

from bench.dataset import build_dataset, settings_for
from bench.profile import call
from bench.queries import S1_GROUPS, S2_PARTNER_PAGE
from bench.scenarios import tokens
from bench.settings import FULL

# First match wins: a function's self time goes to the layer of its file.
LAYERS = (
    ("renewals/observability/logs.py", "middleware: request ids, body limit, request log"),
    ("renewals/web/request_limits.py", "middleware: request ids, body limit, request log"),
    ("/starlette/", "Starlette: routing, Request, Response"),
    ("renewals/app.py", "GraphQL view (Strawberry http + our overrides)"),
    ("strawberry/http/", "GraphQL view (Strawberry http + our overrides)"),
    ("strawberry/asgi/", "GraphQL view (Strawberry http + our overrides)"),
    ("cross_web", "GraphQL view (Strawberry http + our overrides)"),
    ("renewals/api/core/context.py", "context, JWT, visibility"),
    ("renewals/auth.py", "context, JWT, visibility"),
    ("/jwt/", "context, JWT, visibility"),
    ("renewals/api/loaders.py", "context, JWT, visibility"),
    ("renewals/api/core/cost.py", "extensions: cost, rules, caches, Observe, metrics"),
    ("renewals/api/core/extensions.py", "extensions: cost, rules, caches, Observe, metrics"),
    ("renewals/observability/", "extensions: cost, rules, caches, Observe, metrics"),
    ("prometheus_client", "extensions: cost, rules, caches, Observe, metrics"),
    ("strawberry/extensions/", "extensions: cost, rules, caches, Observe, metrics"),
    ("strawberry/schema/schema.py", "Strawberry schema.execute pipeline"),
    ("strawberry/schema/", "Strawberry schema.execute pipeline"),
    ("graphql/validation/", "GraphQL parse / validate"),
    ("graphql/language/", "GraphQL parse / validate"),
    ("renewals/api/core/execution.py", "execution: compiled plan"),
    ("graphql/", "execution: graphql-core helpers"),
    ("strawberry/", "execution: Strawberry resolver wrappers, DataLoader"),
    ("renewals/persistence/", "resolvers: DB reads (SQLAlchemy, driver)"),
    ("/sqlalchemy/", "resolvers: DB reads (SQLAlchemy, driver)"),
    ("/aiosqlite/", "resolvers: DB reads (SQLAlchemy, driver)"),
    ("/asyncpg/", "resolvers: DB reads (SQLAlchemy, driver)"),
    ("/greenlet", "resolvers: DB reads (SQLAlchemy, driver)"),
    ("renewals/", "resolvers: API types, domain rules"),
    ("/asyncio/", "asyncio: tasks, futures, loop"),
    ("orjson", "JSON"),
    ("/json/", "JSON"),
)


def layer_of(filename: str, function: str) -> str:
    for needle, layer in LAYERS:
        if needle in filename:
            return layer
    if "orjson" in function:
        return "JSON"
    if "poll" in function or "select" in function:
        return "idle: waiting for the DB thread"
    return "other (builtins, queue, threads)"


def split(stats: pstats.Stats, requests: int) -> list[tuple[str, float]]:
    """Builtins (file "~") count in their callers' layers, in proportion to the calls."""
    by_layer: dict[str, float] = defaultdict(float)
    for (filename, _line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        callers = row[4]
        if filename == "~" and callers and "poll" not in function:
            calls = sum(c[0] for c in callers.values()) or 1
            for (caller_file, _l, caller_function), c in callers.items():
                by_layer[layer_of(caller_file, caller_function)] += row[2] * c[0] / calls
        else:
            by_layer[layer_of(filename, function)] += row[2]
    return sorted(((k, v / requests * 1000) for k, v in by_layer.items()), key=lambda kv: -kv[1])


async def client(app: object, path: str, body: bytes, token: str, count: int) -> None:
    for _ in range(count):
        await call(app, path, body, token)


def show_layer(stats: pstats.Stats, word: str, requests: int) -> None:
    """The functions of the layers whose name holds `word`, by self time."""
    rows = [
        (row[2] / requests * 1000, row[0] / requests, f"{function} ({filename}:{line})")
        for (filename, line, function), row in stats.stats.items()  # type: ignore[attr-defined]
        if any(w in layer_of(filename, function) for w in word.split(","))
    ]
    for ms, calls, name in sorted(rows, reverse=True)[:45]:
        print(f"   {ms:7.3f} ms  {calls:7.1f} calls  {name}")


async def run(args: argparse.Namespace) -> None:
    from renewals.app import create_app
    from renewals.container import build_container

    db = Path(args.db)
    url = f"sqlite+aiosqlite:///{db}"
    if not db.exists():
        await build_dataset(url, FULL.main)
    settings = settings_for(url, cost_budget=0, ws_max_sockets_per_token=100_000)
    container = build_container(settings)
    if args.baseline:
        from bench.baseline import create_app as create_baseline

        os.environ.update(RENEWALS_DATABASE_URL=url, RENEWALS_SECRET_KEY=settings.secret_key or "")
        os.environ.update(RENEWALS_TODAY=str(settings.today))
        app = create_baseline()
    else:
        app = create_app(container=container, background=False)
    tok = tokens()
    scenarios = {"S1": (S1_GROUPS, tok["buyer"]), "S2": (S2_PARTNER_PAGE, tok["partner"])}
    for name in [s.strip().upper() for s in args.only.split(",")]:
        document, token = scenarios[name]
        body = orjson.dumps({"query": document})
        path = f"/{name.lower()}" if args.baseline else "/graphql"
        first = await call(app, path, body, token)
        assert b'"errors"' not in first, first[:500]
        for _ in range(args.warmup):
            assert await call(app, path, body, token) == first
        cpu, wall = time.process_time(), time.perf_counter()
        profiler = None if args.cpu_only else cProfile.Profile()
        if profiler:
            profiler.enable()

        share = args.requests // args.concurrency
        await asyncio.gather(
            *(client(app, path, body, token, share) for _ in range(args.concurrency))
        )
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        n = args.requests
        print(
            f"== {name}: {n} requests, CPU {cpu / n * 1000:.3f} ms/request, "
            f"wall {wall / n * 1000:.3f} ms/request" + ("" if args.cpu_only else " (profiled)")
        )
        if profiler:
            stats = pstats.Stats(profiler)
            total = sum(ms for _, ms in split(stats, n))
            for layer, ms in split(stats, n):
                print(f"   {ms:7.3f} ms  {ms / total * 100:5.1f}%  {layer}")
            if args.top:
                stats.sort_stats("tottime").print_stats(args.top)
            if args.layer:
                show_layer(stats, args.layer, n)
    await container.close()


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.layers", description=__doc__)
    p.add_argument("--only", default="S1,S2")
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=1, help="requests in flight at once")
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--top", type=int, default=0, help="also print the top N functions")
    p.add_argument("--layer", help="also list the functions of the layers named with this word")
    p.add_argument("--cpu-only", action="store_true", help="no profiler: CPU per request only")
    p.add_argument("--baseline", action="store_true", help="the raw baseline instead")
    p.add_argument("--db", default=os.path.join("/tmp", "renewals-layers.db"))
    asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    main()
