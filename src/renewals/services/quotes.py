"""Use cases on quotes: create a renewal quote (one transaction), shared by GraphQL and jobs."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from renewals.auth import Viewer
from renewals.container import Container
from renewals.domain.enums import (
    ContactRole,
    ErrorCode,
    PaymentMethod,
    QuoteOrigin,
    QuoteStatus,
    QuoteType,
    Term,
)
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
from renewals.domain.values import PriceKey, Promotion, SubscriptionFacts
from renewals.domain.visibility import Visibility
from renewals.domain.windows import next_term
from renewals.persistence import models as m
from renewals.persistence import reads
from renewals.persistence.records import ContactRecord, SubscriptionRecord
from renewals.persistence.repositories import selection as selected
from renewals.persistence.repositories.catalogue import prices_and_promotions
from renewals.persistence.uow import UnitOfWork
from renewals.services.idempotency import replay_or_claim, request_hash, retry_key_races, settle
from renewals.services.lifecycle import expire_if_due, record_status

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
    payment_method: PaymentMethod | None = None
    start_date: date | None = None
    draft: bool = False  # a DRAFT: priced, checked, numbered; not sent, claims nothing


async def price_requests(uow: UnitOfWork, requests: list[LineRequest], today: date) -> PricedQuote:
    """Prices lines at today's price list and promotions (R11); PRICE_UNAVAILABLE if one is missing."""
    book = await uow.prices.book({r.product for r in requests})
    return price_quote(requests, book, await uow.prices.promotions_on(today), today)


def line_request(line: PlannedLine) -> LineRequest:
    sub = line.subscription
    return LineRequest(sub.id, sub.product, line.term, sub.currency, line.seats)


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
            **({"draft": True} if command.draft else {}),  # keys stored before drafts still match
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
    """Creates a FINALIZING quote with its finalize job (or a DRAFT, which claims nothing and is
    not sent), or raises DomainError with every problem."""
    return await retry_key_races(
        lambda: _create(container, viewer, visibility, command, origin, actor, mark_auto_quoted)
    )


@dataclass(frozen=True)
class Selection:
    """What a create request found: the visible subscriptions, their customer's contacts and the
    prices of their products, plus the problems of ids that found nothing."""

    subscriptions: list[SubscriptionRecord]
    contacts: list[ContactRecord]
    book: dict[PriceKey, Decimal]
    problems: list[Problem]
    promotions: list[Promotion] | None = None  # of the business date, read with the prices


async def _create(
    container: Container,
    viewer: Viewer | None,
    visibility: Visibility,
    command: CreateQuoteCommand,
    origin: QuoteOrigin | None,
    actor: str | None,
    mark_auto_quoted: bool,
) -> int:
    async with UnitOfWork(container.db) as uow:
        quote_id = await create_in(
            uow, container, viewer, visibility, command, origin, actor, mark_auto_quoted
        )
        await uow.commit()
        return quote_id


async def create_in(
    uow: UnitOfWork,
    container: Container,
    viewer: Viewer | None,
    visibility: Visibility,
    command: CreateQuoteCommand,
    origin: QuoteOrigin | None = None,
    actor: str | None = None,
    mark_auto_quoted: bool = False,
) -> int:
    """The creation in a unit of work the caller commits: alone (`create_renewal_quote`) or one
    of a batch, each in its own savepoint (the R12 job)."""
    today = container.clock.today()
    scope = viewer.scope if viewer else "system"
    origin = origin or (origin_for(viewer.role) if viewer else QuoteOrigin.AUTOMATIC)
    key = command.idempotency_key
    digest = _digest(command) if key is not None else ""  # only a key needs the request's hash
    replay = await replay_or_claim(uow, scope, OPERATION, key, digest, container.clock.now())
    if replay is not None:
        return replay
    lines, priced, contacts = await plan_and_price(
        uow, container, command, visibility, origin, actor or scope
    )
    status = QuoteStatus.DRAFT if command.draft else QuoteStatus.FINALIZING
    quote = await insert_quote(
        uow,
        container,
        lines,
        priced,
        origin,
        actor or scope,
        today,
        status,
        expires=expires_on(lines, command.disable_auto_renew, today),
    )
    await write_parts(uow, quote, lines, priced, command.disable_auto_renew)
    await uow.quotes.insert_rows(
        m.QuoteRecipient, recipient_rows(quote.id, contacts, command.recipients)
    )
    if not command.draft:
        await claim_subscriptions(uow, quote, lines, command.disable_auto_renew)
        if mark_auto_quoted:  # R12: once per term
            await uow.subscriptions.mark_auto_quoted([line.subscription.id for line in lines])
        await add_job(uow, container, "finalize_quote", quote.id)
    await record_status(uow, container, quote, None, actor or scope)
    await settle(uow, scope, OPERATION, command.idempotency_key, quote.id)
    return quote.id


async def plan_and_price(
    uow: UnitOfWork,
    container: Container,
    command: CreateQuoteCommand,
    visibility: Visibility,
    origin: QuoteOrigin,
    actor: str,
    replacing: int | None = None,
) -> tuple[list[PlannedLine], PricedQuote, list[ContactRecord]]:
    """Select → plan → price at the business date: the quote's lines, or DomainError with every
    problem. Stale claims of expired quotes are released first, as the expiry job would. The
    claims of the quote a revision is `replacing` do not count: the revision takes them over."""
    conn = await uow.session.connection()
    selection = await select_for_writing(
        uow, container, command.subscription_ids, visibility, actor
    )
    return await _plan_and_price(
        conn, command, selection, origin, container.clock.today(), replacing
    )


async def select_for_writing(
    uow: UnitOfWork,
    container: Container,
    ids: list[int | None],
    visibility: Visibility,
    actor: str,
) -> Selection:
    """The selection a quote of either type is written from, in the unit of work: a claim of a
    quote past its expiry is released first, as the expiry job would, then read again (free,
    auto-renew given back, R02)."""
    conn = await uow.session.connection()
    today = container.clock.today()
    selection = await select_subscriptions(conn, ids, visibility, today)
    if await _release_stale_claims(uow, container, selection.subscriptions, actor):
        selection = await select_subscriptions(conn, ids, visibility, today)
    return selection


async def _plan_and_price(
    conn: AsyncConnection,
    command: CreateQuoteCommand,
    selection: Selection,
    origin: QuoteOrigin,
    today: date,
    replacing: int | None = None,
) -> tuple[list[PlannedLine], PricedQuote, list[ContactRecord]]:
    lines = _plan(command, selection, origin, today, replacing)
    promotions = selection.promotions
    if promotions is None:
        promotions = (await reads.promotions_on(conn, [today]))[0]
    priced = price_quote([line_request(line) for line in lines], selection.book, promotions, today)
    return lines, priced, selection.contacts


@dataclass(frozen=True)
class PreviewLine:
    subscription: SubscriptionFacts
    seats: int
    term: Term
    start_date: date
    end_date: date


@dataclass(frozen=True)
class Preview:
    """What a quote would be, priced at the business date; nothing is written."""

    type: QuoteType
    lines: list[PreviewLine]
    priced: PricedQuote
    currency: str
    expires_on: date


async def preview_renewal_quote(
    container: Container, viewer: Viewer, visibility: Visibility, command: CreateQuoteCommand
) -> Preview:
    """previewQuote's renewal: the same selection, checks and pricing as creation, on the read
    engine (no transaction that could block writers); every problem at once as DomainError. A
    claim of a quote past its expiry is free here as it is for creation (it reads as EXPIRED)."""
    today = container.clock.today()
    async with container.db.read_engine.connect() as conn:
        selection = await select_subscriptions(conn, command.subscription_ids, visibility, today)
        lines, priced, _ = await _plan_and_price(
            conn, command, selection, origin_for(viewer.role), today
        )
    return Preview(
        type=QuoteType.RENEWAL,
        lines=[
            PreviewLine(
                ln.subscription, ln.seats, ln.term, *next_term(ln.subscription.end_date, ln.term)
            )
            for ln in lines
        ],
        priced=priced,
        currency=lines[0].subscription.currency,
        expires_on=expires_on(lines, command.disable_auto_renew, today),
    )


async def select_subscriptions(
    conn: AsyncConnection,
    ids: list[int | None],
    visibility: Visibility,
    today: date | None = None,
) -> Selection:
    """The selected subscriptions the viewer may see, in order; a missing or repeated id is a
    problem of its own; with `today`, the promotions of that day are read with the prices.
    Reads only (a preview runs it on the read engine)."""
    records = await selected.subscriptions_by_id(conn, [i for i in ids if i is not None])
    found = {r.id: r for r in records if r is not None and visibility.allows(r)}
    subs: list[SubscriptionRecord] = []
    problems: list[Problem] = []
    for index, pk in enumerate(ids):
        where = ("subscription", index)
        if pk is None or pk not in found:
            problems.append(Problem(ErrorCode.NOT_FOUND, "No such subscription.", where))
        elif any(s.id == pk for s in subs):
            problems.append(
                Problem(ErrorCode.INVALID_INPUT, "The subscription is selected twice.", where)
            )
        else:
            subs.append(found[pk])
    customers = {s.customer_id for s in subs}
    contacts = await selected.contacts_of(conn, customers.pop()) if len(customers) == 1 else []
    products = {s.product for s in subs}
    if today is None:
        return Selection(subs, contacts, await reads.price_book(conn, products), problems)
    book, promotions = await prices_and_promotions(conn, products, today)
    return Selection(subs, contacts, book, problems, promotions)


def _plan(
    command: CreateQuoteCommand,
    selection: Selection,
    origin: QuoteOrigin,
    today: date,
    replacing: int | None = None,
) -> list[PlannedLine]:
    """The domain decides: the quote's lines, or DomainError with every problem."""
    request = RenewalRequest(
        subscriptions=selection.subscriptions,
        changes=command.changes,
        recipients=command.recipients,
        disable_auto_renew=command.disable_auto_renew,
        currency=command.currency,
        payment_method=command.payment_method,
        start_date=command.start_date,
    )
    contacts = selection.contacts
    return plan_renewal(
        request,
        today,
        origin=origin,
        open_quote_subscription_ids=frozenset(
            s.id
            for s in selection.subscriptions
            if s.on_open_quote(today) and s.open_quote_id != replacing
        ),
        customer_emails=frozenset(c.email.lower() for c in contacts),
        buyer_emails=frozenset(c.email.lower() for c in contacts if c.role == ContactRole.BUYER),
        price_available=lambda key: key in selection.book,
        problems=selection.problems,
    )


async def insert_quote(
    uow: UnitOfWork,
    container: Container,
    lines: Sequence[Any],
    priced: PricedQuote,
    origin: QuoteOrigin,
    actor: str,
    today: date,
    status: QuoteStatus,
    quote_type: QuoteType = QuoteType.RENEWAL,
    *,
    expires: date | None = None,
) -> m.Quote:
    """The quote's header, numbered, in one statement (its expiry follows from its lines: given
    as `expires`, or today until the caller sets it)."""
    first = lines[0].subscription
    assert isinstance(first, SubscriptionRecord)  # planned from the selection's records
    values = dict(
        type=quote_type,
        origin=origin,
        status=status,
        customer_id=first.customer_id,
        reseller_id=first.reseller_id,
        currency=first.currency,
        payment_method=first.payment_method,
        subtotal=priced.subtotal,
        discount_total=priced.discount_total,
        total=priced.total,
        created_on=today,
        expires_on=expires or today,
        created_at=container.clock.now(),
        created_by=actor[:100],
    )
    return await uow.quotes.insert_numbered(values, f"Q-{today.year}-")


def expires_on(lines: list[PlannedLine], disable_auto_renew: bool, today: date) -> date:
    return quote_expires_on(
        today,
        [ln.subscription.end_date for ln in lines],
        [ln.subscription.end_date for ln in lines if keeps_auto_renew(ln, disable_auto_renew)],
    )


async def write_parts(
    uow: UnitOfWork,
    quote: m.Quote,
    lines: list[PlannedLine],
    priced: PricedQuote,
    disable_auto_renew: bool,
) -> None:
    """The quote's lines, promotions and totals as planned and priced (a draft's are replaced):
    one statement for the lines, one for the promotions if any."""
    quote.subtotal, quote.discount_total = priced.subtotal, priced.discount_total
    quote.total = priced.total
    rows = line_rows(quote.id, lines, priced, disable_auto_renew)
    await uow.quotes.insert_rows(m.QuoteLine, rows)
    await uow.quotes.insert_rows(m.QuotePromotion, promotion_rows(quote.id, priced))


def line_rows(
    quote_id: int, lines: list[PlannedLine], priced: PricedQuote, disable_auto_renew: bool
) -> list[dict[str, Any]]:
    """The quote's lines as planned and priced, each for its subscription's next term."""
    rows = []
    for position, (line, priced_line) in enumerate(zip(lines, priced.lines, strict=True)):
        start, end = next_term(line.subscription.end_date, line.term)
        rows.append(
            {
                "quote_id": quote_id,
                "subscription_id": line.subscription.id,
                "position": position,
                "seats": line.seats,
                "term": line.term,
                "start_date": start,
                "end_date": end,
                "unit_price": priced_line.unit_price,
                "subtotal": priced_line.subtotal,
                "discount": priced_line.discount,
                "total": priced_line.total,
                "auto_renew_switched_off": switches_auto_renew_off(line, disable_auto_renew),
            }
        )
    return rows


def promotion_rows(quote_id: int, priced: PricedQuote) -> list[dict[str, Any]]:
    """R11: every applied promotion is listed on the quote with its discount."""
    return [
        {"quote_id": quote_id, "code": p.code, "description": p.description, "discount": p.discount}
        for p in priced.promotions
    ]


def add_promotions(uow: UnitOfWork, quote_id: int, priced: PricedQuote) -> None:
    """`promotion_rows`, written at the next flush."""
    uow.quotes.add_parts(*(m.QuotePromotion(**row) for row in promotion_rows(quote_id, priced)))


def recipient_rows(
    quote_id: int, contacts: list[ContactRecord], extra: list[Recipient]
) -> list[dict[str, Any]]:
    """The customer's buyers always receive the quote (R12, R13); then the extra recipients."""
    seen: set[str] = set()
    rows = []
    for email, name in [(c.email, c.name) for c in contacts if c.role == ContactRole.BUYER] + [
        (r.email.strip(), r.name) for r in extra
    ]:
        if email.lower() not in seen:
            seen.add(email.lower())
            rows.append({"quote_id": quote_id, "email": email, "name": name})
    return rows


def insert_recipients(
    uow: UnitOfWork, quote: m.Quote, contacts: list[ContactRecord], extra: list[Recipient]
) -> None:
    """`recipient_rows`, written at the next flush."""
    uow.quotes.add_parts(
        *(m.QuoteRecipient(**row) for row in recipient_rows(quote.id, contacts, extra))
    )


async def _release_stale_claims(
    uow: UnitOfWork, container: Container, subs: list[SubscriptionRecord], actor: str
) -> bool:
    """A subscription whose quote is past `expiresOn` is free (the quote reads as EXPIRED): its
    quote is expired here, in this transaction, as the expiry job would (history, event, R02
    auto-renew given back), before the subscriptions are claimed again."""
    today = container.clock.today()
    stale = {
        sub.open_quote_id
        for sub in subs
        if sub.open_quote_id is not None and not sub.on_open_quote(today)
    }
    for quote_id in sorted(stale):  # a fixed order: concurrent requests lock alike
        quote = await uow.quotes.get(quote_id, for_update=True)
        if quote is not None:  # re-read under the lock: another request may have expired it
            await expire_if_due(uow, container, quote, actor)
    return bool(stale)


async def claim_subscriptions(
    uow: UnitOfWork, quote: m.Quote, lines: list[PlannedLine], disable_auto_renew: bool
) -> None:
    """Puts the subscriptions on this quote, guarded: a concurrent quote loses, never both win."""
    ids = [line.subscription.id for line in lines]
    if not await uow.subscriptions.put_on_quote(ids, quote.id):
        raise DomainError.one(
            ErrorCode.ALREADY_ON_OPEN_QUOTE,
            "A selected subscription was put on another open quote meanwhile.",
            ("selection",),
        )
    await uow.subscriptions.set_auto_renew(
        [ln.subscription.id for ln in lines if switches_auto_renew_off(ln, disable_auto_renew)],
        False,
    )


def switches_auto_renew_off(line: PlannedLine, disable_auto_renew: bool) -> bool:
    """R02: the quote switches off (and later restores) the auto-renew that was on."""
    return disable_auto_renew and line.subscription.auto_renew


def keeps_auto_renew(line: PlannedLine, disable_auto_renew: bool) -> bool:
    """R02: auto-renew stays on during the quote, so the quote must not outlive the term."""
    return line.subscription.auto_renew and not switches_auto_renew_off(line, disable_auto_renew)


def enqueue(uow: UnitOfWork, container: Container, kind: str, quote_id: int) -> None:
    """A durable job in the same transaction; the worker is woken once it commits."""
    uow.outbox.enqueue(kind, quote_id, container.clock.now())
    _wake_after_commit(uow, container)


async def add_job(uow: UnitOfWork, container: Container, kind: str, quote_id: int) -> None:
    """`enqueue`, the row written at once (no ORM object for the commit to flush)."""
    await uow.outbox.add(kind, quote_id, container.clock.now())
    _wake_after_commit(uow, container)


def _wake_after_commit(uow: UnitOfWork, container: Container) -> None:
    async def wake() -> None:
        container.wake_worker()

    uow.after_commit(wake)
