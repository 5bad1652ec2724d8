"""Quotes: lines, promotions, recipients, status history, and pages of quotes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry import Info, Private

from renewals.api.core.context import ctx
from renewals.api.core.enums import PaymentMethod, QuoteOrigin, QuoteStatus, QuoteType, Term
from renewals.api.core.ids import to_global_id
from renewals.api.core.pagination import Connection
from renewals.api.core.prefetch import resolved
from renewals.api.core.types import Money, Node, utc
from renewals.api.customers.types import Address, Customer, Partner, customer_of, partner_of
from renewals.api.orders.types import Order
from renewals.api.subscriptions.types import Subscription
from renewals.domain.enums import QuoteStatus as DomainQuoteStatus
from renewals.domain.lifecycle import effective_status
from renewals.persistence.records import QuoteLineRecord, QuoteRecord, StatusChangeRecord
from renewals.services.quote_document import quote_pdf_url


@strawberry.type(description="One subscription on a quote, priced for its next term.")
class QuoteLine:
    record: Private[QuoteLineRecord]
    currency: Private[str]
    seats: int = strawberry.field(description="Seats for the next term.")
    term: Term = strawberry.field(description="The next term's length.")
    start_date: date = strawberry.field(description="Day after the current end date.")
    end_date: date = strawberry.field(
        description="End of the next term; for CO_TERM, the aligned date."
    )

    @strawberry.field(description="The subscription this line renews.")
    def subscription(self, info: Info) -> Subscription:
        context = ctx(info)
        today = context.today
        return resolved(
            context.loaders.subscription_by_id,
            self.record.subscription_id,
            lambda r: Subscription.of(r, today),
        )

    @strawberry.field(description="Price-list unit price for product, term and currency.")
    def unit_price(self) -> Money:
        return Money(amount=self.record.unit_price, currency=self.currency)

    @strawberry.field(description="Unit price × seats; for CO_TERM pro rata (R06).")
    def subtotal(self) -> Money:
        return Money(amount=self.record.subtotal, currency=self.currency)

    @strawberry.field(description="Promotions' discount on this line (R11).")
    def discount(self) -> Money:
        return Money(amount=self.record.discount, currency=self.currency)

    @strawberry.field(description="Subtotal minus discount.")
    def total(self) -> Money:
        return Money(amount=self.record.total, currency=self.currency)


@strawberry.type(description="A promotion applied to a quote (R11).")
class AppliedPromotion:
    code: str = strawberry.field(description="The promotion code.")
    description: str = strawberry.field(description="What the promotion gives.")
    discount: Money = strawberry.field(description="Its discount over the whole quote.")


@strawberry.type(description="Someone the quote email goes to.")
class QuoteRecipient:
    email: str = strawberry.field(description="Email address.")
    name: str | None = strawberry.field(description="Name, if given.")


@strawberry.type(description="One change of a quote's status.")
class QuoteStatusChange:
    status: QuoteStatus = strawberry.field(description="The new status.")
    previous_status: QuoteStatus | None = strawberry.field(
        description="The status before; null first."
    )
    occurred_at: datetime = strawberry.field(description="When it changed (UTC).")
    actor: str = strawberry.field(description="Who or what changed it (user, worker, job).")
    reason: str | None = strawberry.field(description="Why, where one was given.")

    @classmethod
    def of(cls, r: StatusChangeRecord) -> QuoteStatusChange:
        return cls(
            status=r.status,
            previous_status=r.previous_status,
            occurred_at=utc(r.occurred_at),
            actor=r.actor,
            reason=r.reason,
        )


@strawberry.type(
    description="An offer to renew subscriptions, with a number, lines, total and expiry."
)
class Quote(Node):
    record: Private[QuoteRecord]
    number: str = strawberry.field(description="The quote number.")
    type: QuoteType = strawberry.field(
        description="RENEWAL or CO_TERM: one type per quote (R06, R07)."
    )
    origin: QuoteOrigin = strawberry.field(description="Who created it.")
    status: QuoteStatus = strawberry.field(description="Where it stands.")
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    payment_method: PaymentMethod = strawberry.field(description="How it will be paid.")
    subtotal: Money = strawberry.field(description="Sum of line subtotals.")
    discount_total: Money = strawberry.field(description="Sum of promotion discounts (R11).")
    total: Money = strawberry.field(description="Subtotal minus discounts.")
    expires_on: date = strawberry.field(description="Last day it can be bought.")
    created_at: datetime = strawberry.field(description="When it was requested (UTC).")

    @classmethod
    def of(cls, r: QuoteRecord | None, today: date) -> Quote | None:
        """The quote of a record a loader may not have found."""
        return None if r is None else cls.shape(r, today)

    @classmethod
    def shape(cls, r: QuoteRecord, today: date) -> Quote:
        """As it reads on the business date `today`: EXPIRED from the day after `expiresOn`,
        whether or not the expiry job has written it yet."""
        money = lambda amount: Money(amount=amount, currency=r.currency)  # noqa: E731
        return cls(
            record=r,
            id=strawberry.ID(to_global_id("Quote", r.id)),
            number=r.number,
            type=r.type,
            origin=r.origin,
            status=effective_status(r.status, r.expires_on, today),
            currency=r.currency,
            payment_method=r.payment_method,
            subtotal=money(r.subtotal),
            discount_total=money(r.discount_total),
            total=money(r.total),
            expires_on=r.expires_on,
            created_at=utc(r.created_at),
        )

    @strawberry.field(description="The customer the quote is for.")
    def customer(self, info: Info) -> Customer:
        return customer_of(info, self.record.customer_id)

    @strawberry.field(description="The reseller of record, if any (R08).")
    def reseller(self, info: Info) -> Partner | None:
        return partner_of(info, self.record.reseller_id)

    @strawberry.field(
        description="The address the quote was sent with (R10: it never changes after)."
    )
    def address(self, info: Info) -> Address:
        snapshot: dict[str, Any] | None = self.record.address
        if snapshot is None:
            return resolved(
                ctx(info).loaders.customer_by_id,
                self.record.customer_id,
                Address.of,
            )
        return Address(**snapshot)

    @strawberry.field(
        description="The URL of the quote as a PDF (GET with the bearer token; the same "
        "visibility as `quote(number:)`; without the checkout link, which only the emailed copy "
        "has). Given for every quote: while FINALIZING its prices are provisional and it shows "
        "the customer's current address, and the PDF says so."
    )
    def pdf_url(self, info: Info) -> str | None:
        return quote_pdf_url(ctx(info).container.settings.public_url, self.record.number)

    @strawberry.field(description="One line per subscription.")
    def lines(self, info: Info) -> list[QuoteLine]:
        currency = self.record.currency
        return resolved(
            ctx(info).loaders.lines_by_quote_id,
            self.record.id,
            lambda rows: [
                QuoteLine(
                    record=r,
                    currency=currency,
                    seats=r.seats,
                    term=r.term,
                    start_date=r.start_date,
                    end_date=r.end_date,
                )
                for r in rows
            ],
        )

    @strawberry.field(description="Every promotion applied, with its discount (R11).")
    def promotions(self, info: Info) -> list[AppliedPromotion]:
        currency = self.record.currency
        return resolved(
            ctx(info).loaders.promotions_by_quote_id,
            self.record.id,
            lambda rows: [
                AppliedPromotion(
                    code=p.code,
                    description=p.description,
                    discount=Money(amount=p.discount, currency=currency),
                )
                for p in rows
            ],
        )

    @strawberry.field(description="Everyone the quote email goes to.")
    def recipients(self, info: Info) -> list[QuoteRecipient]:
        return resolved(
            ctx(info).loaders.recipients_by_quote_id,
            self.record.id,
            lambda rows: [QuoteRecipient(email=r.email, name=r.name) for r in rows],
        )

    @strawberry.field(description="Every status change, oldest first, with time and actor.")
    def status_history(self, info: Info) -> list[QuoteStatusChange]:
        return resolved(
            ctx(info).loaders.history_by_quote_id,
            self.record.id,
            lambda rows: [QuoteStatusChange.of(r) for r in rows],
        )

    @strawberry.field(description="The quote this one revises (reviseQuote), if any.")
    def revision_of(self, info: Info) -> Quote | None:
        return self._related(info, self.record.revision_of_id)

    @strawberry.field(
        description="The revision that replaced this quote (it is then CANCELLED with reason "
        "QUOTE_REVISED), if any."
    )
    def revised_by(self, info: Info) -> Quote | None:
        return self._related(info, self.record.revised_by_id)

    def _related(self, info: Info, quote_id: int | None) -> Any:
        if quote_id is None:
            return None
        context = ctx(info)

        async def visible() -> Quote | None:
            record = await context.loaders.quote_by_id.load(quote_id)
            if record is None or not await context.can_see(record):
                return None
            return Quote.shape(record, context.today)

        return visible()

    @strawberry.field(description="The order, once the quote was accepted.")
    def order(self, info: Info) -> Order | None:
        return resolved(ctx(info).loaders.order_by_quote_id, self.record.id, Order.of)

    @strawberry.field(description="Why it FAILED, if it did.")
    def failure_reason(self) -> str | None:
        return self.record.failure_reason

    @strawberry.field(description="Whether it is open (FINALIZING or QUOTED).")
    def is_open(self) -> bool:
        return DomainQuoteStatus(self.status.value).is_open


@strawberry.type(description="A page of quotes, newest first (Relay cursor connection).")
class QuoteConnection(Connection[Quote]):
    pass


@strawberry.input(description="Narrows `quotes`; all given conditions must hold.")
class QuoteFilter:
    customer_csn: str | None = strawberry.field(default=None, description="Only this customer's.")
    statuses: list[QuoteStatus] | None = strawberry.field(
        default=None, description="Only quotes in one of these statuses."
    )
    open: bool | None = strawberry.field(
        default=None, description="True: only open quotes (FINALIZING or QUOTED) (R14)."
    )
