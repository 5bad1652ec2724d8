"""createCoTermQuote (R06): a CO_TERM quote that moves subscriptions to one end date, in one
transaction; select → plan → write as for renewals, finalized by the same worker job."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncConnection

from renewals.auth import Viewer
from renewals.container import Container
from renewals.domain.coterm import CoTermLine, CoTermRequest, plan_co_term
from renewals.domain.enums import ContactRole, ErrorCode, QuoteOrigin, QuoteStatus, QuoteType
from renewals.domain.errors import DomainError, Problem
from renewals.domain.lifecycle import quote_expires_on
from renewals.domain.pricing import PricedQuote, price_quote
from renewals.domain.quotes import Recipient, origin_for
from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.persistence import reads
from renewals.persistence.records import ContactRecord, SubscriptionRecord
from renewals.persistence.uow import UnitOfWork
from renewals.services.idempotency import replay_or_claim, request_hash, retry_key_races, settle
from renewals.services.lifecycle import record_status
from renewals.services.quotes import (
    Preview,
    PreviewLine,
    Selection,
    add_promotions,
    enqueue,
    insert_quote,
    insert_recipients,
    select_for_writing,
    select_subscriptions,
)

OPERATION = "createCoTermQuote"


@dataclass(frozen=True)
class CreateCoTermCommand:
    """Input decoded from global IDs; None marks an id that decoded to nothing."""

    subscription_ids: list[int | None]
    align_to: date | None = None
    anchor_requested: bool = False
    anchor_id: int | None = None
    recipients: list[Recipient] = field(default_factory=list)
    idempotency_key: str | None = None
    draft: bool = False


async def create_co_term_quote(
    container: Container, viewer: Viewer, visibility: Visibility, command: CreateCoTermCommand
) -> int:
    """Creates a FINALIZING CO_TERM quote with its finalize job, or raises DomainError with
    every problem."""
    return await retry_key_races(lambda: _create(container, viewer, visibility, command))


def _digest(command: CreateCoTermCommand) -> str:
    return request_hash(
        {
            "ids": command.subscription_ids,
            "align_to": command.align_to,
            "anchor": (command.anchor_requested, command.anchor_id),
            "recipients": [(r.email, r.name) for r in command.recipients],
            "draft": command.draft,
        }
    )


async def _create(
    container: Container, viewer: Viewer, visibility: Visibility, command: CreateCoTermCommand
) -> int:
    today = container.clock.today()
    async with UnitOfWork(container.db) as uow:
        replay = await replay_or_claim(
            uow,
            viewer.scope,
            OPERATION,
            command.idempotency_key,
            _digest(command),
            container.clock.now(),
        )
        if replay is not None:
            return replay
        origin = origin_for(viewer.role)
        lines, priced, contacts = await plan_and_price_co_term(
            uow, container, command, visibility, origin, viewer.scope
        )
        status = QuoteStatus.DRAFT if command.draft else QuoteStatus.FINALIZING
        quote = await insert_quote(
            uow, container, lines, priced, origin, viewer.scope, today, status, QuoteType.CO_TERM
        )
        await write_co_term_parts(uow, quote, lines, priced, today)
        insert_recipients(uow, quote, contacts, command.recipients)
        if not command.draft:
            await claim_co_term(uow, quote, lines)
            enqueue(uow, container, "finalize_quote", quote.id)
        await record_status(uow, container, quote, None, viewer.scope)
        await settle(uow, viewer.scope, OPERATION, command.idempotency_key, quote.id)
        await uow.commit()
        return quote.id


async def _anchor(
    conn: AsyncConnection, command: CreateCoTermCommand, visibility: Visibility
) -> tuple[SubscriptionRecord | None, list[Problem]]:
    """The subscription whose end date is the aligned date, if one is asked for: it must be one
    the viewer may see (else NOT_FOUND, as for any id)."""
    if not command.anchor_requested:
        return None, []
    ids = [command.anchor_id] if command.anchor_id is not None else []
    found = [r for r in await reads.subscriptions_by_id(conn, ids) if r is not None]
    visible = [r for r in found if visibility.allows(r)]
    if visible:
        return visible[0], []
    return None, [Problem(ErrorCode.NOT_FOUND, "No such subscription.", ("anchor",))]


async def preview_co_term_quote(
    container: Container, viewer: Viewer, visibility: Visibility, command: CreateCoTermCommand
) -> Preview:
    """previewQuote's co-term: creation's selection, checks and pro-rata pricing on the read
    engine; nothing is written, every problem at once as DomainError."""
    today = container.clock.today()
    async with container.db.read_engine.connect() as conn:
        selection = await select_subscriptions(conn, command.subscription_ids, visibility)
        anchor, problems = await _anchor(conn, command, visibility)
        lines = _plan(command, selection, anchor, problems, origin_for(viewer.role), today)
        promotions = (await reads.promotions_on(conn, [today]))[0]
    priced = price_quote([ln.line_request() for ln in lines], selection.book, promotions, today)
    return Preview(
        type=QuoteType.CO_TERM,
        lines=[
            PreviewLine(ln.subscription, ln.seats, ln.term, ln.start_date, ln.end_date)
            for ln in lines
        ],
        priced=priced,
        currency=lines[0].subscription.currency,
        expires_on=co_term_expires_on(lines, today),
    )


def _plan(
    command: CreateCoTermCommand,
    selection: Selection,
    anchor: SubscriptionRecord | None,
    problems: list[Problem],
    origin: QuoteOrigin,
    today: date,
    replacing: int | None = None,
) -> list[CoTermLine]:
    """The domain decides: the quote's lines, or DomainError with every problem."""
    request = CoTermRequest(
        subscriptions=selection.subscriptions,
        align_to=command.align_to,
        anchor_requested=command.anchor_requested,
        anchor=anchor,
        recipients=command.recipients,
    )
    contacts = selection.contacts
    return plan_co_term(
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
        problems=selection.problems + problems,
    )


async def plan_and_price_co_term(
    uow: UnitOfWork,
    container: Container,
    command: CreateCoTermCommand,
    visibility: Visibility,
    origin: QuoteOrigin,
    actor: str,
    replacing: int | None = None,
) -> tuple[list[CoTermLine], PricedQuote, list[ContactRecord]]:
    """Select → plan → price a co-term at the business date, or DomainError with every problem
    (creation, a draft's changes and finalization, a revision; `replacing`: its original's
    claims do not count)."""
    today = container.clock.today()
    conn = await uow.session.connection()
    selection = await select_for_writing(
        uow, container, command.subscription_ids, visibility, actor
    )
    anchor, problems = await _anchor(conn, command, visibility)
    lines = _plan(command, selection, anchor, problems, origin, today, replacing)
    promotions = (await reads.promotions_on(conn, [today]))[0]
    priced = price_quote([ln.line_request() for ln in lines], selection.book, promotions, today)
    return lines, priced, selection.contacts


def co_term_expires_on(lines: list[CoTermLine], today: date) -> date:
    """As for a renewal: a line that keeps auto-renew on bounds the expiry at its end date (a
    co-term never switches auto-renew, R02)."""
    return quote_expires_on(
        today,
        [ln.subscription.end_date for ln in lines],
        [ln.subscription.end_date for ln in lines if ln.subscription.auto_renew],
    )


async def write_co_term_parts(
    uow: UnitOfWork, quote: m.Quote, lines: list[CoTermLine], priced: PricedQuote, today: date
) -> None:
    """The CO_TERM quote's lines (to the aligned date, pro rata), promotions, totals, expiry."""
    quote.subtotal, quote.discount_total = priced.subtotal, priced.discount_total
    quote.total = priced.total
    quote.expires_on = co_term_expires_on(lines, today)
    for position, (line, priced_line) in enumerate(zip(lines, priced.lines, strict=True)):
        uow.quotes.add_parts(
            m.QuoteLine(
                quote_id=quote.id,
                subscription_id=line.subscription.id,
                position=position,
                seats=line.seats,
                term=line.term,
                start_date=line.start_date,
                end_date=line.end_date,
                unit_price=priced_line.unit_price,
                subtotal=priced_line.subtotal,
                discount=priced_line.discount,
                total=priced_line.total,
                auto_renew_switched_off=False,
            )
        )
    add_promotions(uow, quote.id, priced)
    await uow.flush()


async def claim_co_term(uow: UnitOfWork, quote: m.Quote, lines: list[CoTermLine]) -> None:
    """Puts the subscriptions on the quote, guarded (a concurrent quote loses); auto-renew stays."""
    if not await uow.subscriptions.put_on_quote([ln.subscription.id for ln in lines], quote.id):
        raise DomainError.one(
            ErrorCode.ALREADY_ON_OPEN_QUOTE,
            "A selected subscription was put on another open quote meanwhile.",
            ("selection",),
        )
