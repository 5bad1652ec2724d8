"""Which subscriptions may be renewed by quote now (R01, R10) and how they group (R04, R08, R09)."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from renewals.domain.enums import ErrorCode, OfferingType, PaymentMethod
from renewals.domain.pricing import LineRequest, price_quote
from renewals.domain.values import PriceKey, Promotion, SubscriptionFacts
from renewals.domain.windows import renewal_window

ELIGIBLE_OFFERINGS = frozenset({OfferingType.STANDARD})
S = TypeVar("S", bound=SubscriptionFacts)


def eligibility_reasons(
    sub: SubscriptionFacts, today: date, *, on_open_quote: bool, has_price: bool
) -> list[ErrorCode]:
    """Every reason the subscription cannot be renewed by quote today; empty when it can."""
    reasons: list[ErrorCode] = []
    if not renewal_window(sub.end_date).is_open(today):
        reasons.append(ErrorCode.OUTSIDE_RENEWAL_WINDOW)
    if sub.offering_type not in ELIGIBLE_OFFERINGS:
        reasons.append(ErrorCode.OFFERING_NOT_ELIGIBLE)  # R10: success plans, flex
    if not has_price:
        reasons.append(ErrorCode.PRICE_UNAVAILABLE)
    if on_open_quote:
        reasons.append(ErrorCode.ALREADY_ON_OPEN_QUOTE)
    return reasons


def why_not(code: ErrorCode, sub: SubscriptionFacts) -> str:
    """The message of an eligibility reason, naming the subscription."""
    if code == ErrorCode.OUTSIDE_RENEWAL_WINDOW:
        return (
            f"{sub.number} can be renewed by quote from 90 days before to 45 days after its end "
            f"date {sub.end_date.isoformat()}."
        )
    if code == ErrorCode.OFFERING_NOT_ELIGIBLE:
        return (
            f"{sub.number} is a {sub.offering_type.value} offering, which cannot be renewed by "
            "quote."
        )
    if code == ErrorCode.ALREADY_ON_OPEN_QUOTE:
        return f"{sub.number} is already on an open quote."
    return f"No price for {sub.product} ({sub.term.value}, {sub.currency})."


def price_key(sub: SubscriptionFacts) -> PriceKey:
    return PriceKey(sub.product, sub.term, sub.currency)


@dataclass(frozen=True, slots=True)
class GroupKey:
    """R04 groups by customer, currency and payment method; R08 adds the reseller of record."""

    customer_csn: str
    currency: str
    payment_method: PaymentMethod
    reseller_csn: str | None

    @property
    def text(self) -> str:
        return ":".join(
            (self.customer_csn, self.currency, self.payment_method.value, self.reseller_csn or "-")
        )


def group_key(sub: SubscriptionFacts) -> GroupKey:
    return GroupKey(sub.customer_csn, sub.currency, sub.payment_method, sub.reseller_csn)


def renewal_groups(subs: Iterable[S], is_eligible: Callable[[S], bool]) -> dict[GroupKey, list[S]]:
    """Eligible subscriptions grouped (R04); only non-empty groups, in a stable order."""
    groups: dict[GroupKey, list[S]] = {}
    for sub in sorted(subs, key=lambda s: (s.end_date, s.number)):
        if is_eligible(sub):
            groups.setdefault(group_key(sub), []).append(sub)
    return dict(sorted(groups.items(), key=lambda kv: kv[0].text))


def eligible_groups(
    candidates: Iterable[S],
    today: date,
    *,
    prices: Mapping[PriceKey, Decimal | None],
    on_open_quote: Callable[[S], bool],
) -> dict[GroupKey, list[S]]:
    """eligibleRenewalGroups: the candidates with no eligibility reason, grouped (R04)."""
    return renewal_groups(
        candidates,
        lambda s: (
            not eligibility_reasons(
                s,
                today,
                on_open_quote=on_open_quote(s),
                has_price=prices.get(price_key(s)) is not None,
            )
        ),
    )


def estimated_total(
    subs: Sequence[SubscriptionFacts],
    prices: Mapping[PriceKey, Decimal | None],
    promotions: Sequence[Promotion],
    today: date,
) -> Decimal:
    """What renewing a group at its current seats and terms costs today, promotions applied."""
    lines = [LineRequest(s.id, s.product, s.term, s.currency, s.seats) for s in subs]
    book = {price_key(s): price for s in subs if (price := prices.get(price_key(s))) is not None}
    return price_quote(lines, book, promotions, today).total
