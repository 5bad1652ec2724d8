"""A minimal graphql-transport-ws subscriber on the `websockets` client library."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

from bench.queries import STATUS_STREAM

# (number, status, received at (epoch s), occurred at (epoch s)) for each event.
OnEvent = Callable[[str, str, float, float], None]


class StatusSubscriber:
    """Subscribes to quoteStatusChanged and calls `on_event` for every event it receives."""

    def __init__(self, ws_url: str, authorization: str, on_event: OnEvent) -> None:
        self.ws_url, self.authorization, self.on_event = ws_url, authorization, on_event
        self.connection: ClientConnection | None = None
        self.task: asyncio.Task[None] | None = None
        self.error: BaseException | None = None
        self.completed = False

    async def start(self, timeout: float = 60.0) -> None:
        self.connection = await connect(
            self.ws_url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            open_timeout=timeout,
            ping_interval=None,  # the server pings; the library answers
            max_size=None,
        )
        await self.connection.send(
            orjson.dumps(
                {"type": "connection_init", "payload": {"Authorization": self.authorization}}
            ).decode()
        )
        ack = orjson.loads(await asyncio.wait_for(self.connection.recv(), timeout))
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        await self.connection.send(
            orjson.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": STATUS_STREAM}}
            ).decode()
        )
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.connection is not None
        try:
            async for raw in self.connection:
                received = time.time()
                message = orjson.loads(raw)
                kind = message.get("type")
                if kind == "next":
                    payload = message["payload"]
                    if payload.get("errors"):
                        raise RuntimeError(f"subscription error: {payload['errors']}")
                    event = payload["data"]["quoteStatusChanged"]
                    occurred = datetime.fromisoformat(event["occurredAt"]).timestamp()
                    self.on_event(event["quote"]["number"], event["status"], received, occurred)
                elif kind == "ping":
                    await self.connection.send('{"type":"pong"}')
                elif kind == "error":
                    raise RuntimeError(f"subscription error: {message}")
                elif kind == "complete":
                    self.completed = True
                    return
        except asyncio.CancelledError:
            raise
        except Exception as e:  # noqa: BLE001 - recorded; the scenario reports it
            self.error = e

    async def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                await self.connection.send('{"id":"1","type":"complete"}')
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.connection.close(), 5)
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(BaseException):
                await self.task


async def start_all(subscribers: list[StatusSubscriber], parallel: int = 50) -> None:
    gate = asyncio.Semaphore(parallel)

    async def one(s: StatusSubscriber) -> None:
        async with gate:
            await s.start()

    await asyncio.gather(*(one(s) for s in subscribers))


async def close_all(subscribers: list[StatusSubscriber], parallel: int = 100) -> None:
    gate = asyncio.Semaphore(parallel)

    async def one(s: StatusSubscriber) -> None:
        async with gate:
            await s.close()

    await asyncio.gather(*(one(s) for s in subscribers))


def any_error(subscribers: list[StatusSubscriber]) -> Any:
    return next((s.error for s in subscribers if s.error is not None), None)
