"""Real `renewals serve` processes and graphql-transport-ws clients for the scale-out tests."""

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from tests.factories import SECRET, TODAY

TIMEOUT = 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(database_url: str, *extra: str, **env: str) -> Iterator[str]:
    """Starts `renewals serve` on a free port; yields its base URL once /healthz answers 200."""
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RENEWALS_")},
        "RENEWALS_DATABASE_URL": database_url,
        "RENEWALS_SECRET_KEY": SECRET,
        "RENEWALS_TODAY": TODAY.isoformat(),
        "RENEWALS_LOG_LEVEL": "WARNING",
        "RENEWALS_WORKER_INTERVAL_SECONDS": "0.1",
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "renewals.cli", "serve", "--port", str(port), *extra],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"serve exited: {process.stderr.read()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("serve did not become healthy")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


async def post(
    base: str, query: str, variables: dict | None = None, *, auth: str
) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        response = await client.post(
            f"{base}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {auth}"},
        )
    return response.json()


STATUS = "subscription { quoteStatusChanged { status previousStatus quote { id number } } }"


class Watcher:
    """A graphql-transport-ws client collecting quoteStatusChanged events."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[tuple[str, str | None, str]] = []

    async def collect_until(
        self, count: int, timeout: float = TIMEOUT
    ) -> list[tuple[str, str | None, str]]:
        async def loop() -> None:
            while len(self.events) < count:
                message = json.loads(await self.ws.recv())
                if message["type"] == "next":
                    event = message["payload"]["data"]["quoteStatusChanged"]
                    self.events.append(
                        (event["quote"]["number"], event["previousStatus"], event["status"])
                    )

        await asyncio.wait_for(loop(), timeout)
        return self.events

    async def quiet_for(self, seconds: float) -> None:
        """Nothing more arrives (no duplicates)."""
        with contextlib.suppress(TimeoutError):
            message = await asyncio.wait_for(self.ws.recv(), seconds)
            raise AssertionError(f"unexpected message: {message}")


@contextlib.asynccontextmanager
async def watch(base: str, auth: str) -> AsyncIterator[Watcher]:
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {auth}"}})
        )
        assert json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": STATUS}}))
        await asyncio.sleep(0.3)  # the subscription is registered on the server
        yield Watcher(ws)
