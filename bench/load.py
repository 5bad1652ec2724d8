"""HTTP load from a separate process: wrk (with a Lua script) when installed, else an async httpx
load generator (`python -m bench.load`), bounded by time and by request count.

Both print one line `BENCH_JSON {...}` with the request count, duration, errors and latency
percentiles in microseconds; `run_load` parses it into a LoadResult.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPT = r"""
local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTHORIZATION")

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "errors": %d, "non_2xx": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
"""


@dataclass(frozen=True)
class LoadResult:
    generator: str
    requests: int
    duration_s: float
    errors: int
    non_2xx: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "generator": self.generator,
            "requests": self.requests,
            "duration_s": round(self.duration_s, 3),
            "rps": round(self.rps, 1),
            "errors": self.errors,
            "non_2xx": self.non_2xx,
            "p50_ms": round(self.p50_ms, 2),
            "p90_ms": round(self.p90_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "max_ms": round(self.max_ms, 2),
        }


def pick_generator(wanted: str) -> str:
    if wanted == "auto":
        return "wrk" if shutil.which("wrk") else "httpx"
    if wanted == "wrk" and not shutil.which("wrk"):
        raise SystemExit("--load-generator wrk: wrk is not installed (apt-get install wrk)")
    return wanted


def parse(generator: str, output: str) -> LoadResult:
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            d = json.loads(line[len("BENCH_JSON ") :])
            return LoadResult(
                generator=generator,
                requests=int(d["requests"]),
                duration_s=d["duration_us"] / 1e6,
                errors=int(d["errors"]),
                non_2xx=int(d["non_2xx"]),
                p50_ms=d["p50_us"] / 1000,
                p90_ms=d["p90_us"] / 1000,
                p99_ms=d["p99_us"] / 1000,
                max_ms=d["max_us"] / 1000,
            )
    raise RuntimeError(f"{generator} printed no result:\n{output[-2000:]}")


async def run_load(
    generator: str,
    url: str,
    body: bytes,
    authorization: str,
    *,
    duration_s: float,
    connections: int,
    max_requests: int = 10_000_000,
) -> LoadResult:
    """Loads `url` with POSTs of `body` from a separate process; returns what it measured."""
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        body_file = Path(tmp) / "body.json"
        body_file.write_bytes(body)
        env = {
            **os.environ,
            "BENCH_BODY_FILE": str(body_file),
            "BENCH_AUTHORIZATION": authorization,
        }
        if generator == "wrk":
            script = Path(tmp) / "post.lua"
            script.write_text(WRK_SCRIPT)
            argv = [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{max(1, round(duration_s))}s",
                "--timeout",
                "30s",
                "-s",
                str(script),
                url,
            ]
        else:
            argv = [
                sys.executable,
                "-m",
                "bench.load",
                "--url",
                url,
                "--duration",
                str(duration_s),
                "--connections",
                str(connections),
                "--max-requests",
                str(max_requests),
            ]
        process = await asyncio.create_subprocess_exec(
            *argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        out, _ = await process.communicate()
        text = out.decode(errors="replace")
        if process.returncode != 0:
            raise RuntimeError(f"{generator} failed ({process.returncode}):\n{text[-2000:]}")
        return parse(generator, text)


# --- the httpx load generator (runs in its own process) ---------------------------------------


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


async def generate(
    url: str, body: bytes, authorization: str, duration: float, connections: int, limit: int
) -> dict:
    import httpx

    headers = {"Content-Type": "application/json", "Authorization": authorization}
    latencies: list[float] = []
    counts = {"errors": 0, "non_2xx": 0, "sent": 0}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        start = time.perf_counter()
        deadline = start + duration

        async def worker() -> None:
            while time.perf_counter() < deadline and counts["sent"] < limit:
                counts["sent"] += 1
                t0 = time.perf_counter()
                try:
                    response = await client.post(url, content=body, headers=headers)
                    await response.aread()
                except httpx.HTTPError:
                    counts["errors"] += 1
                    continue
                latencies.append(time.perf_counter() - t0)
                if response.status_code >= 300:
                    counts["non_2xx"] += 1

        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    us = [v * 1e6 for v in latencies]
    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        "errors": counts["errors"],
        "non_2xx": counts["non_2xx"],
        "p50_us": int(percentile(us, 50)),
        "p90_us": int(percentile(us, 90)),
        "p99_us": int(percentile(us, 99)),
        "max_us": int(us[-1]) if us else 0,
        "mean_us": sum(us) / len(us) if us else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="async httpx load generator (POST, keep-alive)")
    parser.add_argument("--url", required=True)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--max-requests", type=int, default=10_000_000)
    args = parser.parse_args()
    body = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
    authorization = os.environ.get("BENCH_AUTHORIZATION", "")
    result = asyncio.run(
        generate(args.url, body, authorization, args.duration, args.connections, args.max_requests)
    )
    print("BENCH_JSON " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
