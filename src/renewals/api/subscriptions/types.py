"""Subscriptions: the licence contracts, their renewal window and eligibility, and pages of them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import Info, Private

from renewals.api.core.context import ctx
from renewals.api.core.enums import (
    OfferingType,
    PaymentMethod,
    SubscriptionStatus,
    Term,
    UserErrorCode,
)
from renewals.api.core.ids import to_global_id
from renewals.api.core.pagination import Connection
from renewals.api.core.prefetch import resolved
from renewals.api.core.types import Node, lazy_class
from renewals.api.customers.types import Customer, Partner, customer_of, partner_of
from renewals.domain.eligibility import eligibility_reasons, price_key
from renewals.domain.windows import renewal_window, subscription_status
from renewals.persistence.records import SubscriptionRecord

if TYPE_CHECKING:
    from renewals.api.orders.types import Order
    from renewals.api.quotes.types import Quote

QuoteRef = Annotated["Quote", strawberry.lazy("renewals.api.quotes.types")]
OrderRef = Annotated["Order", strawberry.lazy("renewals.api.orders.types")]


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


def _customer(root: Subscription, info: Info) -> Customer:
    return customer_of(info, root.record.customer_id)


def _reseller(root: Subscription, info: Info) -> Partner | None:
    return partner_of(info, root.record.reseller_id)


# customer and reseller are resolvers given by name (not methods), so that the plain fields
# around them keep their places in the SDL: a method's field comes after every annotated one.
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
    status: SubscriptionStatus = strawberry.field(
        description="ACTIVE until the end date, EXPIRED after it."
    )
    customer: Customer = strawberry.field(
        resolver=_customer,
        description="The customer that owns the subscription.",
    )
    reseller: Partner | None = strawberry.field(
        resolver=_reseller,
        description="The reseller of record, if any.",
    )
    renewal_window: RenewalWindow = strawberry.field(
        description="When it can be renewed by quote (R01)."
    )

    @classmethod
    def of(cls, r: SubscriptionRecord, today: date) -> Subscription:
        """As it reads on the business date `today`: its status and renewal window are plain
        values (pure functions of the record and the date); relations stay lazy."""
        window = renewal_window(r.end_date)
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
            status=SubscriptionStatus(subscription_status(r.end_date, today).value),
            renewal_window=RenewalWindow(
                opens_on=window.opens_on,
                closes_on=window.closes_on,
                is_open=window.is_open(today),
            ),
        )

    @strawberry.field(description="Whether it can go on a renewal quote today, with every reason.")
    def renewal_eligibility(self, info: Info) -> Eligibility:
        today, record = ctx(info).today, self.record

        def shape(price: Any) -> Eligibility:
            reasons = eligibility_reasons(
                record,
                today,
                on_open_quote=record.on_open_quote(today),
                has_price=price is not None,
            )
            return Eligibility(eligible=not reasons, reasons=reasons)

        return resolved(ctx(info).loaders.price_by_key, price_key(record), shape)

    @strawberry.field(description="The open (FINALIZING or QUOTED) quote it is on, if any.")
    def open_quote(self, info: Info) -> QuoteRef | None:
        context = ctx(info)
        if not self.record.on_open_quote(context.today):  # none, or a stale claim (expired)
            return None
        quote_type, today = lazy_class(QuoteRef), context.today
        return resolved(
            context.loaders.quote_by_id,
            self.record.open_quote_id,
            lambda r: quote_type.of(r, today),
        )

    @strawberry.field(
        description="The orders that renewed it (accepted quotes and automatic renewals), "
        "newest first; only those you may see."
    )
    async def orders(self, info: Info) -> list[OrderRef]:
        context = ctx(info)
        ids = await context.loaders.order_ids_by_subscription_id.load(self.record.id)
        records = await context.loaders.order_by_id.load_many(ids)
        order_type = lazy_class(OrderRef)
        return [order_type.shape(r) for r in records if r and await context.can_see(r)]


@strawberry.type(description="A page of subscriptions (Relay cursor connection).")
class SubscriptionConnection(Connection[Subscription]):
    pass


@strawberry.input(description="Narrows `subscriptions`; all given conditions must hold.")
class SubscriptionFilter:
    customer_csn: str | None = strawberry.field(default=None, description="Only this customer's.")
    reseller_csn: str | None = strawberry.field(default=None, description="Only this reseller's.")
    renewal_window_open: bool | None = strawberry.field(
        default=None, description="True: only those whose renewal window is open today (R01)."
    )
    end_date_from: date | None = strawberry.field(default=None, description="End date on or after.")
    end_date_to: date | None = strawberry.field(default=None, description="End date on or before.")
    numbers: list[str] | None = strawberry.field(default=None, description="Only these numbers.")
    auto_renew: bool | None = strawberry.field(
        default=None, description="Only with auto-renew on/off."
    )
