"""Finalization of many quotes at once (the worker's batch of `finalize_quote` jobs): the same
steps as worker.finalize_quote (reprice at the finalization date, snapshot the address, move
FINALIZING → QUOTED, write the R13 emails) with a constant number of statements for the batch.

A quote the domain cannot price fails alone (its job is reported back, as a failing job is);
anything else raises, and the worker undoes the batch and runs its jobs one by one."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from renewals.auth import new_nonce
from renewals.container import Container
from renewals.domain.enums import ErrorCode, QuoteStatus, QuoteType
from renewals.domain.errors import DomainError
from renewals.domain.lifecycle import check_transition
from renewals.domain.pricing import PricedQuote, price_quote
from renewals.domain.values import PriceKey, Promotion
from renewals.persistence import models as m
from renewals.persistence.records import QuoteLineRecord
from renewals.persistence.repositories.catalogue import prices_and_promotions
from renewals.persistence.uow import UnitOfWork
from renewals.services.finalization import address_snapshot, quote_message, repricing
from renewals.services.lifecycle import record_statuses
from renewals.services.quote_pdf import emailed_pdf_name

WORKER = "worker"


@dataclass(frozen=True)
class Finalized:
    """What a batch did: the quotes moved to QUOTED, and those that failed with why."""

    quoted: list[int]
    failed: dict[int, DomainError]


@dataclass(frozen=True, slots=True)
class _Line(QuoteLineRecord):
    """A quote line (its row's columns) with its subscription's number and product."""

    auto_renew_switched_off: bool
    subscription_number: str
    product: str


@dataclass(frozen=True)
class _Quote:
    """A quote as finalized here (what record_statuses and the email read)."""

    id: int
    number: str
    status: QuoteStatus
    customer_id: int
    reseller_id: int | None
    currency: str
    expires_on: date
    type: QuoteType
    priced: PricedQuote

    @property
    def total(self) -> Decimal:
        return self.priced.total

    @property
    def discount_total(self) -> Decimal:
        return self.priced.discount_total


async def finalize_quotes(uow: UnitOfWork, container: Container, quote_ids: list[int]) -> Finalized:
    """Finalizes those of these quotes that are FINALIZING (others are left as they are, as
    finalize_quote leaves them), in this unit of work; the caller commits."""
    today = container.clock.today()
    batch = uow.batches
    rows = [
        q for q in await batch.quotes_for_update(quote_ids) if q.status == QuoteStatus.FINALIZING
    ]
    if not rows:
        return Finalized([], {})
    ids = [q.id for q in rows]
    lines: dict[int, list[_Line]] = defaultdict(list)
    found = await batch.lines_of(ids)
    subs = await batch.products([line.subscription_id for line in found])
    for line in found:
        sub = subs[line.subscription_id]
        lines[line.quote_id].append(
            _Line(**line._mapping, subscription_number=sub.number, product=sub.product)
        )
    conn = await uow.session.connection()
    products = {ln.product for group in lines.values() for ln in group}
    book, promotions = await prices_and_promotions(conn, products, today)
    priced: dict[int, PricedQuote] = {}
    failed: dict[int, DomainError] = {}
    for q in rows:
        try:
            priced[q.id] = _reprice(q, lines[q.id], book, promotions, today)
        except DomainError as e:
            failed[q.id] = e
    rows = [q for q in rows if q.id in priced]
    if not rows:
        return Finalized([], failed)
    ids = [q.id for q in rows]
    await _write_prices(uow, rows, lines, priced)
    customers = await batch.customers(list({q.customer_id for q in rows}))
    for q in rows:
        check_transition(q.status, QuoteStatus.QUOTED)
    if not await batch.move(ids, QuoteStatus.FINALIZING, QuoteStatus.QUOTED):
        raise DomainError.one(ErrorCode.QUOTE_NOT_OPEN, "A quote changed status meanwhile.")
    quoted = [_finalized(q, priced[q.id]) for q in rows]
    await record_statuses(uow, container, quoted, QuoteStatus.FINALIZING, WORKER)
    nonces = await _write_emails(uow, container, quoted, customers, lines)
    await batch.update_by_id(
        m.Quote,
        [
            {
                "id": q.id,
                "subtotal": priced[q.id].subtotal,
                "discount_total": priced[q.id].discount_total,
                "total": priced[q.id].total,
                "address": q.address
                if q.address is not None
                else address_snapshot(customers[q.customer_id]),
                "checkout_nonce": nonces[q.id],
            }
            for q in rows
        ],
    )
    return Finalized(ids, failed)


def _finalized(row: Any, priced: PricedQuote) -> _Quote:
    return _Quote(
        row.id,
        row.number,
        QuoteStatus.QUOTED,
        row.customer_id,
        row.reseller_id,
        row.currency,
        row.expires_on,
        row.type,
        priced,
    )


def _reprice(
    quote: Any,
    lines: list[_Line],
    book: dict[PriceKey, Decimal],
    promotions: list[Promotion],
    today: date,
) -> PricedQuote:
    """R11 at the finalization date, as the single path prices (finalization.repricing)."""
    requests = repricing(quote.type, quote.currency, lines)
    return price_quote(requests, book, promotions, today)


async def _write_prices(
    uow: UnitOfWork,
    rows: list[Any],
    lines: dict[int, list[_Line]],
    priced: dict[int, PricedQuote],
) -> None:
    """Line prices that changed since creation, and every quote's promotions anew."""
    changed = []
    for q in rows:
        for line, p in zip(lines[q.id], priced[q.id].lines, strict=True):
            now = (p.unit_price, p.subtotal, p.discount, p.total)
            if now != (line.unit_price, line.subtotal, line.discount, line.total):
                changed.append(
                    {
                        "id": line.id,
                        "unit_price": p.unit_price,
                        "subtotal": p.subtotal,
                        "discount": p.discount,
                        "total": p.total,
                    }
                )
    await uow.batches.update_by_id(m.QuoteLine, changed)
    await uow.batches.drop_promotions([q.id for q in rows])
    await uow.batches.insert(
        m.QuotePromotion,
        [
            {"quote_id": q.id, "code": x.code, "description": x.description, "discount": x.discount}
            for q in rows
            for x in priced[q.id].promotions
        ],
    )


async def _write_emails(
    uow: UnitOfWork,
    container: Container,
    quotes: list[_Quote],
    customers: dict[int, Any],
    lines: dict[int, list[_Line]],
) -> dict[int, str]:
    """R13, as worker._write_emails: one email per recipient with number, expiry, total and a
    checkout link (a new nonce per quote), the PDF's name beside it; the nonces by quote id."""
    to: dict[int, list[str]] = defaultdict(list)
    for quote_id, email in await uow.batches.recipients_of([q.id for q in quotes]):
        to[quote_id].append(email)
    now = container.clock.now()
    nonces: dict[int, str] = {}
    rows: list[dict[str, Any]] = []
    for q in quotes:
        nonces[q.id] = new_nonce()
        totals = [p.total for p in q.priced.lines]
        name = customers[q.customer_id].name
        subject, body = quote_message(container, q, nonces[q.id], name, lines[q.id], totals)
        rows += [
            {
                "quote_id": q.id,
                "order_id": None,
                "to_address": address,
                "subject": subject[:300],
                "body": body,
                "status": m.EmailStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "attachment_name": emailed_pdf_name(q.number),
                "attachment": None,
            }
            for address in to[q.id]
        ]
    await uow.batches.insert(m.Email, rows)
    return nonces
