"""Worker: a job left by a crash runs later, transient failures back off, permanent ones fail."""

from datetime import datetime, timedelta

from sqlalchemy import delete, update

from renewals.container import build_container
from renewals.domain.enums import QuoteStatus
from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.services import worker
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from renewals.services.worker import drain, run_one_job
from tests.factories import document, subscription
from tests.helpers import seed
from tests.services.lifecycle.helpers import SALES, count, make_quote, quote_row, rows, sub_pk


async def test_a_job_left_by_a_crash_is_run_by_the_next_process(settings):
    first = build_container(settings)
    try:
        await seed(first, document([subscription("SUB-1"), subscription("SUB-2")]))
        quote_id = await make_quote(first, "SUB-1", "SUB-2")
        (job,) = await rows(first, m.OutboxJob)
        assert (job.kind, job.status, job.quote_id) == ("finalize_quote", "PENDING", quote_id)
    finally:
        await first.close()  # "crash": nobody drained

    second = build_container(settings)
    try:
        assert (await quote_row(second, quote_id)).status == QuoteStatus.FINALIZING
        assert await drain(second) == 1
        quote = await quote_row(second, quote_id)
        assert quote.status == QuoteStatus.QUOTED
        assert quote.checkout_nonce
        emails = await rows(second, m.Email, m.Email.quote_id == quote_id)
        assert [e.to_address for e in emails] == ["buyer@acme.example"]
        assert quote.number in emails[0].body
        (job,) = await rows(second, m.OutboxJob)
        assert (job.status, job.attempts) == ("DONE", 1)
        assert await drain(second) == 0
    finally:
        await second.close()


async def test_transient_failure_is_retried_with_backoff(container, monkeypatch):
    await seed(container, document([subscription("SUB-1")]))
    quote_id = await make_quote(container)
    real = worker.HANDLERS["finalize_quote"]
    calls = 0

    async def flaky(uow, c, quote):
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise ConnectionError("price service unreachable")
        await real(uow, c, quote)

    monkeypatch.setitem(worker.HANDLERS, "finalize_quote", flaky)
    assert await run_one_job(container) is True
    (job,) = await rows(container, m.OutboxJob)
    assert (job.status, job.attempts) == ("PENDING", 1)
    assert "ConnectionError" in job.last_error
    assert job.run_after > container.clock.now() + timedelta(seconds=1)
    assert (await quote_row(container, quote_id)).status == QuoteStatus.FINALIZING
    assert await count(container, m.Email) == 0  # the failed attempt left nothing behind
    # Not due yet: the worker does not spin on it.
    assert await run_one_job(container) is False

    async def make_due():
        async with container.db.write_engine.begin() as conn:
            await conn.execute(update(m.OutboxJob).values(run_after=datetime(2000, 1, 1)))

    await make_due()
    await run_one_job(container)
    (job,) = await rows(container, m.OutboxJob)
    assert (job.status, job.attempts) == ("PENDING", 2)
    first_backoff = job.run_after
    assert first_backoff > container.clock.now() + timedelta(seconds=3)  # grows: 2s, 4s, ...
    await make_due()
    await drain(container)
    (job,) = await rows(container, m.OutboxJob)
    assert (job.status, job.attempts) == ("DONE", 3)
    assert (await quote_row(container, quote_id)).status == QuoteStatus.QUOTED


async def test_permanent_failure_moves_the_quote_to_failed(container):
    await seed(container, document([subscription("SUB-1", auto_renew=True)]))
    pk = await sub_pk(container, "SUB-1")
    quote_id = await create_renewal_quote(
        container,
        SALES,
        Visibility(),
        CreateQuoteCommand([pk], disable_auto_renew=True),
    )
    # Prices are withdrawn between the request and finalization.
    async with container.db.write_engine.begin() as conn:
        await conn.execute(delete(m.Price).where(m.Price.product == "AutoCAD"))
    await drain(container)
    quote = await quote_row(container, quote_id)
    assert quote.status == QuoteStatus.FAILED
    assert "No price for AutoCAD" in quote.failure_reason
    (job,) = await rows(container, m.OutboxJob)
    assert (job.status, job.attempts) == ("FAILED", 1)
    history = await rows(container, m.QuoteStatusChange, m.QuoteStatusChange.quote_id == quote_id)
    assert [(h.status, h.reason is not None) for h in history] == [
        (QuoteStatus.FINALIZING, False),
        (QuoteStatus.FAILED, True),
    ]
    (sub,) = await rows(container, m.Subscription)
    assert (sub.open_quote_id, sub.auto_renew) == (None, True)
    # No quote email; the buyers hear that auto-renew is on again (R02), not the internal reason.
    ((email),) = await rows(container, m.Email)
    assert email.to_address == "buyer@acme.example"
    assert email.subject == f"Auto-renew is on again: your renewal quote {quote.number} " + (
        "could not be completed"
    )
    assert "SUB-1 AutoCAD: renews on 2027-01-26 with 5 seats, annual term" in email.body
    assert "No price" not in email.body


async def test_a_job_failing_every_time_gives_up(container, monkeypatch):
    await seed(container, document([subscription("SUB-1")]))
    quote_id = await make_quote(container)

    async def broken(uow, c, quote):
        raise ConnectionError("down")

    monkeypatch.setitem(worker.HANDLERS, "finalize_quote", broken)
    for _ in range(worker.MAX_ATTEMPTS):
        async with container.db.write_engine.begin() as conn:
            await conn.execute(update(m.OutboxJob).values(run_after=datetime(2000, 1, 1)))
        await run_one_job(container)
    (job,) = await rows(container, m.OutboxJob)
    assert (job.status, job.attempts) == ("FAILED", worker.MAX_ATTEMPTS)
    assert (await quote_row(container, quote_id)).status == QuoteStatus.FAILED
