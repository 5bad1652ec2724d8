"""A real stack on loopback for end-to-end tests: uvicorn (HTTP + WebSocket), aiosmtpd, the
worker, and a few graphql-transport-ws helpers. Every wait is bounded (TIMEOUT)."""

import asyncio
import contextlib
import email
import email.policy
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx
import uvicorn
from aiosmtpd.controller import Controller
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection

from renewals.api.core.ids import to_global_id
from renewals.app import create_app
from renewals.config import Settings
from renewals.container import Container, build_container
from renewals.persistence import models as m
from tests.factories import SECRET, TODAY, document, subscription
from tests.helpers import seed

TIMEOUT = 10.0
STATUS_SUBSCRIPTION = """subscription($quoteId: ID) {
  quoteStatusChanged(quoteId: $quoteId) { status previousStatus quote { number } } }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@dataclass
class Stack:
    container: Container
    inbox: Inbox
    http: httpx.AsyncClient
    base: str
    ws_url: str

    async def gql(self, query: str, variables: dict | None = None, auth: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {auth}"} if auth else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    async def subscription_id(self, number: str) -> str:
        async with self.container.db.read_engine.connect() as conn:
            pk = (
                await conn.execute(select(m.Subscription.id).where(m.Subscription.number == number))
            ).scalar_one()
        return to_global_id("Subscription", pk)

    async def listeners(self, count: int) -> None:
        """Waits until `count` subscriptions listen on the bus (so no event is missed)."""

        async def wait() -> None:
            while self.container.bus.listener_count < count:  # type: ignore[attr-defined]
                await asyncio.sleep(0.02)

        await asyncio.wait_for(wait(), TIMEOUT)

    async def email(self, count: int = 1) -> EmailMessage:
        async def wait() -> None:
            while len(self.inbox.messages) < count:
                await asyncio.sleep(0.05)

        await asyncio.wait_for(wait(), TIMEOUT)
        return self.inbox.messages[count - 1]


@contextlib.asynccontextmanager
async def running_stack(url: str, **overrides: Any) -> AsyncIterator[Stack]:
    smtp_port, http_port = free_port(), free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    await asyncio.to_thread(controller.start)
    try:
        base = f"http://127.0.0.1:{http_port}"
        settings = Settings(
            database_url=url,
            secret_key=SECRET,
            today=TODAY,
            smtp_url=f"smtp://127.0.0.1:{smtp_port}",
            public_url=base,
            worker_interval_seconds=0.2,
            **overrides,
        )
        container = build_container(settings)
        await seed(
            container,
            document(
                [
                    subscription("SUB-1", ends_in_days=60),
                    subscription("SUB-2", ends_in_days=60, seats=2),
                ]
            ),
        )
        app = create_app(container=container)  # background worker and scheduler ON
        config = uvicorn.Config(
            app, host="127.0.0.1", port=http_port, lifespan="on", log_level="warning"
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        try:

            async def started() -> None:
                while not server.started:
                    if task.done():
                        task.result()  # raises why it could not start
                    await asyncio.sleep(0.02)

            await asyncio.wait_for(started(), TIMEOUT)
            async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as http:
                yield Stack(container, inbox, http, base, f"ws://127.0.0.1:{http_port}/graphql")
        finally:
            server.should_exit = True
            try:
                await asyncio.wait_for(task, TIMEOUT)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    finally:
        await asyncio.to_thread(controller.stop)


async def receive(ws: ClientConnection) -> dict:
    """The next protocol message that is not a keep-alive (each one a JSON *text* frame)."""
    while True:
        frame = await asyncio.wait_for(ws.recv(), TIMEOUT)
        assert isinstance(frame, str), f"binary frame: {frame!r}"
        message = json.loads(frame)
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
            continue
        if message["type"] in ("pong", "ka"):
            continue
        return message


async def send(ws: ClientConnection, message: dict) -> None:
    await ws.send(json.dumps(message))


async def init(ws: ClientConnection, bearer: str) -> None:
    await send(ws, {"type": "connection_init", "payload": {"Authorization": f"Bearer {bearer}"}})
    assert (await receive(ws))["type"] == "connection_ack"


async def next_event(ws: ClientConnection, op_id: str, kind: str = "next") -> dict:
    message = await receive(ws)
    assert (message["type"], message.get("id")) == (kind, op_id), message
    assert "errors" not in message["payload"], message
    return message["payload"]["data"]["quoteStatusChanged"]


def plain(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()
