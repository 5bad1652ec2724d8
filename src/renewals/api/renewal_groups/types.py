"""R04's renewal groups: eligible subscriptions that can go on one quote together."""

from __future__ import annotations

import strawberry
from strawberry import Info, Private

from renewals.api.core.enums import PaymentMethod
from renewals.api.core.types import Money
from renewals.api.customers.types import Customer, Partner, customer_of, partner_of
from renewals.api.subscriptions.types import Subscription


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
