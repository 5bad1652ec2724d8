"""Which subscriptions may be renewed by quote now (R01, R10) and how they group (R04, R08, R09)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from renewals.domain.enums import ErrorCode, OfferingType, PaymentMethod
from renewals.domain.values import PriceKey, SubscriptionFacts
from renewals.domain.windows import renewal_window

ELIGIBLE_OFFERINGS = frozenset({OfferingType.STANDARD})


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


def renewal_groups(
    subs: Iterable[SubscriptionFacts], is_eligible: Callable[[SubscriptionFacts], bool]
) -> dict[GroupKey, list[SubscriptionFacts]]:
    """Eligible subscriptions grouped (R04); only non-empty groups, in a stable order."""
    groups: dict[GroupKey, list[SubscriptionFacts]] = {}
    for sub in sorted(subs, key=lambda s: (s.end_date, s.number)):
        if is_eligible(sub):
            groups.setdefault(group_key(sub), []).append(sub)
    return dict(sorted(groups.items(), key=lambda kv: kv[0].text))
