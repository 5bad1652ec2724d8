"""`python -m bench.body_limit`: oversized bodies are refused before they are read (B3).

Starts `renewals serve` (SQLite, one process) in a subprocess, reads its resident memory, sends
large bodies over raw sockets (with a `Content-Length`, and chunked without one) while /healthz
is polled, and reads the memory again. Prints one line per body and the figures; exits 1 when
the server grew by more than `--max-growth-mb` or answered anything but 413 (or reset the
connection after answering, which TCP does when a client keeps writing to a closed socket). Memory is measured,
never inferred from timings (before the limit: four 25 MB bodies took RSS from 150 to 365 MB).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.servers import Server, app_server

CHUNK = 64 * 1024


def rss_mb(pid: int) -> float:
    """Resident set size of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@dataclass
class Sent:
    status: int | str | None
    bytes_sent: int
    body: str


def comment_query(size: int) -> bytes:
    """A valid JSON operation of `size` bytes: a comment-only GraphQL document (the finding)."""
    head, tail = b'{"query": "#', b'\\n{ __typename }"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


async def send_body(port: int, size: int, *, chunked: bool) -> Sent:
    """Writes the body until the server answers (or closes, or all of it is written)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    head = f"POST /graphql HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n{framing}\r\n\r\n"
    writer.write(head.encode())
    answer = asyncio.create_task(reader.read(65536))
    body, sent = comment_query(size), 0
    try:
        while sent < size and not answer.done():
            piece = body[sent : sent + CHUNK]
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            await asyncio.wait_for(writer.drain(), 10)
            sent += len(piece)
        if chunked and sent >= size:
            writer.write(b"0\r\n\r\n")
    except (ConnectionError, TimeoutError):
        pass
    try:
        raw = await asyncio.wait_for(answer, 60)
    except ConnectionResetError:
        # The server answered and closed while this client still wrote: the kernel then resets
        # the connection, and the 413 may be lost on the way. The body was not read either way.
        return Sent("reset", sent, "(connection reset by the server)")
    finally:
        writer.close()
    status_line, _, rest = raw.decode(errors="replace").partition("\r\n")
    status = int(status_line.split()[1]) if status_line.startswith("HTTP/") else None
    return Sent(status, sent, rest.rpartition("\r\n\r\n")[2][:200])


async def poll_health(base_url: str, stop: asyncio.Event) -> float:
    """The slowest /healthz answer (ms) while the bodies are sent."""
    worst = 0.0
    async with httpx.AsyncClient(timeout=30) as client:
        while not stop.is_set():
            started = time.perf_counter()
            await client.get(f"{base_url}/healthz")
            worst = max(worst, (time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.05)
    return worst


async def measure(server: Server, count: int, size_mb: int) -> dict:
    assert server.process is not None
    pid = server.process.pid
    await send_body(server.port, 1024, chunked=False)  # warm up: the first request's imports
    before = rss_mb(pid)
    stop = asyncio.Event()
    health = asyncio.create_task(poll_health(server.base_url, stop))
    results = []
    for chunked in (False, True):
        sends = [send_body(server.port, size_mb << 20, chunked=chunked) for _ in range(count)]
        for sent in await asyncio.gather(*sends):
            results.append((chunked, sent))
            kind = "chunked" if chunked else "content-length"
            print(
                f"{size_mb} MB {kind:>14}: HTTP {sent.status}, client wrote "
                f"{sent.bytes_sent / 1024:.0f} KB before the answer; {sent.body}"
            )
    stop.set()
    worst_health_ms = await health
    after = rss_mb(pid)
    return {
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "growth_mb": round(after - before, 1),
        "statuses": sorted({s.status for _, s in results}, key=str),
        "worst_healthz_ms": round(worst_health_ms, 1),
    }


async def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.body_limit", description=__doc__)
    p.add_argument("--count", type=int, default=4, help="bodies per framing, sent at once")
    p.add_argument("--size-mb", type=int, default=25)
    p.add_argument("--max-growth-mb", type=float, default=20.0)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-body-limit-") as tmp:
        workdir = Path(tmp)
        server = app_server(f"sqlite+aiosqlite:///{workdir / 'bench.db'}", workdir, workers=1)
        await server.start()
        try:
            figures = await measure(server, args.count, args.size_mb)
        finally:
            server.stop()
    print(json.dumps(figures))
    refused = set(figures["statuses"]) <= {413, "reset"} and 413 in figures["statuses"]
    ok = refused and figures["growth_mb"] <= args.max_growth_mb
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
