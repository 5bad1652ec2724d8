"""Orders: an accepted quote (QUOTE) or an automatic renewal (AUTO_RENEWAL), and pages of them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info, Private

from renewals.api.core.context import ctx
from renewals.api.core.enums import OrderOrigin, OrderStatus, PaymentMethod, Term
from renewals.api.core.ids import to_global_id
from renewals.api.core.pagination import Connection
from renewals.api.core.prefetch import resolved
from renewals.api.core.types import Money, Node, lazy_class, utc
from renewals.api.customers.types import Customer, customer_of
from renewals.persistence.records import OrderLineRecord, OrderRecord, OrderStatusChangeRecord

if TYPE_CHECKING:
    from renewals.api.quotes.types import Quote
    from renewals.api.subscriptions.types import Subscription

QuoteRef = Annotated["Quote", strawberry.lazy("renewals.api.quotes.types")]
SubscriptionRef = Annotated["Subscription", strawberry.lazy("renewals.api.subscriptions.types")]


@strawberry.type(description="One subscription an order renews: its new term, seats and price.")
class OrderLine:
    record: Private[OrderLineRecord]
    currency: Private[str]
    seats: int = strawberry.field(description="Seats for the ordered term.")
    term: Term = strawberry.field(description="The ordered term's length.")
    start_date: date = strawberry.field(description="First day of the ordered term.")
    end_date: date = strawberry.field(description="Last day of the ordered term.")

    @classmethod
    def of(cls, r: OrderLineRecord, currency: str) -> OrderLine:
        return cls(
            record=r,
            currency=currency,
            seats=r.seats,
            term=r.term,
            start_date=r.start_date,
            end_date=r.end_date,
        )

    @strawberry.field(description="The subscription this line renews.")
    def subscription(self, info: Info) -> SubscriptionRef:
        context, subscription = ctx(info), lazy_class(SubscriptionRef)
        today = context.today
        return resolved(
            context.loaders.subscription_by_id,
            self.record.subscription_id,
            lambda r: subscription.of(r, today),
        )

    @strawberry.field(description="Price-list unit price on the day the order was placed.")
    def unit_price(self) -> Money:
        return Money(amount=self.record.unit_price, currency=self.currency)

    @strawberry.field(description="Unit price × seats; for a co-term pro rata (R06).")
    def subtotal(self) -> Money:
        return Money(amount=self.record.subtotal, currency=self.currency)

    @strawberry.field(description="Promotions' discount on this line (R11).")
    def discount(self) -> Money:
        return Money(amount=self.record.discount, currency=self.currency)

    @strawberry.field(description="Subtotal minus discount.")
    def total(self) -> Money:
        return Money(amount=self.record.total, currency=self.currency)


@strawberry.type(description="One change of an order's status, or one charge attempt's outcome.")
class OrderStatusChange:
    status: OrderStatus = strawberry.field(description="The status after the change.")
    previous_status: OrderStatus | None = strawberry.field(
        description="The status before; null first."
    )
    occurred_at: datetime = strawberry.field(description="When it happened (UTC).")
    actor: str = strawberry.field(description="Who or what changed it (user, worker, job).")
    reason: str | None = strawberry.field(
        description="Why, where there is one (e.g. why a charge was declined)."
    )

    @classmethod
    def of(cls, r: OrderStatusChangeRecord) -> OrderStatusChange:
        return cls(
            status=r.status,
            previous_status=r.previous_status,
            occurred_at=utc(r.occurred_at),
            actor=r.actor,
            reason=r.reason,
        )


@strawberry.type(
    description="An order: an accepted quote (origin QUOTE) or the automatic renewal of one "
    "subscription (origin AUTO_RENEWAL, R02), charged once per subscription and term."
)
class Order(Node):
    record: Private[OrderRecord]
    number: str = strawberry.field(
        description="The order number: O-<year>-<quote> for QUOTE, A-<subscription>-<term start> "
        "for AUTO_RENEWAL."
    )
    origin: OrderOrigin = strawberry.field(description="What made the order.")
    status: OrderStatus = strawberry.field(description="Where it stands.")
    payment_method: PaymentMethod = strawberry.field(description="How it is paid.")
    subtotal: Money = strawberry.field(description="Sum of line subtotals.")
    discount_total: Money = strawberry.field(description="Sum of promotion discounts (R11).")
    total: Money = strawberry.field(description="What is charged: subtotal minus discounts.")
    payment_reference: str | None = strawberry.field(
        description="The payment gateway's reference, once charged."
    )
    failure_reason: str | None = strawberry.field(
        description="Why the last charge was declined or the order failed; null otherwise."
    )
    created_at: datetime = strawberry.field(
        description="When it was placed (UTC): the quote accepted, or the renewal first charged."
    )

    @classmethod
    def of(cls, r: OrderRecord | None) -> Order | None:
        return None if r is None else cls.shape(r)

    @classmethod
    def shape(cls, r: OrderRecord) -> Order:
        money = lambda amount: Money(amount=amount, currency=r.currency)  # noqa: E731
        return cls(
            record=r,
            id=strawberry.ID(to_global_id("Order", r.id)),
            number=r.number,
            origin=r.origin,
            status=r.status,
            payment_method=r.payment_method,
            subtotal=money(r.subtotal),
            discount_total=money(r.discount_total),
            total=money(r.total),
            payment_reference=r.payment_reference,
            failure_reason=r.failure_reason,
            created_at=utc(r.created_at),
        )

    @strawberry.field(description="ISO 4217 currency code.")
    def currency(self) -> str:
        return self.record.currency

    @strawberry.field(description="The accepted quote; null for AUTO_RENEWAL orders.")
    def quote(self, info: Info) -> QuoteRef | None:
        if self.record.quote_id is None:
            return None
        quote_type = lazy_class(QuoteRef)
        return resolved(
            ctx(info).loaders.quote_by_id,
            self.record.quote_id,
            lambda r: quote_type.of(r, ctx(info).today),
        )

    @strawberry.field(description="The customer that placed (or auto-renewed) the order.")
    def customer(self, info: Info) -> Customer:
        return customer_of(info, self.record.customer_id)

    @strawberry.field(description="The order's lines in order: each subscription's new term.")
    async def lines(self, info: Info) -> list[OrderLine]:
        records = await ctx(info).loaders.lines_by_order_id.load(self.record.id)
        return [OrderLine.of(r, self.record.currency) for r in records]

    @strawberry.field(description="The subscriptions the order renews, in line order.")
    async def subscriptions(self, info: Info) -> list[SubscriptionRef]:
        context = ctx(info)
        loaders = context.loaders
        records = await loaders.lines_by_order_id.load(self.record.id)
        subs = await loaders.subscription_by_id.load_many([r.subscription_id for r in records])
        shape = lazy_class(SubscriptionRef).of
        return [shape(s, context.today) for s in subs if s is not None]

    @strawberry.field(description="Every status change and charge attempt, oldest first, with why.")
    async def status_history(self, info: Info) -> list[OrderStatusChange]:
        records = await ctx(info).loaders.history_by_order_id.load(self.record.id)
        return [OrderStatusChange.of(r) for r in records]


@strawberry.type(description="A page of orders, newest first (Relay cursor connection).")
class OrderConnection(Connection[Order]):
    pass


@strawberry.input(description="Narrows `orders`; all given conditions must hold.")
class OrderFilter:
    customer_csn: str | None = strawberry.field(default=None, description="Only this customer's.")
    subscription_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only orders renewing this subscription (its global ID)."
    )
