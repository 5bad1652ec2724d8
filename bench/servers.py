"""The servers under test, each in its own process group: `renewals serve` and the raw baseline."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench.settings import SECRET, TODAY


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of every process the benchmark starts (app, baseline, jobs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENEWALS_")}
    # The daily jobs of `serve` must not run during a measurement: schedule them an hour ago.
    jobs_at = (datetime.now(UTC) - timedelta(hours=1)).strftime("%H:%M")
    env.update(
        RENEWALS_DATABASE_URL=database_url,
        RENEWALS_SECRET_KEY=SECRET,
        RENEWALS_TODAY=TODAY.isoformat(),
        RENEWALS_LOG_LEVEL="WARNING",
        RENEWALS_JOBS_AT=jobs_at,
        RENEWALS_JOBS_ON_START="false",
        # The benchmark's own limits: one token sends thousands of queries a second, which the
        # default rate budget (README "Limits") would throttle; the per-query maximum stays.
        RENEWALS_COST_BUDGET="0",
        # S4/S4b open thousands of sockets with one token (README "Limits": 20 per token).
        RENEWALS_WS_MAX_SOCKETS_PER_TOKEN="100000",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class Server:
    """One server process; `await start()` returns once /healthz answers."""

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], port: int, workdir: Path
    ) -> None:
        self.name, self.argv, self.env, self.port = name, argv, env, port
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 90.0) -> None:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole, workers included
        )
        log.close()
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}"
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{self.base_url}/healthz")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise RuntimeError(
            f"{self.name} did not answer /healthz in {timeout:.0f} s:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def app_server(database_url: str, workdir: Path, workers: int) -> Server:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "renewals.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    if workers != 1:
        argv += ["--workers", str(workers)]
    return Server("app", argv, server_env(database_url), port, workdir)


def baseline_server(database_url: str, workdir: Path, workers: int) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "bench.baseline", "--host", "127.0.0.1", "--port", str(port)]
    if workers != 1:
        argv += ["--workers", str(workers)]
    env = server_env(database_url)
    # The baseline is imported from this checkout's `bench` package.
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return Server("baseline", argv, env, port, workdir)
