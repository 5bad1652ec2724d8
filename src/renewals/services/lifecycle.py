"""Quote status changes: guarded, recorded in the history, published after commit."""

from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from renewals.container import Container
from renewals.domain.enums import ErrorCode, QuoteStatus
from renewals.domain.errors import DomainError
from renewals.domain.lifecycle import check_transition
from renewals.events import StatusEvent
from renewals.persistence import models as m
from renewals.persistence.uow import UnitOfWork

STATUS_CHANNEL = "renewals_quote_status"
CLOSING = frozenset(
    {QuoteStatus.ORDERED, QuoteStatus.EXPIRED, QuoteStatus.CANCELLED, QuoteStatus.FAILED}
)


async def record_status(
    uow: UnitOfWork,
    container: Container,
    quote: m.Quote,
    previous: QuoteStatus | None,
    actor: str,
    reason: str | None = None,
) -> None:
    """Writes the history row of the quote's current status and publishes it after commit."""
    change = m.QuoteStatusChange(
        quote_id=quote.id,
        status=quote.status,
        previous_status=previous,
        occurred_at=container.clock.now(),
        actor=actor[:100],
        reason=reason,
    )
    uow.add(change)
    await uow.flush()
    event = StatusEvent(
        history_id=change.id,
        quote_id=quote.id,
        customer_id=quote.customer_id,
        reseller_id=quote.reseller_id,
        status=change.status,
        previous_status=previous,
        occurred_at=change.occurred_at,
    )

    async def publish() -> None:
        await container.bus.publish([event])

    uow.after_commit(publish)  # this process's subscribers, at once
    if not uow.db.is_sqlite:
        # Other processes: PostgreSQL delivers the NOTIFY at commit, never for a rollback.
        await uow.session.execute(select(func.pg_notify(STATUS_CHANNEL, str(change.id))))


async def transition(
    uow: UnitOfWork,
    container: Container,
    quote: m.Quote,
    target: QuoteStatus,
    actor: str,
    reason: str | None = None,
) -> None:
    """Moves the quote only if nobody moved it first (a guarded UPDATE: safe under concurrency)."""
    current = quote.status
    check_transition(current, target)
    result = await uow.session.execute(
        update(m.Quote)
        .where(m.Quote.id == quote.id, m.Quote.status == current)
        .values(status=target, failure_reason=reason if target == QuoteStatus.FAILED else None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError.one(ErrorCode.QUOTE_NOT_OPEN, "The quote changed status meanwhile.")
    # The row is written; tell the session without marking the object dirty (no second UPDATE).
    set_committed_value(quote, "status", target)
    set_committed_value(quote, "failure_reason", reason if target == QuoteStatus.FAILED else None)
    await record_status(uow, container, quote, current, actor, reason)
    if target in CLOSING:
        await release_subscriptions(uow, quote.id)


async def release_subscriptions(uow: UnitOfWork, quote_id: int) -> None:
    """A closed quote frees its subscriptions and gives back the auto-renew it switched off (R02)."""
    switched_off = select(m.QuoteLine.subscription_id).where(
        m.QuoteLine.quote_id == quote_id, m.QuoteLine.auto_renew_switched_off.is_(True)
    )
    await uow.session.execute(
        update(m.Subscription)
        .where(m.Subscription.id.in_(switched_off))
        .values(auto_renew=True)
        .execution_options(synchronize_session=False)
    )
    await uow.session.execute(
        update(m.Subscription)
        .where(m.Subscription.open_quote_id == quote_id)
        .values(open_quote_id=None)
        .execution_options(synchronize_session=False)
    )


async def load_quote(uow: UnitOfWork, quote_id: int, *, for_update: bool = False) -> m.Quote | None:
    stmt = select(m.Quote).where(m.Quote.id == quote_id)
    if for_update and not uow.db.is_sqlite:
        stmt = stmt.with_for_update()
    return (await uow.session.execute(stmt)).scalar_one_or_none()
