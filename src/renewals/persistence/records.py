"""Read-side records: plain, immutable rows the API layer shapes into GraphQL types."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from renewals.domain.enums import (
    ContactRole,
    OrderOrigin,
    OrderStatus,
    PaymentMethod,
    QuoteOrigin,
    QuoteStatus,
    QuoteType,
    Term,
)
from renewals.domain.lifecycle import holds_subscriptions
from renewals.domain.values import SubscriptionFacts


@dataclass(frozen=True, slots=True)
class PartnerRecord:
    id: int
    csn: str
    name: str


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    id: int
    csn: str
    name: str
    address_line1: str
    address_line2: str | None
    city: str
    postal_code: str
    country: str


@dataclass(frozen=True, slots=True)
class ContactRecord:
    id: int
    customer_id: int
    email: str
    name: str | None
    role: ContactRole


@dataclass(frozen=True, slots=True)
class SubscriptionRecord(SubscriptionFacts):
    customer_id: int
    reseller_id: int | None
    open_quote_id: int | None  # the claim as written; `on_open_quote` says whether it still holds
    open_quote_status: QuoteStatus | None
    open_quote_expires_on: date | None

    def on_open_quote(self, today: date) -> bool:
        """On a quote that still holds it today: a claim by a quote past `expiresOn` is stale
        (the quote reads as EXPIRED before the expiry job writes it)."""
        if self.open_quote_id is None or self.open_quote_status is None:
            return False
        assert self.open_quote_expires_on is not None  # joined with the status
        return holds_subscriptions(self.open_quote_status, self.open_quote_expires_on, today)


@dataclass(frozen=True, slots=True)
class QuoteRecord:
    id: int
    number: str
    type: QuoteType
    origin: QuoteOrigin
    status: QuoteStatus
    customer_id: int
    reseller_id: int | None
    currency: str
    payment_method: PaymentMethod
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    created_on: date
    expires_on: date
    created_at: datetime
    address: dict[str, Any] | None
    failure_reason: str | None
    revision_of_id: int | None
    revised_by_id: int | None


@dataclass(frozen=True, slots=True)
class QuoteLineRecord:
    id: int
    quote_id: int
    subscription_id: int
    position: int
    seats: int
    term: Term
    start_date: date
    end_date: date
    unit_price: Decimal
    subtotal: Decimal
    discount: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class QuotePromotionRecord:
    quote_id: int
    code: str
    description: str
    discount: Decimal


@dataclass(frozen=True, slots=True)
class RecipientRecord:
    quote_id: int
    email: str
    name: str | None


@dataclass(frozen=True, slots=True)
class StatusChangeRecord:
    id: int
    quote_id: int
    status: QuoteStatus
    previous_status: QuoteStatus | None
    occurred_at: datetime
    actor: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class OrderRecord:
    id: int
    number: str
    origin: OrderOrigin
    status: OrderStatus
    quote_id: int | None
    customer_id: int
    reseller_id: int | None
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    currency: str
    payment_method: PaymentMethod
    payment_reference: str | None
    failure_reason: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OrderLineRecord:
    id: int
    order_id: int
    subscription_id: int
    position: int
    seats: int
    term: Term
    start_date: date
    end_date: date
    unit_price: Decimal
    subtotal: Decimal
    discount: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class OrderStatusChangeRecord:
    id: int
    order_id: int
    status: OrderStatus
    previous_status: OrderStatus | None
    occurred_at: datetime
    actor: str
    reason: str | None
