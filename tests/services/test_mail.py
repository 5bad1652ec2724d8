"""The email outbox over a real SMTP server on loopback: retried on failure, never sent twice."""

import asyncio
import socket
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from renewals.config import Settings
from renewals.container import build_container
from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.services.delivery import deliver_pending
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from renewals.services.worker import run_one_job
from tests.factories import SECRET, TODAY, document, subscription
from tests.helpers import seed


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def mailed(database_url):
    """A container whose SMTP URL points at a port; the quote's emails are written (not sent)."""
    port = free_port()
    settings = Settings(
        database_url=database_url,
        secret_key=SECRET,
        today=TODAY,
        smtp_url=f"smtp://127.0.0.1:{port}",
    )
    container = build_container(settings)
    await seed(container, document([subscription("SUB-1")]))
    async with container.db.read_engine.connect() as conn:
        sub_id = (await conn.execute(select(m.Subscription.id))).scalar_one()
    await create_renewal_quote(container, None, Visibility(), CreateQuoteCommand([sub_id]))
    assert await run_one_job(container)  # finalize: writes the buyer's email
    yield container, port
    await container.close()


async def statuses(container) -> list[tuple[str, int]]:
    async with container.db.read_engine.connect() as conn:
        return [
            tuple(r) for r in (await conn.execute(select(m.Email.status, m.Email.attempts))).all()
        ]


async def test_a_failed_delivery_is_retried_later_and_then_sent_once(mailed):
    container, port = mailed
    assert await deliver_pending(container) == 0  # nobody listens yet
    assert await statuses(container) == [("PENDING", 1)]

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    await asyncio.to_thread(controller.start)
    try:
        async with container.db.write_engine.begin() as conn:  # the backoff has passed
            await conn.execute(update(m.Email).values(next_attempt_at=container.clock.now()))
        assert await deliver_pending(container) == 1
        assert await deliver_pending(container) == 0
    finally:
        await asyncio.to_thread(controller.stop)
    assert await statuses(container) == [("SENT", 1)]
    assert len(inbox.messages) == 1 and inbox.messages[0].rcpt_tos == ["buyer@acme.example"]


async def test_an_email_whose_send_was_interrupted_is_not_sent_again(mailed):
    container, port = mailed
    async with container.db.write_engine.begin() as conn:  # a worker died after claiming it
        await conn.execute(update(m.Email).values(status="SENDING"))
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    await asyncio.to_thread(controller.start)
    try:
        assert await deliver_pending(container) == 0
    finally:
        await asyncio.to_thread(controller.stop)
    assert inbox.messages == []
    assert await statuses(container) == [("SENDING", 0)]
