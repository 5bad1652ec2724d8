"""What a renewal request may ask for (R02–R10): plan_renewal checks every rule at once."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from renewals.domain.eligibility import eligibility_reasons, why_not
from renewals.domain.email import is_email_address
from renewals.domain.enums import (
    ErrorCode,
    PaymentMethod,
    QuoteOrigin,
    QuoteType,
    Role,
    Term,
)
from renewals.domain.errors import DomainError, Problem
from renewals.domain.pricing import unpriced
from renewals.domain.values import PriceKey, SubscriptionFacts
from renewals.domain.windows import natural_start

MAX_EXTRA_RECIPIENTS = 4
NEW_CREDIT_LINE_METHODS = frozenset({PaymentMethod.INVOICE})
CURRENCY_CODE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True, slots=True)
class LineChange:
    subscription_id: int
    seats: int | None = None
    term: Term | None = None
    type: QuoteType | None = None


@dataclass(frozen=True, slots=True)
class Recipient:
    email: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class RenewalRequest:
    """A validated-by-shape request: ids already resolved to visible subscriptions."""

    subscriptions: Sequence[SubscriptionFacts]
    changes: Sequence[LineChange] = ()
    recipients: Sequence[Recipient] = ()
    disable_auto_renew: bool = False
    currency: str | None = None
    payment_method: PaymentMethod | None = None
    start_date: date | None = None


@dataclass(frozen=True, slots=True)
class PlannedLine:
    subscription: SubscriptionFacts
    seats: int
    term: Term

    @property
    def price_key(self) -> PriceKey:
        return PriceKey(self.subscription.product, self.term, self.subscription.currency)

    @property
    def changes_subscription(self) -> bool:
        return self.seats != self.subscription.seats or self.term != self.subscription.term


def origin_for(role: Role) -> QuoteOrigin:
    return {
        Role.BUYER: QuoteOrigin.SELF_SERVICE,
        Role.PARTNER: QuoteOrigin.PARTNER,
        Role.SALES: QuoteOrigin.SALES,
    }[role]


def plan_renewal(
    request: RenewalRequest,
    today: date,
    *,
    origin: QuoteOrigin,
    open_quote_subscription_ids: frozenset[int],
    customer_emails: frozenset[str] = frozenset(),
    buyer_emails: frozenset[str] = frozenset(),
    price_available: Callable[[PriceKey], bool] = lambda key: True,
    problems: list[Problem] | None = None,
) -> list[PlannedLine]:
    """Checks every rule at once; returns the lines or raises DomainError listing every problem."""
    problems = list(problems or [])
    subs = list(request.subscriptions)
    if not subs and not problems:
        problems.append(
            Problem(ErrorCode.EMPTY_SELECTION, "Select at least one subscription.", ("selection",))
        )
    for index, sub in enumerate(subs):
        # The same rules as Subscription.renewalEligibility; the price is checked per planned
        # line below, since a change may ask for another term.
        reasons = eligibility_reasons(
            sub, today, on_open_quote=sub.id in open_quote_subscription_ids, has_price=True
        )
        problems += [Problem(code, why_not(code, sub), ("subscription", index)) for code in reasons]
    problems += mix_problems(subs)
    problems += _r10_input_problems(request, subs)
    lines = _planned_lines(request, subs, problems)
    problems += unpriced([line.price_key for line in lines], price_available)
    problems += recipient_problems(request.recipients, origin, customer_emails, buyer_emails)
    if problems:
        raise DomainError(problems)
    return lines


def mix_problems(subs: Sequence[SubscriptionFacts]) -> list[Problem]:
    """R04, R08, R09: one customer, currency, payment method and reseller per quote."""
    checks = (
        (ErrorCode.MIXED_CUSTOMERS, "customer", lambda s: s.customer_csn),
        (ErrorCode.MIXED_CURRENCIES, "currency", lambda s: s.currency),
        (ErrorCode.MIXED_PAYMENT_METHODS, "payment method", lambda s: s.payment_method),
        (ErrorCode.RESELLER_MISMATCH, "reseller of record", lambda s: s.reseller_csn),
    )
    problems = []
    for code, what, attribute in checks:
        values = {attribute(s) for s in subs}
        if len(values) > 1:
            found = ", ".join(
                sorted("none" if v is None else getattr(v, "value", v) for v in values)
            )
            message = (
                f"All subscriptions on one quote must have the same {what}; these have {found}."
            )
            problems.append(Problem(code, message, ("selection",)))
    return problems


def _r10_input_problems(
    request: RenewalRequest, subs: Sequence[SubscriptionFacts]
) -> list[Problem]:
    problems = _currency_problems(request.currency, subs)
    methods = {s.payment_method for s in subs}
    if request.payment_method is not None and methods and request.payment_method not in methods:
        if request.payment_method in NEW_CREDIT_LINE_METHODS:
            problems.append(
                Problem(
                    ErrorCode.NEW_CREDIT_LINE_NOT_ALLOWED,
                    "A renewal quote cannot open a new credit line.",
                    ("payment_method",),
                )
            )
        else:
            problems.append(
                Problem(
                    ErrorCode.INVALID_INPUT,
                    "A renewal keeps the subscriptions' payment method.",
                    ("payment_method",),
                )
            )
    if request.start_date is not None:
        problems += _start_date_problems(request.start_date, subs)
    return problems


def _currency_problems(currency: str | None, subs: Sequence[SubscriptionFacts]) -> list[Problem]:
    """R10: a currency, when given, is an ISO 4217-shaped code (any case) equal to the
    subscriptions' currency."""
    if currency is None:
        return []
    code = currency.upper()
    if not CURRENCY_CODE.fullmatch(code):
        return [
            Problem(
                ErrorCode.INVALID_INPUT,
                f"{currency!r} is not a three-letter currency code (ISO 4217).",
                ("currency",),
            )
        ]
    currencies = {s.currency.upper() for s in subs}
    if currencies and code not in currencies:
        kept = ", ".join(sorted(currencies))
        return [
            Problem(
                ErrorCode.CURRENCY_CHANGE_NOT_ALLOWED,
                f"A renewal keeps the subscriptions' currency ({kept}); {code} is a change.",
                ("currency",),
            )
        ]
    return []


def _start_date_problems(start_date: date, subs: Sequence[SubscriptionFacts]) -> list[Problem]:
    """R10: a requested start date must be each line's natural start, the day after its end date;
    a later one is a future start date, an earlier one is invalid. One problem per line that
    differs, about the start date (the input to fix), naming the subscription."""
    problems = []
    for sub in subs:
        natural = natural_start(sub.end_date)
        if start_date > natural:
            problems.append(
                Problem(
                    ErrorCode.FUTURE_START_DATE_NOT_ALLOWED,
                    f"{sub.number} renews from {natural}; a later start date ({start_date}) "
                    "is not allowed.",
                    ("start_date",),
                )
            )
        elif start_date < natural:
            problems.append(
                Problem(
                    ErrorCode.INVALID_INPUT,
                    f"{sub.number} renews from {natural}, the day after its end date; "
                    f"it cannot start earlier ({start_date}).",
                    ("start_date",),
                )
            )
    return problems


def _planned_lines(
    request: RenewalRequest, subs: Sequence[SubscriptionFacts], problems: list[Problem]
) -> list[PlannedLine]:
    """One line per selected subscription, with its change applied (R02, R07, R10 seats)."""
    changes = _valid_changes(request.changes, {s.id: s for s in subs}, problems)
    lines = []
    for sub in subs:
        chosen = changes.get(sub.id)
        line = PlannedLine(
            sub,
            chosen.seats if chosen and chosen.seats is not None else sub.seats,
            chosen.term if chosen and chosen.term is not None else sub.term,
        )
        if line.changes_subscription and sub.auto_renew and not request.disable_auto_renew:
            assert chosen is not None  # only a change can change the line
            problems.append(
                Problem(
                    ErrorCode.AUTO_RENEW_ENABLED,
                    f"{sub.number} renews automatically; switch auto-renew off "
                    "(disableAutoRenew: true) to change its term or seats (R02).",
                    ("change", list(request.changes).index(chosen)),
                )
            )
        lines.append(line)
    return lines


def _valid_changes(
    changes: Sequence[LineChange],
    by_id: dict[int, SubscriptionFacts],
    problems: list[Problem],
) -> dict[int, LineChange]:
    """The requested changes by subscription id; each bad one is a problem (R07, R10 seats)."""
    valid: dict[int, LineChange] = {}
    types = {QuoteType.RENEWAL}
    for index, change in enumerate(changes):
        here = ("change", index)
        sub = by_id.get(change.subscription_id)
        if sub is None:
            problems.append(
                Problem(
                    ErrorCode.INVALID_INPUT,
                    "A change must name a subscription of the selection.",
                    (*here, "subscription"),
                )
            )
            continue
        if change.subscription_id in valid:
            problems.append(
                Problem(ErrorCode.INVALID_INPUT, f"{sub.number} is changed twice.", here)
            )
            continue
        valid[change.subscription_id] = change
        if change.type is not None:
            types.add(change.type)
        problems += _seat_problems(change, sub, here)
    if len(types) > 1:
        problems.append(Problem(ErrorCode.MIXED_QUOTE_TYPES, _mixed_types(types), ("changes",)))
    return valid


def _mixed_types(types: set[QuoteType]) -> str:
    """R07: a renewal quote has RENEWAL lines only; a co-term is a quote of its own (R06)."""
    if QuoteType.CO_TERM in types:
        return (
            "A renewal quote has RENEWAL lines only (R07); to align end dates (CO_TERM), "
            "use createCoTermQuote instead."
        )
    return "Renewal quotes cannot be combined with new purchases or co-terms (R07)."


def _seat_problems(
    change: LineChange, sub: SubscriptionFacts, here: tuple[str, int]
) -> list[Problem]:
    """R10: at least one seat, and no more than the subscription has."""
    if change.seats is not None and change.seats < 1:
        return [Problem(ErrorCode.INVALID_INPUT, "Seats must be at least 1.", (*here, "seats"))]
    if change.seats is not None and change.seats > sub.seats:
        return [
            Problem(
                ErrorCode.SEAT_INCREASE_NOT_ALLOWED,
                f"{sub.number} has {sub.seats} seats; a renewal quote cannot add seats.",
                (*here, "seats"),
            )
        ]
    return []


def recipient_problems(
    recipients: Sequence[Recipient],
    origin: QuoteOrigin,
    customer_emails: frozenset[str],
    buyer_emails: frozenset[str] = frozenset(),
) -> list[Problem]:
    """R03/R04: at most four recipients besides the buyers, who always receive the quote;
    partner and sales quotes also reach any customer contact."""
    problems = [
        Problem(
            ErrorCode.INVALID_EMAIL,
            f"{r.email!r} is not an email address.",
            ("recipient", i, "email"),
        )
        for i, r in enumerate(recipients)
        if not is_email_address(r.email.strip())
    ]
    counted = {r.email.strip().lower() for r in recipients}
    counted -= {email.lower() for email in buyer_emails}
    if origin in (QuoteOrigin.PARTNER, QuoteOrigin.SALES):
        counted -= {email.lower() for email in customer_emails}
    if len(counted) > MAX_EXTRA_RECIPIENTS:
        problems.append(
            Problem(
                ErrorCode.TOO_MANY_RECIPIENTS,
                f"A quote can have at most {MAX_EXTRA_RECIPIENTS} recipients; "
                f"{len(counted)} were given.",
                ("recipients",),
            )
        )
    return problems
