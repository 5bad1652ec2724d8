"""SMTP servers on loopback (a recording one, a slow one, a hung one) and outbox rows written
directly, as old data would have them."""

import asyncio
import contextlib
import socket
import threading
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import insert, select

from renewals.config import Settings
from renewals.container import Container, build_container
from renewals.persistence import models as m
from tests.factories import SECRET, TODAY


class Inbox:
    """Records each envelope; `slow` holds DATA until released (a server that takes its time)."""

    def __init__(self, slow: bool = False) -> None:
        self.messages: list[Any] = []
        self.slow = slow
        self.data_started = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_started.set()
        if self.slow:
            await asyncio.to_thread(self.release.wait, 30)
        self.messages.append(envelope)
        return "250 OK"

    def rcpt_tos(self) -> list[list[str]]:
        return [list(e.rcpt_tos) for e in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def smtp_server(inbox: Inbox) -> AsyncIterator[int]:
    """An aiosmtpd server on a free port; yields the port."""
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    await asyncio.to_thread(controller.start)
    try:
        yield port
    finally:
        inbox.release.set()
        await asyncio.to_thread(controller.stop)


class HungServer:
    """Accepts connections and never says a word (no greeting): a hung SMTP server."""

    def __init__(self) -> None:
        self.connected = asyncio.Event()
        self.writers: list[asyncio.StreamWriter] = []

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        self.connected.set()


@contextlib.asynccontextmanager
async def hung_server() -> AsyncIterator[tuple[HungServer, int]]:
    hung = HungServer()
    server = await asyncio.start_server(hung._accept, "127.0.0.1", 0)
    try:
        yield hung, server.sockets[0].getsockname()[1]
    finally:
        for writer in hung.writers:
            writer.close()
        server.close()


@contextlib.asynccontextmanager
async def mail_container(database_url: str, port: int, **settings: Any) -> AsyncIterator[Container]:
    container = build_container(
        Settings(
            database_url=database_url,
            secret_key=SECRET,
            today=TODAY,
            smtp_url=f"smtp://127.0.0.1:{port}",
            **settings,
        )
    )
    try:
        yield container
    finally:
        await container.close()


async def outbox(container: Container, *addresses: str) -> list[int]:
    """One due PENDING email per address, written straight into the table; their ids."""
    now = container.clock.now()
    ids = []
    async with container.db.write_engine.begin() as conn:
        for i, to in enumerate(addresses):
            result = await conn.execute(
                insert(m.Email).values(
                    to_address=to,
                    subject=f"Email {i}",
                    body=f"Body {i}",
                    status="PENDING",
                    attempts=0,
                    next_attempt_at=now - timedelta(seconds=1),
                    created_at=now - timedelta(seconds=1),
                )
            )
            ids.append(result.inserted_primary_key[0])
    return ids


async def email_rows(container: Container) -> list[tuple[str, str, int]]:
    """(to, status, attempts) of every email, in id order."""
    async with container.db.read_engine.connect() as conn:
        rows = await conn.execute(
            select(m.Email.to_address, m.Email.status, m.Email.attempts).order_by(m.Email.id)
        )
        return [tuple(r) for r in rows]


async def last_errors(container: Container) -> dict[str, str | None]:
    async with container.db.read_engine.connect() as conn:
        rows = await conn.execute(select(m.Email.to_address, m.Email.last_error))
        return {to: error for to, error in rows}
