"""Output types. Relations resolve through the request's DataLoaders; no logic beyond shaping."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import strawberry
from strawberry import Info, Private
from strawberry.dataloader import DataLoader

from renewals.domain.eligibility import eligibility_reasons, price_key
from renewals.domain.windows import renewal_window
from renewals.persistence.records import (
    CustomerRecord,
    OrderRecord,
    PartnerRecord,
    QuoteLineRecord,
    QuoteRecord,
    StatusChangeRecord,
    SubscriptionRecord,
)
from renewals.resolvers.prefetch import peek
from renewals.schema.enums import (
    ContactRole,
    OfferingType,
    PaymentMethod,
    QuoteOrigin,
    QuoteStatus,
    QuoteType,
    SubscriptionStatus,
    Term,
    UserErrorCode,
)
from renewals.schema.ids import to_global_id

T = TypeVar("T")

if TYPE_CHECKING:
    from renewals.resolvers.context import Context


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def ctx(info: Info) -> Context:
    return info.context


def resolved(loader: DataLoader[Any, Any], key: Any, shape: Callable[[Any], T]) -> T | Awaitable[T]:
    """The shaped value at once when the loader holds it (prefetched), else an awaitable."""
    hit, value = peek(loader, key)
    if hit:
        return shape(value)

    async def load() -> T:
        return shape(await loader.load(key))

    return load()


@strawberry.interface(description="An object with a global, opaque ID (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(description="The global ID; opaque to clients.")


@strawberry.type(description="An exact amount of money. `amount` serialises as a string.")
class Money:
    amount: Decimal = strawberry.field(description='The amount, e.g. "1234.50".')
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. EUR.")


@strawberry.type(description="A reseller (partner), identified by its partner CSN.")
class Partner:
    csn: str = strawberry.field(description="The partner's CSN.")
    name: str = strawberry.field(description="The partner's name.")

    @classmethod
    def of(cls, r: PartnerRecord | None) -> Partner | None:
        return None if r is None else cls(csn=r.csn, name=r.name)


@strawberry.type(description="A postal address.")
class Address:
    line1: str = strawberry.field(description="Street and number.")
    line2: str | None = strawberry.field(description="Additional address line.")
    city: str = strawberry.field(description="City.")
    postal_code: str = strawberry.field(description="Postal code.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")


@strawberry.type(description="A person at the customer.")
class Contact:
    email: str = strawberry.field(description="Email address.")
    name: str | None = strawberry.field(description="Full name.")
    role: ContactRole = strawberry.field(description="BUYER receives quotes by email.")


@strawberry.type(description="A customer account, identified by its CSN.")
class Customer:
    record: Private[CustomerRecord]
    csn: str = strawberry.field(description="The customer serial number.")
    name: str = strawberry.field(description="The customer's name.")

    @classmethod
    def of(cls, r: CustomerRecord | None) -> Customer | None:
        return None if r is None else cls(record=r, csn=r.csn, name=r.name)

    @strawberry.field(description="The customer's current address.")
    def address(self) -> Address:
        r = self.record
        return Address(
            line1=r.address_line1,
            line2=r.address_line2,
            city=r.city,
            postal_code=r.postal_code,
            country=r.country,
        )

    @strawberry.field(description="The customer's contacts; buyers receive quotes.")
    def contacts(self, info: Info) -> list[Contact]:
        return resolved(  # type: ignore[return-value]
            ctx(info).loaders.contacts_by_customer_id,
            self.record.id,
            lambda rows: [Contact(email=c.email, name=c.name, role=c.role) for c in rows],
        )


@strawberry.type(description="R01: a subscription can be renewed by quote inside this window.")
class RenewalWindow:
    opens_on: date = strawberry.field(description="90 days before the end date (inclusive).")
    closes_on: date = strawberry.field(description="45 days after the end date (inclusive).")
    is_open: bool = strawberry.field(description="Whether the business date is inside the window.")


@strawberry.type(
    description="Whether a subscription can be put on a renewal quote now, and why not."
)
class Eligibility:
    eligible: bool = strawberry.field(description="True when `reasons` is empty.")
    reasons: list[UserErrorCode] = strawberry.field(
        description="Every reason that applies; empty when eligible."
    )


def customer_of(info: Info, customer_id: int) -> Customer:
    return resolved(ctx(info).loaders.customer_by_id, customer_id, Customer.of)  # type: ignore[return-value]


def partner_of(info: Info, partner_id: int | None) -> Partner | None:
    if partner_id is None:
        return None
    return resolved(ctx(info).loaders.partner_by_id, partner_id, Partner.of)  # type: ignore[return-value]


@strawberry.type(description="A licence contract for one product offering.")
class Subscription(Node):
    record: Private[SubscriptionRecord]
    number: str = strawberry.field(description="The subscription number.")
    product_name: str = strawberry.field(description="The product, e.g. AutoCAD.")
    offering_type: OfferingType = strawberry.field(description="STANDARD, SUCCESS_PLAN or FLEX.")
    seats: int = strawberry.field(description="Number of seats (quantity).")
    term: Term = strawberry.field(description="Length of one term.")
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    payment_method: PaymentMethod = strawberry.field(description="How the customer pays.")
    start_date: date = strawberry.field(description="Start of the current term.")
    end_date: date = strawberry.field(description="End (renewal date) of the current term.")
    auto_renew: bool = strawberry.field(
        description="Whether it renews automatically on its end date."
    )

    @classmethod
    def of(cls, r: SubscriptionRecord) -> Subscription:
        return cls(
            record=r,
            id=strawberry.ID(to_global_id("Subscription", r.id)),
            number=r.number,
            product_name=r.product,
            offering_type=r.offering_type,
            seats=r.seats,
            term=r.term,
            currency=r.currency,
            payment_method=r.payment_method,
            start_date=r.start_date,
            end_date=r.end_date,
            auto_renew=r.auto_renew,
        )

    @strawberry.field(description="ACTIVE until the end date, EXPIRED after it.")
    def status(self, info: Info) -> SubscriptionStatus:
        return "EXPIRED" if ctx(info).today > self.record.end_date else "ACTIVE"  # type: ignore[return-value]

    @strawberry.field(description="The customer that owns the subscription.")
    def customer(self, info: Info) -> Customer:
        return customer_of(info, self.record.customer_id)

    @strawberry.field(description="The reseller of record, if any.")
    def reseller(self, info: Info) -> Partner | None:
        return partner_of(info, self.record.reseller_id)

    @strawberry.field(description="When it can be renewed by quote (R01).")
    def renewal_window(self, info: Info) -> RenewalWindow:
        window = renewal_window(self.record.end_date)
        return RenewalWindow(
            opens_on=window.opens_on,
            closes_on=window.closes_on,
            is_open=window.is_open(ctx(info).today),
        )

    @strawberry.field(description="Whether it can go on a renewal quote today, with every reason.")
    def renewal_eligibility(self, info: Info) -> Eligibility:
        today, record = ctx(info).today, self.record

        def shape(price: Any) -> Eligibility:
            reasons = eligibility_reasons(
                record,
                today,
                on_open_quote=record.open_quote_id is not None,
                has_price=price is not None,
            )
            return Eligibility(eligible=not reasons, reasons=reasons)  # type: ignore[arg-type]

        return resolved(ctx(info).loaders.price_by_key, price_key(record), shape)  # type: ignore[return-value]

    @strawberry.field(description="The open (FINALIZING or QUOTED) quote it is on, if any.")
    def open_quote(self, info: Info) -> Quote | None:
        if self.record.open_quote_id is None:
            return None
        return resolved(ctx(info).loaders.quote_by_id, self.record.open_quote_id, Quote.of)  # type: ignore[return-value]


@strawberry.type(
    description="R04: eligible subscriptions sharing customer, currency, payment method, reseller."
)
class RenewalGroup:
    key: str = strawberry.field(description="Stable key: customer:currency:paymentMethod:reseller.")
    customer_id: Private[int]
    reseller_id: Private[int | None]
    currency: str = strawberry.field(description="The group's currency.")
    payment_method: PaymentMethod = strawberry.field(description="The group's payment method.")
    subscriptions: list[Subscription] = strawberry.field(
        description="The eligible subscriptions of the group, by end date."
    )
    estimated_total: Money = strawberry.field(
        description="Renewing all at current seats and terms, promotions applied (R11)."
    )

    @strawberry.field(description="The group's customer.")
    def customer(self, info: Info) -> Customer:
        return customer_of(info, self.customer_id)

    @strawberry.field(description="The group's reseller of record, if any.")
    def reseller(self, info: Info) -> Partner | None:
        return partner_of(info, self.reseller_id)


@strawberry.type(description="One subscription on a quote, priced for its next term.")
class QuoteLine:
    record: Private[QuoteLineRecord]
    currency: Private[str]
    seats: int = strawberry.field(description="Seats for the next term.")
    term: Term = strawberry.field(description="The next term's length.")
    start_date: date = strawberry.field(description="Day after the current end date.")
    end_date: date = strawberry.field(description="End of the next term.")

    @strawberry.field(description="The subscription this line renews.")
    def subscription(self, info: Info) -> Subscription:
        return resolved(  # type: ignore[return-value]
            ctx(info).loaders.subscription_by_id, self.record.subscription_id, Subscription.of
        )

    @strawberry.field(description="Price-list unit price for product, term and currency.")
    def unit_price(self) -> Money:
        return Money(amount=self.record.unit_price, currency=self.currency)

    @strawberry.field(description="Unit price × seats.")
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
            status=r.status,  # type: ignore[arg-type]
            previous_status=r.previous_status,  # type: ignore[arg-type]
            occurred_at=utc(r.occurred_at),
            actor=r.actor,
            reason=r.reason,
        )


@strawberry.type(description="The order made when a quote was accepted.")
class Order(Node):
    record: Private[OrderRecord]
    number: str = strawberry.field(description="The order number.")
    total: Money = strawberry.field(description="What was charged.")
    payment_reference: str | None = strawberry.field(description="The payment gateway's reference.")
    created_at: datetime = strawberry.field(description="When the quote was accepted (UTC).")

    @classmethod
    def of(cls, r: OrderRecord | None) -> Order | None:
        if r is None:
            return None
        return cls(
            record=r,
            id=strawberry.ID(to_global_id("Order", r.id)),
            number=r.number,
            total=Money(amount=r.total, currency=r.currency),
            payment_reference=r.payment_reference,
            created_at=utc(r.created_at),
        )

    @strawberry.field(description="The accepted quote.")
    def quote(self, info: Info) -> Quote:
        return resolved(ctx(info).loaders.quote_by_id, self.record.quote_id, Quote.of)  # type: ignore[return-value]


@strawberry.type(
    description="An offer to renew subscriptions, with a number, lines, total and expiry."
)
class Quote(Node):
    record: Private[QuoteRecord]
    number: str = strawberry.field(description="The quote number.")
    type: QuoteType = strawberry.field(description="RENEWAL for quotes made here (R06, R07).")
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
    def of(cls, r: QuoteRecord | None) -> Quote | None:
        if r is None:
            return None
        money = lambda amount: Money(amount=amount, currency=r.currency)  # noqa: E731
        return cls(
            record=r,
            id=strawberry.ID(to_global_id("Quote", r.id)),
            number=r.number,
            type=r.type,  # type: ignore[arg-type]
            origin=r.origin,  # type: ignore[arg-type]
            status=r.status,  # type: ignore[arg-type]
            currency=r.currency,
            payment_method=r.payment_method,  # type: ignore[arg-type]
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
            return resolved(  # type: ignore[return-value]
                ctx(info).loaders.customer_by_id,
                self.record.customer_id,
                lambda customer: Customer.of(customer).address(),  # type: ignore[union-attr]
            )
        return Address(**snapshot)

    @strawberry.field(description="One line per subscription.")
    def lines(self, info: Info) -> list[QuoteLine]:
        currency = self.record.currency
        return resolved(  # type: ignore[return-value]
            ctx(info).loaders.lines_by_quote_id,
            self.record.id,
            lambda rows: [
                QuoteLine(
                    record=r,
                    currency=currency,
                    seats=r.seats,
                    term=r.term,  # type: ignore[arg-type]
                    start_date=r.start_date,
                    end_date=r.end_date,
                )
                for r in rows
            ],
        )

    @strawberry.field(description="Every promotion applied, with its discount (R11).")
    def promotions(self, info: Info) -> list[AppliedPromotion]:
        currency = self.record.currency
        return resolved(  # type: ignore[return-value]
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
        return resolved(  # type: ignore[return-value]
            ctx(info).loaders.recipients_by_quote_id,
            self.record.id,
            lambda rows: [QuoteRecipient(email=r.email, name=r.name) for r in rows],
        )

    @strawberry.field(description="Every status change, oldest first, with time and actor.")
    def status_history(self, info: Info) -> list[QuoteStatusChange]:
        return resolved(  # type: ignore[return-value]
            ctx(info).loaders.history_by_quote_id,
            self.record.id,
            lambda rows: [QuoteStatusChange.of(r) for r in rows],
        )

    @strawberry.field(description="The order, once the quote was accepted.")
    def order(self, info: Info) -> Order | None:
        return resolved(ctx(info).loaders.order_by_quote_id, self.record.id, Order.of)  # type: ignore[return-value]

    @strawberry.field(description="Why it FAILED, if it did.")
    def failure_reason(self) -> str | None:
        return self.record.failure_reason

    @strawberry.field(description="Whether it is open (FINALIZING or QUOTED).")
    def is_open(self) -> bool:
        return self.record.status.is_open
