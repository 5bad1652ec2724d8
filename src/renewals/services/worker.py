"""The outbox worker: finalizes quotes and fulfils orders from durable job rows.

A job runs in the same transaction that marks it done, so a crash before commit leaves it
PENDING for the next worker; a failure is retried with backoff or, if it will not pass, FAILS.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from renewals.auth import new_nonce
from renewals.container import Container
from renewals.domain.enums import OrderStatus, QuoteStatus, QuoteType
from renewals.domain.errors import DomainError
from renewals.domain.pricing import PricedQuote, price_quote
from renewals.domain.retry import RetryPolicy
from renewals.observability import metrics
from renewals.persistence import models as m
from renewals.persistence.models import JobStatus
from renewals.persistence.uow import UnitOfWork
from renewals.services.delivery import deliver_pending, mail_loop
from renewals.services.finalization import address_snapshot, quote_message, repricing
from renewals.services.finalize_batch import finalize_quotes
from renewals.services.lifecycle import transition
from renewals.services.payments import Charge, PaymentError
from renewals.services.quote_pdf import emailed_pdf_name
from renewals.services.quotes import promotion_rows
from renewals.services.relay import HistoryRelay

log = logging.getLogger("renewals.worker")
RETRY = RetryPolicy(max_attempts=6, cap=timedelta(minutes=5))
MAX_ATTEMPTS = RETRY.max_attempts
WORKER = "worker"


class PermanentJobError(Exception):
    """A failure that retrying will not fix."""


async def finalize_quote(uow: UnitOfWork, container: Container, quote: m.Quote | None) -> None:
    """Prices, snapshots the address (R10), writes the emails (R13) and moves FINALIZING → QUOTED."""
    if quote is None or quote.status != QuoteStatus.FINALIZING:
        return
    lines = await uow.quotes.lines_for_sending(quote.id, quote.customer_id, quote.reseller_id)
    priced = await _reprice(uow, quote, lines, container.clock.today())
    first = lines[0]
    values: dict[str, Any] = {
        "subtotal": priced.subtotal,
        "discount_total": priced.discount_total,
        "total": priced.total,
        "checkout_nonce": new_nonce(),
    }
    if quote.address is None:  # a draft's reviewed billing address is kept (R10: from now on)
        values["address"] = address_snapshot(first)
    # One UPDATE: the move with the new totals, the address snapshot and the checkout nonce.
    await transition(uow, container, quote, QuoteStatus.QUOTED, WORKER, values=values)
    # After the transition: the emailed PDF shows the quote as sent (QUOTED, address snapshot).
    totals = [p.total for p in priced.lines]
    await _write_emails(uow, container, quote, first.customer_name, lines, totals)


async def _reprice(uow: UnitOfWork, quote: m.Quote, lines: list[Any], today: date) -> PricedQuote:
    """R11 at the finalization date: line prices and promotions (written here) and the totals
    (returned, written with the move); a co-term line pro rata for its own dates (R06)."""
    requests = repricing(quote.type, quote.currency, lines)
    book, promotions = await uow.prices.catalogue({r.product for r in requests}, today)
    try:
        priced = price_quote(requests, book, promotions, today)
    except DomainError as e:
        raise PermanentJobError(str(e)) from e
    await uow.quotes.reprice_lines(
        [
            {
                "b_id": line.id,
                "unit_price": new.unit_price,
                "subtotal": new.subtotal,
                "discount": new.discount,
                "total": new.total,
            }
            for line, new in zip(lines, priced.lines, strict=True)
            if (line.unit_price, line.subtotal, line.discount, line.total)
            != (new.unit_price, new.subtotal, new.discount, new.total)
        ]
    )
    await uow.quotes.drop_promotions(quote.id)
    await uow.quotes.insert_rows(m.QuotePromotion, promotion_rows(quote.id, priced))
    return priced


async def _write_emails(
    uow: UnitOfWork,
    container: Container,
    quote: m.Quote,
    customer_name: str,
    lines: list[Any],
    totals: list[Decimal],
) -> None:
    """R13: one email per recipient with number, expiry, total and a checkout link, and the
    quote's PDF with the same link attached (rendered when first sent, then kept on the row)."""
    assert quote.checkout_nonce is not None  # written with the move to QUOTED
    subject, body = quote_message(
        container, quote, quote.checkout_nonce, customer_name, lines, totals
    )
    # The PDF is rendered when the email is first sent (delivery.py): only its name here.
    await uow.emails.enqueue_to_recipients(
        quote.id, subject, body, container.clock.now(), emailed_pdf_name(quote.number)
    )


async def fulfil_order(uow: UnitOfWork, container: Container, quote: m.Quote | None) -> None:
    """Charges through the payment port, moves each subscription one term on (a co-term: to the
    aligned date), ORDER_SUBMITTED → ORDERED."""
    if quote is None or quote.status != QuoteStatus.ORDER_SUBMITTED:
        return
    order = await uow.orders.for_quote(quote.id)
    if order.payment_reference is None:
        customer = await uow.customers.get(quote.customer_id)
        try:
            result = await container.payments.charge(
                Charge(
                    idempotency_key=order.number,
                    order_number=order.number,
                    customer_csn=customer.csn,
                    amount=order.total,
                    currency=order.currency,
                    method=quote.payment_method.value,
                )
            )
        except PaymentError as e:
            if e.permanent:
                raise PermanentJobError(f"payment refused: {e}") from e
            raise
        order.payment_reference = result.reference
    lines, subs = await lines_and_subscriptions(uow, quote.id)
    for line in lines:
        sub = subs[line.subscription_id]
        sub.seats, sub.term, sub.end_date = line.seats, line.term, line.end_date
        if quote.type != QuoteType.CO_TERM:  # a co-term extends the current term to its end (R06)
            sub.start_date = line.start_date
    now = container.clock.now()
    uow.orders.record(order, OrderStatus.COMPLETED, WORKER, now)
    # A declined automatic renewal of the same term is settled by this order instead.
    starts = {(ln.subscription_id, ln.start_date) for ln in lines}
    for declined, old in await uow.orders.declined_renewals(subscription_ids=list(subs)):
        if (old.subscription_id, old.start_date) in starts:
            reason = f"renewed by order {order.number} instead"
            uow.orders.record(declined, OrderStatus.FAILED, WORKER, now, reason)
    await uow.flush()
    await transition(uow, container, quote, QuoteStatus.ORDERED, WORKER)


async def lines_and_subscriptions(
    uow: UnitOfWork, quote_id: int
) -> tuple[list[m.QuoteLine], dict[int, m.Subscription]]:
    """A quote's lines in order and their subscriptions by id (two statements)."""
    lines = await uow.quotes.lines(quote_id)
    return lines, await uow.subscriptions.by_ids(ln.subscription_id for ln in lines)


Handler = Callable[[UnitOfWork, Container, "m.Quote | None"], Awaitable[None]]
HANDLERS: dict[str, Handler] = {"finalize_quote": finalize_quote, "fulfil_order": fulfil_order}
FAILED_TARGET = {
    QuoteStatus.FINALIZING: QuoteStatus.FAILED,
    QuoteStatus.ORDER_SUBMITTED: QuoteStatus.FAILED,
}


async def run_one_job(container: Container) -> bool:
    """Runs the oldest due job; False when none is due."""
    return await run_job_batch(container, 1) > 0


async def run_job_batch(container: Container, size: int) -> int:
    """Claims up to `size` due jobs (one statement; on PostgreSQL rows another claimer locked are
    skipped) and runs them in one transaction: the jobs of a kind with a set-based handler
    together (a batch that fails as a whole is undone and its jobs run one by one), the others
    each in a savepoint of its own. A job that fails is undone alone and recorded after the
    others commit. How many jobs were claimed."""
    now = container.clock.now()
    failures: list[tuple[int, int, Exception]] = []
    # Only committed jobs: a job its writer's caller has not been answered for yet (a mutation
    # whose payload shows FINALIZING) is not run inside that caller's group commit.
    async with UnitOfWork(container.db, committed_only=True) as uow:
        jobs = await uow.outbox.next_due_batch(now, size)
        single = await _run_in_sets(uow, container, jobs, failures) if len(jobs) > 1 else jobs
        for job in single:
            job_id, attempts = job.id, job.attempts
            # One job alone needs no savepoint: its failure rolls the transaction back.
            isolated = uow.savepoint() if len(jobs) > 1 else contextlib.nullcontext()
            try:
                async with isolated:
                    handler = HANDLERS.get(job.kind)
                    if handler is None:
                        raise PermanentJobError(f"no handler for job kind {job.kind!r}")
                    handler = metrics.timed_job(job.kind, handler, job.traceparent)
                    quote = await uow.quotes.get(job.quote_id, for_update=True)
                    await handler(uow, container, quote)
                    job.status, job.attempts = JobStatus.DONE, attempts + 1
                    await uow.flush()
            except Exception as e:  # noqa: BLE001 - every failure is recorded on the job
                failures.append((job_id, attempts, e))
                if len(jobs) == 1:
                    break
        if jobs and len(failures) < len(jobs):
            await uow.commit()
    for job_id, attempts, error in failures:
        await _record_failure(container, job_id, attempts, error)
    return len(jobs)


async def _run_in_sets(
    uow: UnitOfWork,
    container: Container,
    jobs: list[m.OutboxJob],
    failures: list[tuple[int, int, Exception]],
) -> list[m.OutboxJob]:
    """Runs the jobs of each kind with a set-based handler as one set, in a savepoint; those
    left for the one-by-one path (other kinds, or a set that failed as a whole)."""
    by_kind: dict[str, list[m.OutboxJob]] = {}
    for job in jobs:
        by_kind.setdefault(job.kind, []).append(job)
    single: list[m.OutboxJob] = []
    for kind, group in by_kind.items():
        handler = BATCH_HANDLERS.get(kind)
        if handler is None or len(group) < 2:
            single += group
            continue
        start = time.perf_counter()
        try:
            async with uow.savepoint():
                failed = await handler(uow, container, group)
        except Exception as e:  # noqa: BLE001 - the one-by-one path decides job by job
            log.warning("%s jobs one by one (the set failed: %s)", kind, e)
            single += group
            continue
        share = (time.perf_counter() - start) / len(group)
        for job in group:
            error = failed.get(job.id)
            metrics.job_ran(kind, "ok" if error is None else "error", share)
            if error is not None:
                failures.append((job.id, job.attempts, error))
    return sorted(single, key=lambda job: job.id)


async def finalize_jobs(
    uow: UnitOfWork, container: Container, jobs: list[m.OutboxJob]
) -> dict[int, Exception]:
    """`finalize_quote` for a set of jobs (services/finalize_batch.py): the jobs done are
    marked DONE here; a quote that cannot be priced fails its job (PermanentJobError, as
    finalize_quote raises it), returned by job id."""
    ids = [job.quote_id for job in jobs if job.quote_id is not None]
    outcome = await finalize_quotes(uow, container, ids)
    failed: dict[int, Exception] = {
        job.id: PermanentJobError(str(outcome.failed[job.quote_id]))
        for job in jobs
        if job.quote_id in outcome.failed
    }
    await uow.batches.jobs_done([job.id for job in jobs if job.id not in failed])
    return failed


BatchHandler = Callable[[UnitOfWork, Container, list[m.OutboxJob]], Awaitable[dict[int, Exception]]]
BATCH_HANDLERS: dict[str, BatchHandler] = {"finalize_quote": finalize_jobs}


async def _record_failure(
    container: Container, job_id: int, attempts: int, error: Exception
) -> None:
    retry_at = (
        None
        if isinstance(error, (PermanentJobError, DomainError))
        else RETRY.next_attempt_at(attempts + 1, container.clock.now())
    )
    permanent = retry_at is None
    log.warning(
        "job %s failed (attempt %s, permanent=%s): %s", job_id, attempts + 1, permanent, error
    )
    async with UnitOfWork(container.db) as uow:
        job = await uow.outbox.get(job_id)
        job.attempts, job.last_error = attempts + 1, f"{type(error).__name__}: {error}"[:1000]
        if permanent:
            job.status = JobStatus.FAILED
            quote = await uow.quotes.get(job.quote_id, for_update=True)
            if quote is not None and quote.status in FAILED_TARGET:
                reason = f"{job.kind} failed: {error}"[:500]
                if quote.status == QuoteStatus.ORDER_SUBMITTED:
                    order = await uow.orders.for_quote(quote.id)
                    uow.orders.record(
                        order, OrderStatus.FAILED, WORKER, container.clock.now(), reason
                    )
                await transition(uow, container, quote, FAILED_TARGET[quote.status], WORKER, reason)
        elif retry_at is not None:
            job.run_after = retry_at
        await uow.commit()


async def run_due_jobs(container: Container, limit: int = 10_000, size: int | None = None) -> int:
    """Runs due jobs until none is left (or about `limit`), `size` (default `worker_batch_size`)
    to a transaction; how many ran. On PostgreSQL `worker_concurrency` claimers run side by side
    (SKIP LOCKED keeps them apart); SQLite has one writer, so one claimer."""
    settings = container.settings
    size = size or settings.worker_batch_size
    claimers = 1 if container.db.is_sqlite else settings.worker_concurrency
    done = 0

    async def claimer() -> None:
        nonlocal done
        while done < limit:
            ran = await run_job_batch(container, min(size, max(1, limit - done)))
            if ran == 0:
                return
            done += ran

    if claimers == 1:
        await claimer()
    else:
        async with asyncio.TaskGroup() as group:
            for _ in range(claimers):
                group.create_task(claimer())
    return done


async def drain(container: Container, limit: int = 10_000) -> int:
    """Runs due jobs until none is left (or `limit`), then delivers due emails (`jobs run`).
    A one-off run takes the jobs in the larger transactions of the scheduled jobs
    (`jobs_batch_size`): the R12 job's finalizations run set-based, so a transaction of many
    costs little more than one of a few, and every commit saved is a WAL flush saved."""
    settings = container.settings
    size = max(settings.worker_batch_size, settings.jobs_batch_size)
    done = await run_due_jobs(container, limit, size)
    await deliver_pending(container)
    return done


async def worker_loop(container: Container, stop: asyncio.Event) -> None:
    """The in-process worker of `serve`: the job loop and, beside it, the mail sender, so
    finalization and fulfilment never wait on SMTP."""
    # A task group, not gather: cancelled, it waits until the sender has put back an email
    # it had not yet handed to SMTP.
    async with asyncio.TaskGroup() as group:
        group.create_task(_job_loop(container, stop))
        group.create_task(mail_loop(container, stop))


async def _job_loop(container: Container, stop: asyncio.Event) -> None:
    """Runs jobs when woken after each commit that adds work, else polls."""
    interval = container.settings.worker_interval_seconds
    # On PostgreSQL the LISTEN connection brings other processes' events; SQLite polls the log.
    relay = HistoryRelay(container) if container.db.feed.polls_history else None
    while not stop.is_set():
        container.work_ready.clear()
        try:
            if await run_due_jobs(container):
                container.wake_mailer()  # a finalized quote wrote its emails
            if relay is not None:
                await relay.poll()
        except Exception:  # noqa: BLE001 - the loop must survive a bad round
            log.exception("worker round failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(container.work_ready.wait(), timeout=interval)
