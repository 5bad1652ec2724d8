"""Use cases on quotes: create a renewal quote (one transaction), shared by GraphQL and jobs."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import uuid4

from sqlalchemy import select, update

from renewals.auth import Viewer
from renewals.container import Container
from renewals.domain.enums import ContactRole, ErrorCode, QuoteOrigin, QuoteStatus, QuoteType
from renewals.domain.errors import DomainError, Problem
from renewals.domain.lifecycle import quote_expires_on
from renewals.domain.pricing import LineRequest, PricedQuote, price_quote
from renewals.domain.quotes import (
    LineChange,
    PlannedLine,
    Recipient,
    RenewalRequest,
    origin_for,
    plan_renewal,
)
from renewals.domain.values import PriceKey, Promotion
from renewals.domain.visibility import Visibility
from renewals.domain.windows import next_term
from renewals.persistence import models as m
from renewals.persistence import reads
from renewals.persistence.records import SubscriptionRecord
from renewals.persistence.uow import UnitOfWork
from renewals.services.idempotency import replay_or_claim, request_hash, retry_key_races, settle
from renewals.services.lifecycle import record_status

OPERATION = "createRenewalQuote"


@dataclass(frozen=True)
class CreateQuoteCommand:
    """Input already decoded from global IDs; None marks an id that decoded to nothing."""

    subscription_ids: list[int | None]
    changes: list[LineChange] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)
    disable_auto_renew: bool = False
    idempotency_key: str | None = None
    currency: str | None = None
    payment_method: object | None = None
    start_date: date | None = None


async def price_book(uow: UnitOfWork, products: set[str]) -> dict[PriceKey, Decimal]:
    return await reads.price_book(await uow.session.connection(), products)


async def promotions_on(uow: UnitOfWork, day: date) -> list[Promotion]:
    conn = await uow.session.connection()
    return (await reads.promotions_on(conn, [day]))[0]


async def price_requests(uow: UnitOfWork, requests: list[LineRequest], today: date) -> PricedQuote:
    """Prices lines at today's price list and promotions (R11); PRICE_UNAVAILABLE if one is missing."""
    book = await price_book(uow, {r.product for r in requests})
    return price_quote(requests, book, await promotions_on(uow, today), today)


def line_request(line: PlannedLine) -> LineRequest:
    sub = line.subscription
    return LineRequest(sub.id, sub.product, line.term, sub.currency, line.seats)


async def visible_subscriptions(
    uow: UnitOfWork, ids: list[int], visibility: Visibility
) -> dict[int, SubscriptionRecord]:
    conn = await uow.session.connection()
    records = [r for r in await reads.subscriptions_by_id(conn, ids) if r is not None]
    return {r.id: r for r in records if visibility.allows(r)}


def _digest(command: CreateQuoteCommand) -> str:
    return request_hash(
        {
            "ids": command.subscription_ids,
            "changes": [(c.subscription_id, c.seats, c.term, c.type) for c in command.changes],
            "recipients": [(r.email, r.name) for r in command.recipients],
            "disable": command.disable_auto_renew,
            "currency": command.currency,
            "method": command.payment_method,
            "start": command.start_date,
        }
    )


async def create_renewal_quote(
    container: Container,
    viewer: Viewer | None,
    visibility: Visibility,
    command: CreateQuoteCommand,
    *,
    origin: QuoteOrigin | None = None,
    actor: str | None = None,
    mark_auto_quoted: bool = False,
) -> int:
    """Creates a FINALIZING quote with its finalize job, or raises DomainError with every problem."""
    return await retry_key_races(
        lambda: _create(container, viewer, visibility, command, origin, actor, mark_auto_quoted)
    )


async def _create(
    container: Container,
    viewer: Viewer | None,
    visibility: Visibility,
    command: CreateQuoteCommand,
    origin: QuoteOrigin | None,
    actor: str | None,
    mark_auto_quoted: bool,
) -> int:
    today = container.clock.today()
    scope = viewer.scope if viewer else "system"
    digest = _digest(command)
    async with UnitOfWork(container.db) as uow:
        replay = await replay_or_claim(
            uow, scope, OPERATION, command.idempotency_key, digest, container.clock.now()
        )
        if replay is not None:
            return replay
        problems: list[Problem] = []
        wanted = [i for i in command.subscription_ids if i is not None]
        found = await visible_subscriptions(uow, wanted, visibility)
        subs: list[SubscriptionRecord] = []
        for index, pk in enumerate(command.subscription_ids):
            where = ("subscription", index)
            if pk is None or pk not in found:
                problems.append(Problem(ErrorCode.NOT_FOUND, "No such subscription.", where))
            elif any(s.id == pk for s in subs):
                problems.append(
                    Problem(ErrorCode.INVALID_INPUT, "The subscription is selected twice.", where)
                )
            else:
                subs.append(found[pk])
        origin = origin or (origin_for(viewer.role) if viewer else QuoteOrigin.AUTOMATIC)
        customer_ids = {s.customer_id for s in subs}
        contacts = await _contacts(uow, customer_ids)
        book = await price_book(uow, {s.product for s in subs})
        request = RenewalRequest(
            subscriptions=subs,
            changes=command.changes,
            recipients=command.recipients,
            disable_auto_renew=command.disable_auto_renew,
            currency=command.currency,
            payment_method=command.payment_method,  # type: ignore[arg-type]
            start_date=command.start_date,
        )
        lines = plan_renewal(
            request,
            today,
            origin=origin,
            open_quote_subscription_ids=frozenset(s.id for s in subs if s.open_quote_id),
            customer_emails=frozenset(c.email.lower() for c in contacts),
            buyer_emails=frozenset(
                c.email.lower() for c in contacts if c.role == ContactRole.BUYER
            ),
            price_available=lambda key: key in book,
            problems=problems,
        )
        priced = price_quote(
            [line_request(line) for line in lines], book, await promotions_on(uow, today), today
        )
        quote = await _insert_quote(
            uow, container, lines, priced, origin, actor or scope, today, command.disable_auto_renew
        )
        await _insert_recipients(uow, quote, contacts, command.recipients)
        await _claim_subscriptions(uow, quote, lines, command.disable_auto_renew)
        if mark_auto_quoted:  # R12: once per term
            await uow.session.execute(
                update(m.Subscription)
                .where(m.Subscription.id.in_([line.subscription.id for line in lines]))
                .values(auto_quoted_end_date=m.Subscription.end_date)
                .execution_options(synchronize_session=False)
            )
        enqueue(uow, container, "finalize_quote", quote.id)
        await record_status(uow, container, quote, None, actor or scope)
        await settle(uow, scope, OPERATION, command.idempotency_key, quote.id)
        await uow.commit()
        return quote.id


async def _contacts(uow: UnitOfWork, customer_ids: set[int]) -> list[m.Contact]:
    if len(customer_ids) != 1:
        return []
    rows = await uow.session.execute(
        select(m.Contact).where(m.Contact.customer_id.in_(customer_ids)).order_by(m.Contact.id)
    )
    return list(rows.scalars())


async def _insert_quote(
    uow: UnitOfWork,
    container: Container,
    lines: list[PlannedLine],
    priced: PricedQuote,
    origin: QuoteOrigin,
    actor: str,
    today: date,
    disable_auto_renew: bool,
) -> m.Quote:
    first = lines[0].subscription
    customer_id, reseller_id = first.customer_id, first.reseller_id  # type: ignore[attr-defined]
    quote = m.Quote(
        number=f"PENDING-{uuid4().hex[:20]}",
        type=QuoteType.RENEWAL,
        origin=origin,
        status=QuoteStatus.FINALIZING,
        customer_id=customer_id,
        reseller_id=reseller_id,
        currency=first.currency,
        payment_method=first.payment_method,
        subtotal=priced.subtotal,
        discount_total=priced.discount_total,
        total=priced.total,
        created_on=today,
        expires_on=quote_expires_on(today, [ln.subscription.end_date for ln in lines]),
        created_at=container.clock.now(),
        created_by=actor[:100],
    )
    uow.add(quote)
    await uow.flush()
    quote.number = f"Q-{today.year}-{quote.id:06d}"
    for position, (line, priced_line) in enumerate(zip(lines, priced.lines, strict=True)):
        start, end = next_term(line.subscription.end_date, line.term)
        uow.add(
            m.QuoteLine(
                quote_id=quote.id,
                subscription_id=line.subscription.id,
                position=position,
                seats=line.seats,
                term=line.term,
                start_date=start,
                end_date=end,
                unit_price=priced_line.unit_price,
                subtotal=priced_line.subtotal,
                discount=priced_line.discount,
                total=priced_line.total,
                auto_renew_switched_off=switches_auto_renew_off(line, disable_auto_renew),
            )
        )
    add_promotions(uow, quote.id, priced)
    await uow.flush()
    return quote


def add_promotions(uow: UnitOfWork, quote_id: int, priced: PricedQuote) -> None:
    """R11: every applied promotion is listed on the quote with its discount."""
    for promo in priced.promotions:
        uow.add(
            m.QuotePromotion(
                quote_id=quote_id,
                code=promo.code,
                description=promo.description,
                discount=promo.discount,
            )
        )


async def _insert_recipients(
    uow: UnitOfWork, quote: m.Quote, contacts: list[m.Contact], extra: list[Recipient]
) -> None:
    """The customer's buyers always receive the quote (R12, R13); then the extra recipients."""
    seen: set[str] = set()
    for email, name in [(c.email, c.name) for c in contacts if c.role == ContactRole.BUYER] + [
        (r.email.strip(), r.name) for r in extra
    ]:
        if email.lower() not in seen:
            seen.add(email.lower())
            uow.add(m.QuoteRecipient(quote_id=quote.id, email=email, name=name))


async def _claim_subscriptions(
    uow: UnitOfWork, quote: m.Quote, lines: list[PlannedLine], disable_auto_renew: bool
) -> None:
    """Puts the subscriptions on this quote, guarded: a concurrent quote loses, never both win."""
    ids = [line.subscription.id for line in lines]
    result = await uow.session.execute(
        update(m.Subscription)
        .where(m.Subscription.id.in_(ids), m.Subscription.open_quote_id.is_(None))
        .values(open_quote_id=quote.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != len(ids):
        raise DomainError.one(
            ErrorCode.ALREADY_ON_OPEN_QUOTE,
            "A selected subscription was put on another open quote meanwhile.",
            ("selection",),
        )
    switched = [
        line.subscription.id for line in lines if switches_auto_renew_off(line, disable_auto_renew)
    ]
    if switched:
        await uow.session.execute(
            update(m.Subscription)
            .where(m.Subscription.id.in_(switched))
            .values(auto_renew=False)
            .execution_options(synchronize_session=False)
        )


def switches_auto_renew_off(line: PlannedLine, disable_auto_renew: bool) -> bool:
    """R02: the quote switches off (and later restores) the auto-renew that was on."""
    return disable_auto_renew and line.subscription.auto_renew


def enqueue(uow: UnitOfWork, container: Container, kind: str, quote_id: int) -> None:
    """A durable job in the same transaction; the worker is woken once it commits."""
    now = container.clock.now()
    uow.add(
        m.OutboxJob(
            kind=kind,
            quote_id=quote_id,
            status="PENDING",
            attempts=0,
            run_after=now,
            created_at=now,
        )
    )

    async def wake() -> None:
        container.wake_worker()

    uow.after_commit(wake)
