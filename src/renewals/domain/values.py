"""Plain values the rules take and return; no framework types."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from renewals.domain.enums import OfferingType, PaymentMethod, Term


@dataclass(frozen=True, slots=True)
class SubscriptionFacts:
    """What the rules need to know of a subscription."""

    id: int
    number: str
    customer_csn: str
    reseller_csn: str | None
    product: str
    offering_type: OfferingType
    term: Term
    seats: int
    currency: str
    payment_method: PaymentMethod
    start_date: date
    end_date: date
    auto_renew: bool


@dataclass(frozen=True, slots=True)
class PriceKey:
    product: str
    term: Term
    currency: str


@dataclass(frozen=True, slots=True)
class Promotion:
    code: str
    description: str
    percent_off: Decimal
    products: frozenset[str]
    terms: frozenset[Term]
    valid_from: date
    valid_to: date

    def applies_to(self, product: str, term: Term, on: date) -> bool:
        """R11: a promotion matches by product, term and the pricing date."""
        return (
            product in self.products
            and term in self.terms
            and self.valid_from <= on <= self.valid_to
        )
