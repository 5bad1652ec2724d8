"""A stop (SIGTERM: the lifespan sets `stop` and cancels the worker) during slow SMTP leaves only
the email SMTP already has as SENDING; the rest are PENDING for the next process (issue 11, W3)."""

import asyncio

from renewals.services.worker import worker_loop
from tests.services.mail.helpers import (
    Inbox,
    email_rows,
    hung_server,
    mail_container,
    outbox,
    smtp_server,
)

ADDRESSES = ["one@acme.example", "two@acme.example", "three@acme.example"]


async def stop(task: asyncio.Task, event: asyncio.Event) -> None:
    """What the app's lifespan does on shutdown."""
    event.set()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_a_stop_during_a_slow_send_keeps_only_that_email_sending(database_url):
    inbox = Inbox(slow=True)
    async with smtp_server(inbox) as port, mail_container(database_url, port) as container:
        await outbox(container, *ADDRESSES)
        event = asyncio.Event()
        task = asyncio.create_task(worker_loop(container, event))
        assert await asyncio.to_thread(inbox.data_started.wait, 10)
        await stop(task, event)

        assert await email_rows(container) == [
            ("one@acme.example", "SENDING", 0),  # SMTP has it: outcome unknown, not resent
            ("two@acme.example", "PENDING", 0),
            ("three@acme.example", "PENDING", 0),
        ]


async def test_a_stop_before_the_server_answered_puts_the_email_back(database_url):
    async with hung_server() as (hung, port), mail_container(database_url, port) as container:
        await outbox(container, *ADDRESSES)
        event = asyncio.Event()
        task = asyncio.create_task(worker_loop(container, event))
        await asyncio.wait_for(hung.connected.wait(), 10)
        await stop(task, event)

        assert await email_rows(container) == [(to, "PENDING", 0) for to in ADDRESSES]
