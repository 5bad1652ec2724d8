"""R12 automatic quotes, set-based: a batch of due subscriptions is read in a few statements,
each quote is planned and priced by the same domain functions as a single creation
(`quotes._plan`, `price_quote`), and the batch is written with one insert per table.

A subscription the domain refuses is left out alone. Anything else that goes wrong raises, and
the caller undoes the whole batch and writes it one quote at a time instead."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

from renewals.container import Container
from renewals.domain.enums import ContactRole, ErrorCode, QuoteOrigin, QuoteStatus, QuoteType
from renewals.domain.errors import DomainError, Problem
from renewals.domain.pricing import PricedQuote, price_quote
from renewals.domain.quotes import PlannedLine
from renewals.domain.values import PriceKey, Promotion
from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.persistence import reads
from renewals.persistence.records import ContactRecord, SubscriptionRecord
from renewals.persistence.repositories.catalogue import prices_and_promotions
from renewals.persistence.uow import UnitOfWork
from renewals.services.lifecycle import record_statuses
from renewals.services.quotes import (
    CreateQuoteCommand,
    Selection,
    _plan,
    expires_on,
    line_request,
    line_rows,
)

log = logging.getLogger("renewals.jobs")
ACTOR = "job:automatic-quotes"


@dataclass(frozen=True)
class Planned:
    """One automatic quote as the domain planned and priced it, not yet written."""

    lines: list[PlannedLine]
    priced: PricedQuote
    buyers: list[tuple[str, str | None]]  # (email, name) of the customer's BUYER contacts


@dataclass
class BatchOutcome:
    created: list[int]  # quote ids
    refused: int
    by_one: list[int]  # subscriptions the set-based path leaves to the per-item path


async def create_batch(
    uow: UnitOfWork, container: Container, subscription_ids: list[int]
) -> BatchOutcome:
    """The automatic quotes of these subscriptions in this unit of work (the caller commits);
    a subscription with a stale claim (a quote past its expiry) is left to the per-item path,
    which expires that quote first."""
    today, now = container.clock.today(), container.clock.now()
    conn = await uow.session.connection()
    records = await reads.subscriptions_by_id(conn, subscription_ids)
    visible = Visibility()  # the job's view: every subscription (create_in is given the same)
    records = [r if r is not None and visible.allows(r) else None for r in records]
    found = [r for r in records if r is not None]
    stale = {r.id for r in found if r.open_quote_id is not None and not r.on_open_quote(today)}
    customers = sorted({r.customer_id for r in found})
    contacts = dict(zip(customers, await reads.contacts_by_customer(conn, customers), strict=True))
    book, promotions = await prices_and_promotions(conn, {r.product for r in found}, today)
    planned: list[Planned] = []
    refused = 0
    for sub_id, record in zip(subscription_ids, records, strict=True):
        if sub_id in stale:
            continue
        try:
            planned.append(_planned(record, contacts, book, promotions, today))
        except DomainError as e:
            refused += 1
            log.info("no automatic quote for subscription %s: %s", sub_id, ",".join(e.codes))
    created = await _write(uow, container, planned, today, now)
    return BatchOutcome(created, refused, sorted(stale))


def _planned(
    record: SubscriptionRecord | None,
    contacts: dict[int, list[ContactRecord]],
    book: dict[PriceKey, Decimal],
    promotions: list[Promotion],
    today: date,
) -> Planned:
    """The domain decides, exactly as for a single creation of one subscription."""
    problems: list[Problem] = []
    if record is None:
        problems.append(Problem(ErrorCode.NOT_FOUND, "No such subscription.", ("subscription", 0)))
    subs = [record] if record is not None else []
    people = contacts.get(record.customer_id, []) if record is not None else []
    selection = Selection(subs, people, book, problems)
    command = CreateQuoteCommand(subscription_ids=[record.id if record else None])
    lines = _plan(command, selection, QuoteOrigin.AUTOMATIC, today)
    priced = price_quote([line_request(line) for line in lines], book, promotions, today)
    buyers = [(c.email, c.name) for c in people if c.role == ContactRole.BUYER]
    return Planned(lines, priced, _unique(buyers))


def _unique(recipients: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """As insert_recipients: each address once, case-insensitively, first one wins."""
    seen: set[str] = set()
    kept = []
    for email, name in recipients:
        if email.lower() not in seen:
            seen.add(email.lower())
            kept.append((email, name))
    return kept


async def _write(
    uow: UnitOfWork, container: Container, planned: list[Planned], today: date, now: datetime
) -> list[int]:
    """Quotes, lines, promotions, recipients, claims, jobs and history of the planned quotes,
    one statement per table."""
    if not planned:
        return []
    batch = uow.batches
    heads = [_header(p, today, now) for p in planned]
    ids = await batch.insert_returning_ids(m.Quote, heads, key="number")
    await batch.update_by_id(
        m.Quote, [{"id": pk, "number": f"Q-{today.year}-{pk:06d}"} for pk in ids]
    )
    await batch.insert(
        m.QuoteLine, [row for pk, p in zip(ids, planned, strict=True) for row in _lines(pk, p)]
    )
    await batch.insert(
        m.QuotePromotion,
        [
            {"quote_id": pk, "code": x.code, "description": x.description, "discount": x.discount}
            for pk, p in zip(ids, planned, strict=True)
            for x in p.priced.promotions
        ],
    )
    await batch.insert(
        m.QuoteRecipient,
        [
            {"quote_id": pk, "email": email, "name": name}
            for pk, p in zip(ids, planned, strict=True)
            for email, name in p.buyers
        ],
    )
    claims = {
        line.subscription.id: pk for pk, p in zip(ids, planned, strict=True) for line in p.lines
    }
    if not await batch.put_on_quotes(claims):
        raise DomainError.one(
            ErrorCode.ALREADY_ON_OPEN_QUOTE,
            "A selected subscription was put on another open quote meanwhile.",
            ("selection",),
        )
    await uow.subscriptions.mark_auto_quoted(list(claims))  # R12: once per term
    await batch.enqueue_jobs("finalize_quote", ids, now)
    uow.after_commit(_waker(container))
    await record_statuses(
        uow, container, [_head(pk, h) for pk, h in zip(ids, heads, strict=True)], None, ACTOR
    )
    return ids


def _waker(container: Container) -> Callable[[], Awaitable[None]]:
    async def wake() -> None:
        container.wake_worker()

    return wake


@dataclass(frozen=True)
class _Head:
    """A written quote as record_statuses reads it."""

    id: int
    status: QuoteStatus
    customer_id: int
    reseller_id: int | None


def _head(pk: int, row: dict[str, Any]) -> _Head:
    return _Head(pk, row["status"], row["customer_id"], row["reseller_id"])


def _header(p: Planned, today: date, now: datetime) -> dict[str, Any]:
    """The quote row insert_quote writes (numbered once its id is known), with its expiry."""
    first = p.lines[0].subscription
    assert isinstance(first, SubscriptionRecord)
    return {
        "number": f"PENDING-{uuid4().hex[:20]}",
        "type": QuoteType.RENEWAL,
        "origin": QuoteOrigin.AUTOMATIC,
        "status": QuoteStatus.FINALIZING,
        "customer_id": first.customer_id,
        "reseller_id": first.reseller_id,
        "currency": first.currency,
        "payment_method": first.payment_method,
        "subtotal": p.priced.subtotal,
        "discount_total": p.priced.discount_total,
        "total": p.priced.total,
        "created_on": today,
        "expires_on": expires_on(p.lines, False, today),
        "created_at": now,
        "created_by": ACTOR,
    }


def _lines(quote_id: int, p: Planned) -> list[dict[str, Any]]:
    """The lines write_parts writes (R12 never switches auto-renew off)."""
    return line_rows(quote_id, p.lines, p.priced, False)
