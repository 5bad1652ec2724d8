"""R11 pricing: price list × seats (pro rata for a co-term, R06), every matching promotion,
half-up to cents per line."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from renewals.domain.enums import ErrorCode, Term
from renewals.domain.errors import DomainError, Problem
from renewals.domain.prorata import ProRata
from renewals.domain.values import PriceKey, Promotion

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_cents(amount: Decimal) -> Decimal:
    """The stated rounding rule: half-up to cents."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class LineRequest:
    subscription_id: int
    product: str
    term: Term
    currency: str
    seats: int
    pro_rata: ProRata | None = None  # a co-term line covers part of a term (R06)


@dataclass(frozen=True, slots=True)
class LineDiscount:
    code: str
    description: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PricedLine:
    subscription_id: int
    unit_price: Decimal
    seats: int
    subtotal: Decimal
    discounts: tuple[LineDiscount, ...]

    @property
    def discount(self) -> Decimal:
        return sum((d.amount for d in self.discounts), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount


@dataclass(frozen=True, slots=True)
class AppliedPromotion:
    code: str
    description: str
    discount: Decimal


@dataclass(frozen=True, slots=True)
class PricedQuote:
    lines: tuple[PricedLine, ...]
    promotions: tuple[AppliedPromotion, ...]

    @property
    def subtotal(self) -> Decimal:
        return sum((line.subtotal for line in self.lines), Decimal("0.00"))

    @property
    def discount_total(self) -> Decimal:
        return sum((line.discount for line in self.lines), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount_total


def price_line(
    line: LineRequest, unit_price: Decimal, promotions: Sequence[Promotion], on: date
) -> PricedLine:
    """One line: unit price × seats (× days ÷ term days for a co-term), rounded once; each
    matching promotion takes its percentage of the line subtotal."""
    full_term = unit_price * line.seats
    subtotal = to_cents(line.pro_rata.of(full_term) if line.pro_rata else full_term)
    discounts: list[LineDiscount] = []
    remaining = subtotal  # stacked promotions never take more than the line's subtotal
    for p in promotions:
        if p.applies_to(line.product, line.term, on):
            amount = min(to_cents(subtotal * p.percent_off / HUNDRED), remaining)
            remaining -= amount
            discounts.append(LineDiscount(p.code, p.description, amount))
    return PricedLine(line.subscription_id, unit_price, line.seats, subtotal, tuple(discounts))


def unpriced(keys: Sequence[PriceKey], has_price: Callable[[PriceKey], bool]) -> list[Problem]:
    """R11: a quote line needs a price for its product, term and currency; PRICE_UNAVAILABLE
    names each line (by its place in the selection) that has none."""
    return [
        Problem(
            ErrorCode.PRICE_UNAVAILABLE,
            f"No price for {key.product} ({key.term.value}, {key.currency}).",
            ("subscription", index),
        )
        for index, key in enumerate(keys)
        if not has_price(key)
    ]


def price_quote(
    lines: Sequence[LineRequest],
    price_book: Mapping[PriceKey, Decimal],
    promotions: Sequence[Promotion],
    on: date,
) -> PricedQuote:
    """Prices every line or raises PRICE_UNAVAILABLE naming each line without a price."""
    missing = unpriced(
        [PriceKey(line.product, line.term, line.currency) for line in lines],
        lambda key: key in price_book,
    )
    if missing:
        raise DomainError(missing)
    priced = tuple(
        price_line(
            line, price_book[PriceKey(line.product, line.term, line.currency)], promotions, on
        )
        for line in lines
    )
    applied: dict[str, AppliedPromotion] = {}
    for line in priced:
        for d in line.discounts:
            previous = applied.get(d.code)
            amount = d.amount + (previous.discount if previous else Decimal("0.00"))
            applied[d.code] = AppliedPromotion(d.code, d.description, amount)
    return PricedQuote(priced, tuple(applied.values()))
