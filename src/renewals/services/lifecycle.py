"""Quote status changes: guarded, recorded in the history, published after commit."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm.attributes import set_committed_value

from renewals.container import Container
from renewals.domain.enums import ErrorCode, QuoteStatus, Role
from renewals.domain.errors import DomainError
from renewals.domain.lifecycle import check_transition, effective_status
from renewals.events import StatusEvent
from renewals.persistence import models as m
from renewals.persistence.uow import UnitOfWork
from renewals.services.mail import write_quote_closed_email
from renewals.services.webhooks import queue_status_event, queue_status_events

CLOSING = frozenset(
    {QuoteStatus.ORDERED, QuoteStatus.EXPIRED, QuoteStatus.CANCELLED, QuoteStatus.FAILED}
)


class QuoteStatusFacts(Protocol):
    """What a status change tells of its quote (a Quote row or object)."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> QuoteStatus: ...
    @property
    def customer_id(self) -> int: ...
    @property
    def reseller_id(self) -> int | None: ...


def _event(
    history_id: int, quote: QuoteStatusFacts, previous: QuoteStatus | None, now: datetime
) -> StatusEvent:
    """What subscribers, other processes and webhooks hear of a status change."""
    return StatusEvent(
        history_id=history_id,
        quote_id=quote.id,
        customer_id=quote.customer_id,
        reseller_id=quote.reseller_id,
        status=quote.status,
        previous_status=previous,
        occurred_at=now,
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
    now = container.clock.now()
    history_id, listeners = await uow.quotes.record_history(
        {
            "quote_id": quote.id,
            "status": quote.status,
            "previous_status": previous,
            "occurred_at": now,
            "actor": actor[:100],
            "reason": reason,
        },
        quote.reseller_id,
    )
    event = _event(history_id, quote, previous, now)
    if listeners:  # partners' and sales' webhooks, in this transaction
        await queue_status_event(uow, event)

    async def publish() -> None:
        await container.bus.publish([event])

    uow.after_commit(publish)  # this process's subscribers, at once
    await uow.announce(history_id)  # other processes, at commit


async def transition(
    uow: UnitOfWork,
    container: Container,
    quote: m.Quote,
    target: QuoteStatus,
    actor: str,
    reason: str | None = None,
    cancelled_by: Role | None = None,
    *,
    notify: bool = True,
    values: dict[str, Any] | None = None,
) -> None:
    """Moves the quote only if nobody moved it first (a guarded UPDATE: safe under concurrency),
    writing the quote's other `values` in the same statement. `notify=False`: the buyers hear of
    it otherwise (a revision replacing it sends its own quote)."""
    current = quote.status
    check_transition(current, target)
    if not await uow.quotes.move(quote, current, target, reason, values):
        raise DomainError.one(ErrorCode.QUOTE_NOT_OPEN, "The quote changed status meanwhile.")
    # The row is written; tell the session without marking the object dirty (no second UPDATE).
    for name, value in (values or {}).items():
        set_committed_value(quote, name, value)
    set_committed_value(quote, "status", target)
    set_committed_value(quote, "failure_reason", reason if target == QuoteStatus.FAILED else None)
    await record_status(uow, container, quote, current, actor, reason)
    if target in CLOSING:  # frees the subscriptions, gives back auto-renew (R02)
        await uow.subscriptions.release(quote.id)
        # The buyers hear of a cancellation and of auto-renew given back, in this transaction.
        if notify:
            await write_quote_closed_email(uow, container, quote, cancelled_by, reason)


async def expire_if_due(uow: UnitOfWork, container: Container, quote: m.Quote, actor: str) -> bool:
    """Writes EXPIRED for an open quote past `expiresOn` (it already reads as EXPIRED): history
    row, event, subscriptions freed and their auto-renew given back (R02). The expiry job and a new
    quote taking over a stale claim both come here; False if it is not (or no longer) due."""
    due = effective_status(quote.status, quote.expires_on, container.clock.today())
    if quote.status == QuoteStatus.EXPIRED or due != QuoteStatus.EXPIRED:
        return False
    await transition(uow, container, quote, QuoteStatus.EXPIRED, actor)
    return True


async def take_over(
    uow: UnitOfWork, container: Container, original: m.Quote, revision: m.Quote, actor: str
) -> None:
    """The original becomes CANCELLED (QUOTE_REVISED, `revisedBy`), its claims freed for the
    revision; its buyers are told by the revision's own email, not by a cancellation notice."""
    reason = f"QUOTE_REVISED: replaced by {revision.number}"
    await transition(uow, container, original, QuoteStatus.CANCELLED, actor, reason, notify=False)
    original.revised_by_id = revision.id


async def record_statuses(
    uow: UnitOfWork,
    container: Container,
    quotes: Sequence[QuoteStatusFacts],
    previous: QuoteStatus | None,
    actor: str,
) -> list[StatusEvent]:
    """`record_status` for many quotes in a constant number of statements: their history rows,
    webhooks and announcements in this transaction, one publication after commit."""
    if not quotes:
        return []
    assert len({q.id for q in quotes}) == len(quotes)  # history ids are matched by quote
    now = container.clock.now()
    ids = await uow.batches.insert_returning_ids(
        m.QuoteStatusChange,
        [
            {
                "quote_id": quote.id,
                "status": quote.status,
                "previous_status": previous,
                "occurred_at": now,
                "actor": actor[:100],
                "reason": None,
            }
            for quote in quotes
        ],
        key="quote_id",  # one row per quote
    )
    events = [
        _event(history_id, quote, previous, now)
        for history_id, quote in zip(ids, quotes, strict=True)
    ]
    await queue_status_events(uow, events)

    async def publish() -> None:
        await container.bus.publish(events)

    uow.after_commit(publish)
    await uow.announce_many(ids)
    return events
