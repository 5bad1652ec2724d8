"""A hung SMTP server does not hold up quote finalization: emails are sent beside the job loop,
with short timeouts (issue 11, W2)."""

import asyncio
import time

from sqlalchemy import select

from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.services.delivery import deliver_pending
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from renewals.services.worker import worker_loop
from tests.factories import document, subscription
from tests.helpers import seed
from tests.services.mail.helpers import email_rows, hung_server, mail_container, outbox


async def quote_status(container) -> str | None:
    async with container.db.read_engine.connect() as conn:
        return (await conn.execute(select(m.Quote.status))).scalar_one_or_none()


async def test_a_quote_is_finalized_while_smtp_hangs(database_url):
    async with hung_server() as (hung, port), mail_container(database_url, port) as container:
        await seed(container, document([subscription("SUB-1")]))
        await outbox(container, *[f"r{i}@acme.example" for i in range(5)])
        stop = asyncio.Event()
        task = asyncio.create_task(worker_loop(container, stop))
        try:
            await asyncio.wait_for(hung.connected.wait(), 10)  # the sender is stuck now
            async with container.db.read_engine.connect() as conn:
                sub_id = (await conn.execute(select(m.Subscription.id))).scalar_one()
            started = time.monotonic()
            await create_renewal_quote(container, None, Visibility(), CreateQuoteCommand([sub_id]))
            while await quote_status(container) != "QUOTED" and time.monotonic() - started < 5:
                await asyncio.sleep(0.05)
            assert await quote_status(container) == "QUOTED"
            assert time.monotonic() - started < 5  # the SMTP timeout is 10 s per email
        finally:
            stop.set()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        assert ("buyer@acme.example", "PENDING", 0) in await email_rows(container)


async def test_a_hung_server_costs_one_email_the_timeout_then_it_is_retried(database_url):
    async with (
        hung_server() as (_, port),
        mail_container(database_url, port, smtp_timeout_seconds=0.3) as container,
    ):
        await outbox(container, "one@acme.example")
        started = time.monotonic()
        assert await deliver_pending(container) == 0
        assert time.monotonic() - started < 3
        assert await email_rows(container) == [("one@acme.example", "PENDING", 1)]
