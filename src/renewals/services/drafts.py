"""The review step (R04): a DRAFT quote is updated, then finalized (sent) or discarded.

A draft keeps what the client chose (its subscriptions, seats and terms, extra recipients, the
auto-renew switch, a reviewed billing address); every change and the finalization re-check it as
creation does and re-price it at the business date. Each use case is one transaction.
"""

from dataclasses import dataclass, field
from typing import Any

from renewals.auth import Viewer
from renewals.container import Container
from renewals.domain.enums import ContactRole, ErrorCode, QuoteOrigin, QuoteStatus, QuoteType
from renewals.domain.errors import DomainError, Problem
from renewals.domain.lifecycle import check_draft, draft_is_stale, effective_status
from renewals.domain.pricing import PricedQuote
from renewals.domain.quotes import LineChange, Recipient
from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.persistence.records import ContactRecord
from renewals.persistence.uow import UnitOfWork
from renewals.services.coterm import (
    CreateCoTermCommand,
    claim_co_term,
    plan_and_price_co_term,
    write_co_term_parts,
)
from renewals.services.idempotency import replay_or_claim, request_hash, retry_key_races, settle
from renewals.services.lifecycle import take_over, transition
from renewals.services.quotes import (
    CreateQuoteCommand,
    claim_subscriptions,
    enqueue,
    expires_on,
    insert_recipients,
    plan_and_price,
    write_parts,
)

FINALIZE = "finalizeQuote"
ADDRESS_FIELDS = ("line1", "city", "postal_code", "country")


@dataclass(frozen=True)
class DraftUpdate:
    """What updateDraftQuote changes; None leaves a part as it is."""

    quote_id: int | None
    recipients: list[Recipient] | None = None
    changes: list[LineChange] = field(default_factory=list)
    address: dict[str, Any] | None = None
    disable_auto_renew: bool | None = None


def not_found() -> DomainError:
    return DomainError.one(ErrorCode.NOT_FOUND, "No such quote.", ("quote",))


async def _draft(
    uow: UnitOfWork, visibility: Visibility, quote_id: int | None, *, address: bool = False
) -> m.Quote:
    quote = await uow.quotes.get(quote_id, for_update=True)
    if quote is None or not visibility.allows(quote):
        raise not_found()
    check_draft(quote.status, address=address)
    return quote


async def draft_command(
    uow: UnitOfWork, quote: m.Quote, update: DraftUpdate | None = None
) -> CreateQuoteCommand:
    """The quote (a draft, or a quote being revised) as a create request, with the update's
    changes first (their `field` paths are the update's own), then the quote's kept seats and
    terms for the other lines."""
    lines = await uow.quotes.lines(quote.id)
    changes = list(update.changes) if update else []
    changed = {c.subscription_id for c in changes}
    changes += [
        LineChange(ln.subscription_id, ln.seats, ln.term, QuoteType.RENEWAL)
        for ln in lines
        if ln.subscription_id not in changed
    ]
    disable = any(ln.auto_renew_switched_off for ln in lines)
    if update is not None and update.disable_auto_renew is not None:
        disable = update.disable_auto_renew
    return CreateQuoteCommand(
        subscription_ids=[ln.subscription_id for ln in lines],
        changes=changes,
        recipients=await _recipients(uow, quote, update),
        disable_auto_renew=disable,
    )


async def _recipients(
    uow: UnitOfWork, quote: m.Quote, update: DraftUpdate | None
) -> list[Recipient]:
    """The update's recipients if it gives them, else the quote's besides the buyers."""
    if update is not None and update.recipients is not None:
        return update.recipients
    buyers = {
        c.email.lower()
        for c in await uow.customers.contacts(quote.customer_id)
        if c.role == ContactRole.BUYER
    }
    return [
        Recipient(r.email, r.name)
        for r in await uow.quotes.recipients(quote.id)
        if r.email.lower() not in buyers
    ]


@dataclass(frozen=True)
class Replanned:
    """A quote planned and priced again: its lines, what to write, whom to send it to."""

    lines: list[Any]
    priced: PricedQuote
    contacts: list[ContactRecord]
    recipients: list[Recipient]
    disable_auto_renew: bool


async def replan(
    uow: UnitOfWork,
    container: Container,
    quote: m.Quote,
    update: DraftUpdate | None,
    visibility: Visibility,
    actor: str,
    *,
    origin: QuoteOrigin,
    replacing: int | None = None,
) -> Replanned:
    """Re-checks and re-prices a quote of either type at the business date, with the update's
    changes (a draft's review, or a revision of `replacing`); DomainError with every problem."""
    if quote.type == QuoteType.CO_TERM:
        problems = []
        if update is not None and update.changes:
            problems.append(
                Problem(
                    ErrorCode.INVALID_INPUT,
                    "A co-term quote changes neither seats nor term (R06).",
                    ("changes",),
                )
            )
        if update is not None and update.disable_auto_renew is not None:
            problems.append(
                Problem(
                    ErrorCode.INVALID_INPUT,
                    "A co-term quote never switches auto-renew (R02).",
                    ("disable_auto_renew",),
                )
            )
        if problems:
            raise DomainError(problems)
        lines = await uow.quotes.lines(quote.id)
        recipients = await _recipients(uow, quote, update)
        co_term = CreateCoTermCommand(
            subscription_ids=[ln.subscription_id for ln in lines],
            align_to=lines[0].end_date,  # every line runs to the aligned date
            recipients=recipients,
        )
        planned, priced, contacts = await plan_and_price_co_term(
            uow, container, co_term, visibility, origin, actor, replacing
        )
        return Replanned(planned, priced, contacts, recipients, False)
    command = await draft_command(uow, quote, update)
    renewal, priced, contacts = await plan_and_price(
        uow, container, command, visibility, origin, actor, replacing
    )
    return Replanned(renewal, priced, contacts, command.recipients, command.disable_auto_renew)


async def write_replanned(
    uow: UnitOfWork, container: Container, quote: m.Quote, planned: Replanned
) -> None:
    """Writes the quote's lines, promotions, totals, expiry and recipients as planned."""
    today = container.clock.today()
    if quote.type == QuoteType.CO_TERM:
        await write_co_term_parts(uow, quote, planned.lines, planned.priced, today)
    else:
        await write_parts(uow, quote, planned.lines, planned.priced, planned.disable_auto_renew)
        quote.expires_on = expires_on(planned.lines, planned.disable_auto_renew, today)
    insert_recipients(uow, quote, planned.contacts, planned.recipients)


async def claim_planned(uow: UnitOfWork, quote: m.Quote, planned: Replanned) -> None:
    if quote.type == QuoteType.CO_TERM:
        await claim_co_term(uow, quote, planned.lines)
    else:
        await claim_subscriptions(uow, quote, planned.lines, planned.disable_auto_renew)


async def _rewrite(
    uow: UnitOfWork,
    container: Container,
    quote: m.Quote,
    update: DraftUpdate | None,
    visibility: Visibility,
    actor: str,
    replacing: int | None = None,
) -> Replanned:
    """Re-checks and re-prices the draft at the business date and writes it anew."""
    planned = await replan(
        uow, container, quote, update, visibility, actor, origin=quote.origin, replacing=replacing
    )
    await uow.quotes.drop_parts(quote.id)
    await write_replanned(uow, container, quote, planned)
    return planned


def _address_problems(address: dict[str, Any]) -> list[Problem]:
    problems = [
        Problem(ErrorCode.INVALID_INPUT, "Must not be empty.", ("address", name))
        for name in ADDRESS_FIELDS
        if not str(address.get(name) or "").strip()
    ]
    country = str(address.get("country") or "").strip()
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        problems.append(
            Problem(
                ErrorCode.INVALID_INPUT,
                "A two-letter ISO 3166 country code, e.g. DE.",
                ("address", "country"),
            )
        )
    return problems


async def update_draft(
    container: Container, viewer: Viewer, visibility: Visibility, update: DraftUpdate
) -> int:
    """updateDraftQuote: recipients, seats and terms, the billing address, the auto-renew switch;
    every problem at once, nothing changed when refused."""
    async with UnitOfWork(container.db) as uow:
        quote = await _draft(uow, visibility, update.quote_id, address=update.address is not None)
        if update.address is not None and (problems := _address_problems(update.address)):
            raise DomainError(problems)
        await _rewrite(uow, container, quote, update, visibility, viewer.scope)
        if update.address is not None:
            quote.address = {
                k: (str(v).strip() if v is not None else None) for k, v in update.address.items()
            }
            quote.address["country"] = quote.address["country"].upper()
        await uow.commit()
        return quote.id


async def finalize_draft(
    container: Container,
    viewer: Viewer,
    visibility: Visibility,
    quote_id: int | None,
    idempotency_key: str | None = None,
) -> int:
    """finalizeQuote: re-checks everything as creation does (a subscription another quote took
    meanwhile is ALREADY_ON_OPEN_QUOTE), re-prices, sets `expiresOn` from today, claims the
    subscriptions, switches auto-renew off where asked, and sends: DRAFT → FINALIZING → QUOTED."""
    return await retry_key_races(
        lambda: _finalize(container, viewer, visibility, quote_id, idempotency_key)
    )


async def _finalize(
    container: Container,
    viewer: Viewer,
    visibility: Visibility,
    quote_id: int | None,
    idempotency_key: str | None,
) -> int:
    digest = request_hash({"quote": quote_id})
    async with UnitOfWork(container.db) as uow:
        replay = await replay_or_claim(
            uow, viewer.scope, FINALIZE, idempotency_key, digest, container.clock.now()
        )
        if replay is not None:
            return replay
        quote = await _draft(uow, visibility, quote_id)
        original = await _replaced(uow, quote, container.clock.today())
        planned = await _rewrite(
            uow, container, quote, None, visibility, viewer.scope, original.id if original else None
        )
        if original is not None:  # a revision leaves DRAFT: it takes over now
            await take_over(uow, container, original, quote, viewer.scope)
        await claim_planned(uow, quote, planned)
        await transition(uow, container, quote, QuoteStatus.FINALIZING, viewer.scope)
        enqueue(uow, container, "finalize_quote", quote.id)
        await settle(uow, viewer.scope, FINALIZE, idempotency_key, quote.id)
        await uow.commit()
        return quote.id


async def _replaced(uow: UnitOfWork, draft: m.Quote, today: Any) -> m.Quote | None:
    """The quote a draft revision replaces, while that one is still open (else none: the
    revision is then sent as a quote of its own)."""
    if draft.revision_of_id is None:
        return None
    original = await uow.quotes.get(draft.revision_of_id, for_update=True)
    if original is None:
        return None
    open_now = effective_status(original.status, original.expires_on, today).is_open
    return original if open_now else None


async def discard_draft(container: Container, visibility: Visibility, quote_id: int | None) -> int:
    """discardDraftQuote: the draft is deleted (not cancelled); `node` is null afterwards."""
    async with UnitOfWork(container.db) as uow:
        quote = await _draft(uow, visibility, quote_id)
        await uow.quotes.delete_draft(quote.id)
        await uow.commit()
        return quote.id


async def remove_stale_drafts(container: Container) -> int:
    """The jobs: DRAFTs nobody finalized by their provisional expiry are deleted."""
    today, removed, after = container.clock.today(), 0, 0
    while True:
        async with UnitOfWork(container.db) as uow:
            drafts = await uow.quotes.stale_drafts(today, after)
            if not drafts:
                return removed
            for quote in drafts:
                if draft_is_stale(quote.status, quote.expires_on, today):
                    removed += await uow.quotes.delete_draft(quote.id)
            after = drafts[-1].id
            await uow.commit()
