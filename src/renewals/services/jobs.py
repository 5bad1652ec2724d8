"""Scheduled jobs for the business date: quote expiry, automatic renewal (R02, as orders: see
auto_renewal.py), automatic quotes (R12).

Each is safe to run twice: it selects only what is still due, in batches (never all rows at once).
"""

import logging
from dataclasses import dataclass

from renewals.container import Container
from renewals.domain.enums import QuoteOrigin
from renewals.domain.errors import DomainError
from renewals.domain.lifecycle import AutomaticQuote, automatic_quote_decision
from renewals.domain.visibility import Visibility
from renewals.persistence import reads
from renewals.persistence.uow import UnitOfWork
from renewals.services.auto_quotes import create_batch
from renewals.services.auto_renewal import renew_automatically
from renewals.services.drafts import remove_stale_drafts
from renewals.services.lifecycle import expire_if_due
from renewals.services.quotes import CreateQuoteCommand, create_in
from renewals.services.webhooks import queue_expiry_reminders

log = logging.getLogger("renewals.jobs")
BATCH = 1000  # candidates per read: a multiple of the default jobs_batch_size


@dataclass
class JobReport:
    expired: int = 0
    renewed: int = 0  # AUTO_RENEWAL orders completed (one per subscription and term)
    declined: int = 0  # charges declined: tried again on later runs while the window is open
    unsettled: int = 0  # the gateway failed or timed out: tried again with the same key
    unpriced: int = 0  # no price for the renewal: not renewed
    quoted: int = 0
    skipped: int = 0
    no_buyer: int = 0  # R12: due, but the customer has no BUYER contact to send the quote to
    drafts_removed: int = 0  # DRAFTs nobody finalized by their provisional expiry

    def summary(self) -> str:
        return (
            f"quotes expired: {self.expired}; subscriptions auto-renewed: {self.renewed}; "
            f"auto-renewal charges declined: {self.declined}; not settled: {self.unsettled}; "
            f"not priced: {self.unpriced}; "
            f"automatic quotes: {self.quoted}; skipped (refused): {self.skipped}; "
            f"skipped for having no buyer: {self.no_buyer}; "
            f"stale drafts removed: {self.drafts_removed}"
        )


async def expire_quotes(container: Container) -> int:
    """Open quotes past `expiresOn` become EXPIRED; their subscriptions are freed (R02 restored)."""
    today, done, after = container.clock.today(), 0, 0
    while True:
        async with UnitOfWork(container.db) as uow:
            quotes = await uow.quotes.expired(today, after)
            if not quotes:
                return done
            for quote in quotes:
                await expire_if_due(uow, container, quote, "job:expiry")
            after = quotes[-1].id
            done += len(quotes)
            await uow.commit()


async def create_automatic_quotes(container: Container) -> tuple[int, int, int]:
    """R12: one AUTOMATIC quote per due subscription, once per term; missed days caught up.
    Returns (created, refused, skipped for having no buyer).

    The due subscriptions are written `jobs_batch_size` to a transaction, each quote in a
    savepoint of its own: a refused one (say, claimed meanwhile) is undone alone, the others
    commit together; events are published once the batch commits."""
    today = container.clock.today()
    created = skipped = no_buyer = 0
    after = 0
    size = container.settings.jobs_batch_size
    while True:
        async with container.db.read_engine.connect() as conn:  # a read: no write lock
            rows = await reads.automatic_quote_candidates(conn, today, after, BATCH)
        if not rows:
            return created, skipped, no_buyer
        due: list[int] = []
        for sub_id, term, end_date, auto_renew, has_buyer in rows:
            decision = automatic_quote_decision(
                term, end_date, today, auto_renew=auto_renew, has_buyer=bool(has_buyer)
            )
            if decision == AutomaticQuote.NO_BUYER:
                no_buyer += 1
                log.info("no automatic quote for subscription %s: no BUYER contact", sub_id)
            if decision == AutomaticQuote.DUE:
                due.append(sub_id)
        for start in range(0, len(due), size):
            made, refused = await _automatic_quotes(container, due[start : start + size])
            created, skipped = created + made, skipped + refused
        after = rows[-1][0]


async def _automatic_quotes(container: Container, subscription_ids: list[int]) -> tuple[int, int]:
    """One transaction for these subscriptions' automatic quotes, written set-based; (created,
    refused). If the batch fails as a whole (say, a subscription was claimed meanwhile), it is
    undone and written one quote at a time instead, each in a savepoint of its own."""
    async with UnitOfWork(container.db) as uow:
        try:
            async with uow.savepoint():
                outcome = await create_batch(uow, container, subscription_ids)
        except Exception as e:  # noqa: BLE001 - the per-item path decides item by item
            log.warning("automatic quotes one by one (the set failed: %s)", e)
            created, refused = await _in_savepoints(uow, container, subscription_ids)
        else:
            made, declined = await _in_savepoints(uow, container, outcome.by_one)
            created, refused = len(outcome.created) + made, outcome.refused + declined
        await uow.commit()
    return created, refused


async def _one_by_one(container: Container, subscription_ids: list[int]) -> tuple[int, int]:
    """The per-item path alone (the set-based path's reference in tests and measurements)."""
    async with UnitOfWork(container.db) as uow:
        created, refused = await _in_savepoints(uow, container, subscription_ids)
        await uow.commit()
    return created, refused


async def _in_savepoints(
    uow: UnitOfWork, container: Container, subscription_ids: list[int]
) -> tuple[int, int]:
    """Each automatic quote in a savepoint of its own: a refused one is undone alone."""
    created = refused = 0
    for sub_id in subscription_ids:
        try:
            async with uow.savepoint():
                await create_in(
                    uow,
                    container,
                    None,
                    Visibility(),
                    CreateQuoteCommand(subscription_ids=[sub_id]),
                    origin=QuoteOrigin.AUTOMATIC,
                    actor="job:automatic-quotes",
                    mark_auto_quoted=True,
                )
            created += 1
        except DomainError as e:
            refused += 1
            log.info("no automatic quote for subscription %s: %s", sub_id, ",".join(e.codes))
    return created, refused


async def claim_scheduled_run(container: Container, runner: str) -> bool:
    """True for the one process that gets to run today's scheduled jobs."""
    async with UnitOfWork(container.db) as uow:
        if not await uow.schedule.claim(container.clock.today(), container.clock.now(), runner):
            return False
        await uow.commit()
        return True


async def run_scheduled_jobs(container: Container, runner: str) -> JobReport | None:
    """The schedule inside `serve`: however many servers run, one runs the jobs per business date."""
    if not await claim_scheduled_run(container, runner):
        return None
    return await run_jobs(container)


async def run_jobs(container: Container) -> JobReport:
    """Every due job once, in an order that keeps terms continuous: expire, renew, then quote."""
    report = JobReport()
    report.expired = await expire_quotes(container)
    renewals = await renew_automatically(container)
    report.renewed, report.declined = renewals.renewed, renewals.declined
    report.unsettled, report.unpriced = renewals.unsettled, renewals.unpriced
    report.quoted, report.skipped, report.no_buyer = await create_automatic_quotes(container)
    report.drafts_removed = await remove_stale_drafts(container)
    await queue_expiry_reminders(container)  # quote.expiring webhooks, once per quote
    return report
