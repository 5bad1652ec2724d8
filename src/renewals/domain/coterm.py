"""R06 renewal date alignment: what a co-term request may ask for; plan_co_term checks every
rule at once and returns the lines, each from the day after its end date to the aligned date."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from renewals.domain.eligibility import eligibility_reasons, why_not
from renewals.domain.enums import ErrorCode, QuoteOrigin, Term
from renewals.domain.errors import DomainError, Problem
from renewals.domain.pricing import LineRequest, unpriced
from renewals.domain.prorata import ProRata, co_term_pro_rata
from renewals.domain.quotes import Recipient, mix_problems, recipient_problems
from renewals.domain.values import PriceKey, SubscriptionFacts
from renewals.domain.windows import natural_start, next_term

# The window of R01 is for renewals: a co-term extends an active term whenever it is asked for.
NOT_FOR_CO_TERM = frozenset({ErrorCode.OUTSIDE_RENEWAL_WINDOW})


@dataclass(frozen=True, slots=True)
class CoTermRequest:
    """Ids already resolved to visible subscriptions; the aligned date is `align_to` or the end
    date of `anchor` (`anchor_requested` with no anchor: the id found nothing)."""

    subscriptions: Sequence[SubscriptionFacts]
    align_to: date | None = None
    anchor_requested: bool = False
    anchor: SubscriptionFacts | None = None
    recipients: Sequence[Recipient] = ()


@dataclass(frozen=True, slots=True)
class CoTermLine:
    """A subscription's extension to the aligned date: same seats and term, priced pro rata."""

    subscription: SubscriptionFacts
    start_date: date
    end_date: date
    pro_rata: ProRata

    @property
    def seats(self) -> int:
        return self.subscription.seats

    @property
    def term(self) -> Term:
        return self.subscription.term

    def line_request(self) -> LineRequest:
        sub = self.subscription
        return LineRequest(sub.id, sub.product, sub.term, sub.currency, sub.seats, self.pro_rata)


def plan_co_term(
    request: CoTermRequest,
    today: date,
    *,
    origin: QuoteOrigin,
    open_quote_subscription_ids: frozenset[int],
    customer_emails: frozenset[str] = frozenset(),
    buyer_emails: frozenset[str] = frozenset(),
    price_available: Callable[[PriceKey], bool] = lambda key: True,
    problems: list[Problem] | None = None,
) -> list[CoTermLine]:
    """Checks every rule at once; returns the lines or raises DomainError listing every problem."""
    problems = list(problems or [])
    subs = list(request.subscriptions)
    aligned = _aligned_date(request, problems)
    if not subs and not problems:
        problems.append(
            Problem(ErrorCode.EMPTY_SELECTION, "Select at least one subscription.", ("selection",))
        )
    for index, sub in enumerate(subs):
        reasons = eligibility_reasons(
            sub, today, on_open_quote=sub.id in open_quote_subscription_ids, has_price=True
        )
        problems += [
            Problem(code, why_not(code, sub), ("subscription", index))
            for code in reasons
            if code not in NOT_FOR_CO_TERM
        ]
        problems += _term_problems(sub, index, today, aligned)
    problems += mix_problems(subs)
    problems += unpriced([PriceKey(s.product, s.term, s.currency) for s in subs], price_available)
    problems += recipient_problems(request.recipients, origin, customer_emails, buyer_emails)
    if problems:
        raise DomainError(problems)
    assert aligned is not None  # no problem: the alignment was given and found
    return [
        CoTermLine(
            s,
            natural_start(s.end_date),
            aligned,
            co_term_pro_rata(natural_start(s.end_date), aligned, s.term),
        )
        for s in subs
    ]


def _aligned_date(request: CoTermRequest, problems: list[Problem]) -> date | None:
    """The common end date: `align_to`, or the anchor's end date (exactly one is given)."""
    if (request.align_to is None) == (not request.anchor_requested):
        problems.append(
            Problem(
                ErrorCode.INVALID_INPUT,
                "Give exactly one of alignTo and alignToSubscriptionId.",
                ("align_to",),
            )
        )
        return None
    anchor = request.anchor
    if anchor is None:
        return request.align_to  # None when the anchor's id found nothing (already a problem)
    if any(s.id == anchor.id for s in request.subscriptions):
        problems.append(
            Problem(
                ErrorCode.INVALID_INPUT,
                f"{anchor.number} is the anchor: the others move to its end date, it does not "
                "move itself.",
                ("anchor",),
            )
        )
    customers = {s.customer_csn for s in request.subscriptions}
    if customers and customers != {anchor.customer_csn}:
        problems.append(
            Problem(
                ErrorCode.MIXED_CUSTOMERS,
                f"{anchor.number} belongs to another customer; align to a subscription of the "
                "same customer (R09).",
                ("anchor",),
            )
        )
    return anchor.end_date


def _term_problems(
    sub: SubscriptionFacts, index: int, today: date, aligned: date | None
) -> list[Problem]:
    """R06: an active, non-monthly subscription, the aligned date after its end date and less
    than one term after it."""
    here = ("subscription", index)
    if today > sub.end_date:
        message = f"{sub.number} ended on {sub.end_date}; only an active subscription is co-termed."
        return [Problem(ErrorCode.INVALID_ALIGNMENT_DATE, message, here)]
    if sub.term == Term.MONTHLY:
        message = f"{sub.number} has a monthly term, which is not co-termed (R06)."
        return [Problem(ErrorCode.INVALID_ALIGNMENT_DATE, message, here)]
    if aligned is None:
        return []
    if aligned <= sub.end_date:
        message = (
            f"{sub.number} ends on {sub.end_date}; the aligned date ({aligned}) must be after it."
        )
        return [Problem(ErrorCode.INVALID_ALIGNMENT_DATE, message, ("alignment",))]
    latest = next_term(sub.end_date, sub.term)[1] - timedelta(days=1)
    if aligned > latest:
        message = (
            f"{sub.number} ends on {sub.end_date}; the aligned date ({aligned}) must be less "
            f"than one term after it, at the latest {latest}."
        )
        return [Problem(ErrorCode.INVALID_ALIGNMENT_DATE, message, ("alignment",))]
    return []
