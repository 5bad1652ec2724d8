"""Output types. Relations resolve through the request's DataLoaders; no logic beyond shaping."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry
from strawberry import Info, Private
from strawberry.dataloader import DataLoader

from renewals.domain.eligibility import eligibility_reasons, price_key
from renewals.domain.windows import renewal_window
from renewals.persistence.records import (
    CustomerRecord,
    PartnerRecord,
    SubscriptionRecord,
)
from renewals.resolvers.prefetch import peek
from renewals.schema.enums import (
    ContactRole,
    OfferingType,
    PaymentMethod,
    SubscriptionStatus,
    Term,
    UserErrorCode,
)
from renewals.schema.ids import to_global_id

T = TypeVar("T")

if TYPE_CHECKING:
    from renewals.resolvers.context import Context
    from renewals.schema.quote_types import Quote


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
class Partner(Node):
    csn: str = strawberry.field(description="The partner's CSN.")
    name: str = strawberry.field(description="The partner's name.")

    @classmethod
    def of(cls, r: PartnerRecord | None) -> Partner | None:
        if r is None:
            return None
        return cls(id=strawberry.ID(to_global_id("Partner", r.id)), csn=r.csn, name=r.name)


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
class Customer(Node):
    record: Private[CustomerRecord]
    csn: str = strawberry.field(description="The customer serial number.")
    name: str = strawberry.field(description="The customer's name.")

    @classmethod
    def of(cls, r: CustomerRecord | None) -> Customer | None:
        if r is None:
            return None
        return cls(
            record=r, id=strawberry.ID(to_global_id("Customer", r.id)), csn=r.csn, name=r.name
        )

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
    def open_quote(
        self, info: Info
    ) -> Annotated[Quote, strawberry.lazy("renewals.schema.quote_types")] | None:
        from renewals.schema.quote_types import Quote  # the types refer to each other

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
