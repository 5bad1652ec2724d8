"""Profiles S1 and S2 in-process with pyinstrument: the real ASGI app (and the raw baseline for
contrast) called directly, sequentially, on the benchmark's data set.

    .venv/bin/pip install pyinstrument
    .venv/bin/python -m bench.profile                 # S1 and S2, 300 requests each
    .venv/bin/python -m bench.profile --only S2 --requests 100 --html /tmp/prof

Prints, per scenario and target, the time per request, the self time by layer (graphql-core,
strawberry, sqlalchemy, aiosqlite, the app's own code, waiting for the database thread...), the
top functions by self time, and pyinstrument's call tree (condensed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson

from bench.dataset import build_dataset, settings_for
from bench.queries import S1_GROUPS, S2_PARTNER_PAGE
from bench.scenarios import tokens
from bench.settings import FULL, SMOKE

# Each sample goes to the innermost frame on its stack that one of these rules recognises.
CATEGORIES = (
    ("renewals/persistence/", "DB access: read functions, SQLAlchemy, driver"),
    ("/sqlalchemy/", "DB access: read functions, SQLAlchemy, driver"),
    ("/aiosqlite/", "DB access: read functions, SQLAlchemy, driver"),
    ("/asyncpg/", "DB access: read functions, SQLAlchemy, driver"),
    ("strawberry/dataloader.py", "DataLoader machinery"),
    ("/jwt/", "JWT decode"),
    ("renewals/", "app code: resolvers, types, domain rules"),
    ("bench/", "baseline handler code"),
    ("graphql/validation/", "GraphQL validation"),
    ("graphql/language/", "GraphQL parse / AST visitors"),
    ("graphql/utilities/", "GraphQL utilities (type info, AST)"),
    ("strawberry/extensions/", "Strawberry extensions (hooks, limits, caches)"),
    ("graphql/execution/", "graphql-core execution (fields, completion)"),
    ("graphql/type/", "graphql-core execution (fields, completion)"),
    ("graphql/pyutils/", "graphql-core execution (fields, completion)"),
    ("strawberry/schema/", "Strawberry resolver wrappers (info, args, results)"),
    ("strawberry/types/", "Strawberry resolver wrappers (info, args, results)"),
    ("strawberry/execution/", "Strawberry resolver wrappers (info, args, results)"),
    ("strawberry/utils/", "Strawberry resolver wrappers (info, args, results)"),
    ("strawberry/http/", "Strawberry HTTP view (request, context, response)"),
    ("strawberry/", "Strawberry other"),
    ("/starlette/", "Starlette routing / request / response"),
    ("selectors.py", "idle: waiting for I/O (the DB thread)"),
    ("/asyncio/", "asyncio: tasks, futures, event loop"),
    ("/orjson", "JSON"),
    ("/json/", "JSON"),
)


def category_of(stack: list) -> str:
    for frame in reversed(stack):
        path = frame.file_path or ""
        for needle, category in CATEGORIES:
            if needle in path:
                return category
    return "other"


def attribute(frame, stack: list, by_category: dict, by_function: dict) -> None:
    """Self time of every frame, to its category and (when not synthetic) its function."""
    stack.append(frame)
    own = frame.time - sum(c.time for c in frame.children)
    if own > 0:
        by_category[category_of(stack)] += own
        real = next((f for f in reversed(stack) if not f.is_synthetic), frame)
        key = (real.function or "?", f"{real.file_path_short or '?'}:{real.line_no or 0}")
        by_function[key] += own
    for child in frame.children:
        attribute(child, stack, by_category, by_function)
    stack.pop()


async def call(app: Any, path: str, body: bytes, authorization: str) -> bytes:
    """One POST straight into the ASGI app (no client, no socket)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"authorization", authorization.encode()),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 12345),
        "server": ("bench", 80),
    }
    sent = False
    chunks: list[bytes] = []

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return b"".join(chunks)


def report(
    label: str, session: Any, requests: int, wall: float, top: int, out: dict | None = None
) -> str:
    root = session.root_frame()
    by_category: dict[str, float] = defaultdict(float)
    by_function: dict[tuple[str, str], float] = defaultdict(float)
    if root is not None:
        attribute(root, [], by_category, by_function)
    total = sum(by_category.values()) or 1.0
    per_request = wall / requests * 1000
    if out is not None:
        out[label] = {
            "ms_per_request": round(per_request, 3),
            "categories": {k: round(v / total, 4) for k, v in by_category.items()},
        }
    lines = [
        f"== {label}: {requests} requests, {per_request:.2f} ms per request (under the profiler)"
    ]
    lines.append("   time by category (each sample to the innermost recognised frame):")
    for name, seconds in sorted(by_category.items(), key=lambda kv: -kv[1]):
        share = seconds / total
        lines.append(f"   {share * 100:5.1f}%  {share * per_request:6.2f} ms  {name}")
    lines.append(f"   top {top} functions by self time:")
    for (function, place), seconds in sorted(by_function.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"   {seconds / total * 100:5.1f}%  {function}  ({place})")
    return "\n".join(lines)


async def profile(args: argparse.Namespace) -> None:
    from pyinstrument import Profiler

    from bench.baseline import create_app as create_baseline
    from renewals.app import create_app
    from renewals.container import build_container

    sizes = SMOKE if args.smoke else FULL
    workdir = Path(tempfile.mkdtemp(prefix="renewals-profile-"))
    try:
        url = f"sqlite+aiosqlite:///{workdir / 'profile.db'}"
        await build_dataset(url, sizes.main)
        import os

        os.environ.update(
            RENEWALS_DATABASE_URL=url,
            RENEWALS_SECRET_KEY=settings_for(url).secret_key or "",
            RENEWALS_TODAY=str(settings_for(url).today),
        )
        container = build_container(settings_for(url))
        targets = {"graphql": (create_app(container=container, background=False), "/graphql")}
        if not args.no_baseline:
            targets["baseline"] = (create_baseline(), "")
        tok = tokens()
        summary: dict = {}
        scenarios = {
            "S1": (S1_GROUPS, tok["buyer"], "/s1"),
            "S2": (S2_PARTNER_PAGE, tok["partner"], "/s2"),
        }
        for name in [s.strip().upper() for s in args.only.split(",")]:
            document, token, raw_path = scenarios[name]
            body = orjson.dumps({"query": document})
            for target, (app, path) in targets.items():
                path = path or raw_path
                for _ in range(args.warmup):
                    answer = orjson.loads(await call(app, path, body, token))
                    assert "data" in answer and not answer.get("errors"), answer
                profiler = Profiler(interval=args.interval, async_mode="disabled")
                start = time.perf_counter()
                profiler.start()
                for _ in range(args.requests):
                    await call(app, path, body, token)
                profiler.stop()
                wall = time.perf_counter() - start
                label = f"{name} {target}"
                print(report(label, profiler.last_session, args.requests, wall, args.top, summary))
                if args.tree:
                    print(
                        profiler.output_text(
                            unicode=True, color=False, show_all=False, short_mode=True
                        )
                    )
                if args.html:
                    out = Path(args.html)
                    out.mkdir(parents=True, exist_ok=True)
                    (out / f"{name}-{target}.html").write_text(profiler.output_html())
                print()
        await container.close()
        if args.json:
            Path(args.json).write_text(json.dumps(summary, indent=2))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    p.add_argument("--only", default="S1,S2")
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--interval", type=float, default=0.0005)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--tree", action="store_true", help="also print pyinstrument's call tree")
    p.add_argument("--html", metavar="DIR", help="write pyinstrument HTML reports here")
    p.add_argument("--json", metavar="PATH", help="write the shares by category to PATH")
    p.add_argument("--smoke", action="store_true", help="the smoke data set (fast)")
    p.add_argument("--no-baseline", action="store_true", help="profile the GraphQL app only")
    args = p.parse_args()
    asyncio.run(profile(args))


if __name__ == "__main__":
    main()
