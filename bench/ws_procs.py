"""S4b's subscribers in processes of their own (not the benchmark's, not the server's).

`python -m bench.ws_procs URL AUTHORIZATION COUNT` connects COUNT graphql-transport-ws subscribers
(bench/ws.py), prints `ready`, then one line `got <number> <status>` as soon as all COUNT have
received that event, and on `stop` (stdin) closes them and prints one `summary <json>` line:
per event, how many received it, duplicates, and latencies (ms).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from bench.ws import StatusSubscriber, any_error, close_all, start_all


async def child(url: str, authorization: str, count: int) -> None:
    receivers: dict[str, set[int]] = defaultdict(set)
    duplicates: dict[str, int] = defaultdict(int)
    latencies: dict[str, list[float]] = defaultdict(list)

    def on_event(index: int, number: str, status: str, received: float, occurred: float) -> None:
        key = f"{number} {status}"
        got = receivers[key]
        if index in got:
            duplicates[key] += 1
            return
        got.add(index)
        latencies[key].append(round((received - occurred) * 1000, 2))
        if len(got) == count:
            sys.stdout.write(f"got {key}\n")
            sys.stdout.flush()

    subscribers = [StatusSubscriber(url, authorization, partial(on_event, i)) for i in range(count)]
    await start_all(subscribers, parallel=100)
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while (line := await reader.readline()) and line.strip() != b"stop":
        pass
    error = any_error(subscribers)
    await close_all(subscribers)
    summary = {
        "receivers": {k: len(v) for k, v in receivers.items()},
        "duplicates": dict(duplicates),
        "latencies": dict(latencies),
        "error": repr(error) if error else None,
    }
    sys.stdout.write("summary " + orjson.dumps(summary).decode() + "\n")
    sys.stdout.flush()


class SubscriberProcess:
    """One child process of subscribers, seen from the benchmark."""

    def __init__(self, url: str, authorization: str, count: int) -> None:
        self.count = count
        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        self.process = subprocess.Popen(  # noqa: ASYNC220 - started once, read by a thread
            [sys.executable, "-m", "bench.ws_procs", url, authorization, str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        self.complete: set[str] = set()
        self.ready = asyncio.get_running_loop().create_future()
        self.summary: dict[str, Any] | None = None
        self.done = asyncio.get_running_loop().create_future()
        self._reader = asyncio.get_running_loop().run_in_executor(None, self._read)
        self._loop = asyncio.get_running_loop()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.decode().strip()
            if line == "ready":
                self._loop.call_soon_threadsafe(_resolve, self.ready)
            elif line.startswith("got "):
                self._loop.call_soon_threadsafe(self.complete.add, line[4:])
            elif line.startswith("summary "):
                self.summary = orjson.loads(line[8:])
        self._loop.call_soon_threadsafe(_resolve, self.done)
        self._loop.call_soon_threadsafe(_resolve, self.ready)

    async def stop(self, timeout: float = 120) -> dict[str, Any]:
        assert self.process.stdin is not None
        with contextlib.suppress(OSError):
            self.process.stdin.write(b"stop\n")
            self.process.stdin.flush()
        try:
            await asyncio.wait_for(asyncio.shield(self.done), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        return self.summary or {"error": f"no summary (exit {self.process.returncode})"}


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def all_received(processes: list[SubscriberProcess], key: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not all(key in p.complete for p in processes):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.002)
    return True


def connections_per_worker(server_pid: int, port: int) -> dict[int, int]:
    """Established TCP connections on `port` held by each child (worker) of the server process,
    read from /proc (Linux): shows how the kernel spread the subscribers over the workers."""
    try:
        children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    except OSError:
        return {}
    pids = [int(c) for c in children] or [server_pid]
    out: dict[int, int] = {}
    for pid in pids:
        inodes = set()
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
        count = 0
        for table in ("tcp", "tcp6"):
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
                    cols = line.split()
                    local_port = int(cols[1].rsplit(":", 1)[1], 16)
                    if local_port == port and cols[3] == "01" and cols[9] in inodes:
                        count += 1
        out[pid] = count
    return out


if __name__ == "__main__":
    asyncio.run(child(sys.argv[1], sys.argv[2], int(sys.argv[3])))
