"""Scheduled jobs for the business date: quote expiry, automatic renewal (R02), automatic quotes (R12).

Each is safe to run twice: it selects only what is still due, in batches (never all rows at once).
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from renewals.container import Container
from renewals.domain.eligibility import ELIGIBLE_OFFERINGS
from renewals.domain.enums import OPEN_STATUSES, QuoteOrigin, QuoteStatus, Term
from renewals.domain.errors import DomainError
from renewals.domain.lifecycle import QUOTE_VALIDITY_DAYS, is_due_for_automatic_quote
from renewals.domain.visibility import Visibility
from renewals.domain.windows import WINDOW_CLOSES_DAYS_AFTER, next_term
from renewals.persistence import models as m
from renewals.persistence.uow import UnitOfWork
from renewals.services.lifecycle import transition
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote

log = logging.getLogger("renewals.jobs")
BATCH = 500


@dataclass
class JobReport:
    expired: int = 0
    renewed: int = 0
    quoted: int = 0
    skipped: int = 0


async def locked_batch(uow: UnitOfWork, model: Any, after: int, *where: Any) -> list[Any]:
    """The next BATCH rows by id after `after`, locked; another runner's locked rows are skipped."""
    stmt = (
        select(model)
        .where(*where, model.id > after)
        .order_by(model.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    return list((await uow.session.execute(stmt)).scalars())


async def expire_quotes(container: Container) -> int:
    """Open quotes past `expiresOn` become EXPIRED; their subscriptions are freed (R02 restored)."""
    today, done, after = container.clock.today(), 0, 0
    while True:
        async with UnitOfWork(container.db) as uow:
            quotes = await locked_batch(
                uow,
                m.Quote,
                after,
                m.Quote.status.in_(OPEN_STATUSES),
                m.Quote.expires_on < today,
            )
            if not quotes:
                return done
            for quote in quotes:
                await transition(uow, container, quote, QuoteStatus.EXPIRED, "job:expiry")
            after = quotes[-1].id
            done += len(quotes)
            await uow.commit()


async def renew_automatically(container: Container) -> int:
    """R02: on (or, catching up, after) the end date, auto-renew subscriptions not on an open quote."""
    today, done, after = container.clock.today(), 0, 0
    while True:
        async with UnitOfWork(container.db) as uow:
            subs = await locked_batch(
                uow,
                m.Subscription,
                after,
                m.Subscription.auto_renew.is_(True),
                m.Subscription.open_quote_id.is_(None),
                m.Subscription.end_date <= today,
            )
            if not subs:
                return done
            for sub in subs:
                start, end = sub.start_date, sub.end_date
                while end <= today:  # a missed term is caught up without a gap
                    start, end = next_term(end, sub.term)
                await uow.session.execute(
                    update(m.Subscription)
                    .where(m.Subscription.id == sub.id, m.Subscription.open_quote_id.is_(None))
                    .values(start_date=start, end_date=end)
                    .execution_options(synchronize_session=False)
                )
            after = subs[-1].id
            done += len(subs)
            await uow.commit()


async def create_automatic_quotes(container: Container) -> tuple[int, int]:
    """R12: one AUTOMATIC quote per due subscription, once per term; missed days caught up."""
    today = container.clock.today()
    created = skipped = 0
    after = 0
    while True:
        async with container.db.read_engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(m.Subscription.id, m.Subscription.term, m.Subscription.end_date)
                    .where(  # a pre-filter; is_due_for_automatic_quote decides
                        m.Subscription.term != Term.MONTHLY,
                        m.Subscription.offering_type.in_(ELIGIBLE_OFFERINGS),
                        m.Subscription.open_quote_id.is_(None),
                        m.Subscription.end_date <= today + timedelta(days=QUOTE_VALIDITY_DAYS),
                        m.Subscription.end_date >= today - timedelta(days=WINDOW_CLOSES_DAYS_AFTER),
                        (m.Subscription.auto_quoted_end_date.is_(None))
                        | (m.Subscription.auto_quoted_end_date != m.Subscription.end_date),
                        m.Subscription.id > after,
                    )
                    .order_by(m.Subscription.id)
                    .limit(BATCH)
                )
            ).all()
        if not rows:
            return created, skipped
        for sub_id, term, end_date in rows:
            if not is_due_for_automatic_quote(term, end_date, today):
                continue
            try:
                await create_renewal_quote(
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
                skipped += 1
                log.info("no automatic quote for subscription %s: %s", sub_id, ",".join(e.codes))
        after = rows[-1][0]


async def claim_scheduled_run(container: Container, runner: str) -> bool:
    """True for the one process that gets to run today's scheduled jobs."""
    async with UnitOfWork(container.db) as uow:
        uow.add(
            m.ScheduledRun(
                business_date=container.clock.today(),
                started_at=container.clock.now(),
                runner=runner[:100],
            )
        )
        try:
            await uow.flush()
        except IntegrityError:
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
    report.renewed = await renew_automatically(container)
    report.quoted, report.skipped = await create_automatic_quotes(container)
    return report
