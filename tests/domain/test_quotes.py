"""Quote rules: what a renewal request may ask for (R02-R10), expiry, status moves, R12 due dates."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from renewals.domain.enums import (
    ErrorCode,
    OfferingType,
    PaymentMethod,
    QuoteOrigin,
    QuoteStatus,
    QuoteType,
    Role,
    Term,
)
from renewals.domain.errors import DomainError, Problem
from renewals.domain.lifecycle import (
    check_acceptable,
    check_cancel,
    check_transition,
    is_due_for_automatic_quote,
    quote_expires_on,
)
from renewals.domain.quotes import (
    LineChange,
    PlannedLine,
    Recipient,
    RenewalRequest,
    origin_for,
    plan_renewal,
)
from renewals.domain.values import PriceKey, SubscriptionFacts
from tests.domain.facts import TODAY, sub

E = ErrorCode
S = QuoteStatus
IDS = ("selection",)
Field = tuple[str, ...] | None


def ids_at(index: int) -> tuple[str, ...]:
    return ("subscription", index)


def plan(
    request: RenewalRequest,
    *,
    origin: QuoteOrigin = QuoteOrigin.SELF_SERVICE,
    open_ids: frozenset[int] = frozenset(),
    customer_emails: frozenset[str] = frozenset(),
    buyer_emails: frozenset[str] = frozenset(),
    price_available: Callable[[PriceKey], bool] = lambda key: True,
    problems: list[Problem] | None = None,
) -> list[PlannedLine]:
    return plan_renewal(
        request,
        TODAY,
        origin=origin,
        open_quote_subscription_ids=open_ids,
        customer_emails=customer_emails,
        buyer_emails=buyer_emails,
        price_available=price_available,
        problems=problems,
    )


def refusal(request: RenewalRequest, **kwargs) -> list[tuple[ErrorCode, Field]]:
    """The (code, subject) of every problem plan_renewal reports, in order."""
    with pytest.raises(DomainError) as raised:
        plan(request, **kwargs)
    assert raised.value.codes == [p.code for p in raised.value.problems]
    return [(p.code, p.about) for p in raised.value.problems]


def req(*subs: SubscriptionFacts, **kwargs) -> RenewalRequest:
    return RenewalRequest(subscriptions=list(subs), **kwargs)


def emails(count: int, domain: str = "ext.example") -> list[Recipient]:
    return [Recipient(f"person{i}@{domain}") for i in range(count)]


# --- origin ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "origin"),
    [
        (Role.BUYER, QuoteOrigin.SELF_SERVICE),
        (Role.PARTNER, QuoteOrigin.PARTNER),
        (Role.SALES, QuoteOrigin.SALES),
    ],
)
def test_quote_origin_follows_the_creator_role(role: Role, origin: QuoteOrigin) -> None:
    assert origin_for(role) is origin


# --- plan_renewal: accepted requests -----------------------------------------------------------


def test_r05_single_subscription_renews_with_its_current_seats_and_term() -> None:
    s = sub(1, seats=5, term=Term.ANNUAL)
    lines = plan(req(s))
    assert lines == [PlannedLine(s, 5, Term.ANNUAL)]
    assert not lines[0].changes_subscription
    assert lines[0].price_key == PriceKey("AutoCAD", Term.ANNUAL, "EUR")


def test_r04_group_subset_renews_in_selection_order_with_changes_applied() -> None:
    a, b, c = sub(1, seats=5), sub(2, seats=10), sub(3, seats=2)
    lines = plan(
        req(
            c,
            a,
            b,
            changes=[LineChange(1, seats=3), LineChange(2, term=Term.THREE_YEAR)],
        )
    )
    assert lines == [
        PlannedLine(c, 2, Term.ANNUAL),
        PlannedLine(a, 3, Term.ANNUAL),
        PlannedLine(b, 10, Term.THREE_YEAR),
    ]
    assert [ln.changes_subscription for ln in lines] == [False, True, True]
    assert lines[2].price_key == PriceKey("AutoCAD", Term.THREE_YEAR, "EUR")


@pytest.mark.parametrize("seats", [1, 4, 5])
def test_r10_seats_may_stay_or_decrease(seats: int) -> None:
    lines = plan(req(sub(1, seats=5), changes=[LineChange(1, seats=seats)]))
    assert [ln.seats for ln in lines] == [seats]


@pytest.mark.parametrize("ends_in_days", [90, 0, -45])
def test_r01_subscription_on_a_window_edge_can_be_quoted(ends_in_days: int) -> None:
    assert len(plan(req(sub(1, ends_in_days=ends_in_days)))) == 1


def test_r07_explicit_renewal_type_on_a_change_is_not_a_mix() -> None:
    lines = plan(req(sub(1), changes=[LineChange(1, seats=4, type=QuoteType.RENEWAL)]))
    assert [ln.seats for ln in lines] == [4]


# --- plan_renewal: one refusal per code --------------------------------------------------------


def test_r04_empty_selection_is_refused() -> None:
    assert refusal(req()) == [(E.EMPTY_SELECTION, IDS)]


def test_empty_selection_is_not_added_when_the_caller_already_reported_missing_ids() -> None:
    missing = Problem(E.NOT_FOUND, "No subscription SUB-X.", ids_at(0))
    assert refusal(req(), problems=[missing]) == [(E.NOT_FOUND, ids_at(0))]


def test_caller_problems_are_kept_and_reported_with_the_rules_problems() -> None:
    missing = Problem(E.NOT_FOUND, "No subscription SUB-X.", ids_at(1))
    problems = [missing]
    assert refusal(req(sub(1, ends_in_days=91)), problems=problems) == [
        (E.NOT_FOUND, ids_at(1)),
        (E.OUTSIDE_RENEWAL_WINDOW, ids_at(0)),
    ]
    assert problems == [missing]  # the caller's list is not mutated


@pytest.mark.parametrize(
    "ends_in_days", [91, 200, -46, -400], ids=["before", "far-before", "after", "far-after"]
)
def test_r01_outside_renewal_window_is_refused_before_and_after_expiry(ends_in_days: int) -> None:
    request = req(sub(1), sub(2, ends_in_days=ends_in_days))
    assert refusal(request) == [(E.OUTSIDE_RENEWAL_WINDOW, ids_at(1))]


def test_r09_mixed_customers_are_refused() -> None:
    request = req(sub(1), sub(2, customer_csn="5100000002"))
    assert refusal(request) == [(E.MIXED_CUSTOMERS, IDS)]


def test_r09_mixed_currencies_are_refused() -> None:
    request = req(sub(1), sub(2, currency="USD"))
    assert refusal(request) == [(E.MIXED_CURRENCIES, IDS)]


def test_r04_mixed_payment_methods_are_refused() -> None:
    request = req(sub(1), sub(2, payment_method=PaymentMethod.PAYPAL))
    assert refusal(request) == [(E.MIXED_PAYMENT_METHODS, IDS)]


@pytest.mark.parametrize(
    ("first", "second"),
    [("P000000001", "P000000002"), (None, "P000000001"), ("P000000001", None)],
    ids=["two-resellers", "direct-and-reseller", "reseller-and-direct"],
)
def test_r08_reseller_mismatch_is_refused(first: str | None, second: str | None) -> None:
    request = req(sub(1, reseller_csn=first), sub(2, reseller_csn=second))
    assert refusal(request) == [(E.RESELLER_MISMATCH, IDS)]


def test_r08_same_reseller_is_accepted() -> None:
    lines = plan(req(sub(1, reseller_csn="P000000001"), sub(2, reseller_csn="P000000001")))
    assert len(lines) == 2


def test_r04_r08_r09_every_mix_is_reported_at_once() -> None:
    request = req(
        sub(1),
        sub(
            2,
            customer_csn="5100000002",
            currency="USD",
            payment_method=PaymentMethod.INVOICE,
            reseller_csn="P000000001",
        ),
    )
    assert refusal(request) == [
        (E.MIXED_CUSTOMERS, IDS),
        (E.MIXED_CURRENCIES, IDS),
        (E.MIXED_PAYMENT_METHODS, IDS),
        (E.RESELLER_MISMATCH, IDS),
    ]


@pytest.mark.parametrize("other", [QuoteType.NEW_PURCHASE, QuoteType.CO_TERM])
def test_r07_mixed_quote_types_are_refused(other: QuoteType) -> None:
    request = req(sub(1), sub(2), changes=[LineChange(2, type=other)])
    assert refusal(request) == [(E.MIXED_QUOTE_TYPES, ("changes",))]


@pytest.mark.parametrize("offering", [OfferingType.SUCCESS_PLAN, OfferingType.FLEX])
def test_r10_offering_not_eligible_is_refused(offering: OfferingType) -> None:
    request = req(sub(1), sub(2, offering_type=offering))
    assert refusal(request) == [(E.OFFERING_NOT_ELIGIBLE, ids_at(1))]


def test_r10_seat_increase_is_refused() -> None:
    request = req(sub(1, seats=5), sub(2, seats=5), changes=[LineChange(2, seats=6)])
    assert refusal(request) == [(E.SEAT_INCREASE_NOT_ALLOWED, ("change", 0, "seats"))]


def test_r10_currency_change_is_refused() -> None:
    request = req(sub(1, currency="EUR"), currency="USD")
    assert refusal(request) == [(E.CURRENCY_CHANGE_NOT_ALLOWED, ("currency",))]


def test_r10_restating_the_same_currency_is_accepted() -> None:
    assert len(plan(req(sub(1, currency="EUR"), currency="EUR"))) == 1


def test_r10_new_credit_line_is_refused() -> None:
    request = req(
        sub(1, payment_method=PaymentMethod.CREDIT_CARD), payment_method=PaymentMethod.INVOICE
    )
    assert refusal(request) == [(E.NEW_CREDIT_LINE_NOT_ALLOWED, ("payment_method",))]


def test_r10_existing_invoice_payment_is_not_a_new_credit_line() -> None:
    request = req(
        sub(1, payment_method=PaymentMethod.INVOICE), payment_method=PaymentMethod.INVOICE
    )
    assert len(plan(request)) == 1


def test_r10_other_payment_method_change_is_invalid_input() -> None:
    request = req(
        sub(1, payment_method=PaymentMethod.CREDIT_CARD), payment_method=PaymentMethod.PAYPAL
    )
    assert refusal(request) == [(E.INVALID_INPUT, ("payment_method",))]


@pytest.mark.parametrize("days", [1, 365])
def test_r10_future_start_date_is_refused(days: int) -> None:
    request = req(sub(1), start_date=TODAY + timedelta(days=days))
    assert refusal(request) == [(E.FUTURE_START_DATE_NOT_ALLOWED, ("start_date",))]


@pytest.mark.parametrize("days", [0, -1])
def test_r10_start_date_today_or_past_is_accepted(days: int) -> None:
    assert len(plan(req(sub(1), start_date=TODAY + timedelta(days=days)))) == 1


def test_r04_five_recipients_for_a_buyer_are_too_many() -> None:
    request = req(sub(1), recipients=emails(5))
    assert refusal(request) == [(E.TOO_MANY_RECIPIENTS, ("recipients",))]


def test_r04_four_recipients_for_a_buyer_are_accepted() -> None:
    assert len(plan(req(sub(1), recipients=emails(4)))) == 1


def test_r04_self_service_recipients_count_customer_employees_too() -> None:
    contacts = frozenset({"buyer@acme.example", "eng@acme.example"})
    request = req(sub(1), recipients=[*emails(4), Recipient("eng@acme.example")])
    assert refusal(
        request, customer_emails=contacts, buyer_emails=frozenset({"buyer@acme.example"})
    ) == [(E.TOO_MANY_RECIPIENTS, ("recipients",))]


def test_r04_the_buyers_own_address_does_not_use_up_a_recipient_slot() -> None:
    request = req(sub(1), recipients=[*emails(4), Recipient("Buyer@Acme.example")])
    assert len(plan(request, buyer_emails=frozenset({"buyer@acme.example"}))) == 1


def test_recipients_are_counted_once_per_address_ignoring_case_and_spaces() -> None:
    recipients = [*emails(4), Recipient(" PERSON0@ext.example ")]
    assert len(plan(req(sub(1), recipients=recipients))) == 1


@pytest.mark.parametrize("origin", [QuoteOrigin.PARTNER, QuoteOrigin.SALES])
def test_r03_partner_and_sales_quotes_do_not_count_customer_contacts(origin: QuoteOrigin) -> None:
    contacts = frozenset({"buyer@acme.example", "eng@acme.example", "cfo@acme.example"})
    recipients = [
        *emails(4),
        Recipient("buyer@acme.example"),
        Recipient("Eng@Acme.example"),  # matched without regard to case
        Recipient("cfo@acme.example"),
    ]
    request = req(sub(1), recipients=recipients)
    assert len(plan(request, origin=origin, customer_emails=contacts)) == 1


@pytest.mark.parametrize("origin", [QuoteOrigin.PARTNER, QuoteOrigin.SALES])
def test_r03_partner_and_sales_quotes_allow_at_most_four_external_contacts(
    origin: QuoteOrigin,
) -> None:
    contacts = frozenset({"buyer@acme.example"})
    request = req(sub(1), recipients=[*emails(5), Recipient("buyer@acme.example")])
    assert refusal(request, origin=origin, customer_emails=contacts) == [
        (E.TOO_MANY_RECIPIENTS, ("recipients",))
    ]


@pytest.mark.parametrize(
    "bad",
    ["not-an-email", "bea@acme", "bea buyer@acme.example", "@acme.example", "bea@", "", "a@b@c.de"],
)
def test_invalid_email_is_refused_with_its_position(bad: str) -> None:
    request = req(sub(1), recipients=[Recipient("ok@acme.example"), Recipient(bad)])
    assert refusal(request) == [(E.INVALID_EMAIL, ("recipient", 1, "email"))]


@pytest.mark.parametrize(
    "change",
    [
        LineChange(2, term=Term.THREE_YEAR),
        LineChange(2, seats=3),
        LineChange(2, seats=3, term=Term.MONTHLY),
    ],
    ids=["term", "seats", "both"],
)
def test_r02_changing_an_auto_renewing_subscription_is_refused(change: LineChange) -> None:
    request = req(
        sub(1), sub(2, seats=5, auto_renew=True), changes=[LineChange(1, seats=4), change]
    )
    assert refusal(request) == [(E.AUTO_RENEW_ENABLED, ("change", 1))]


def test_r02_change_is_allowed_when_auto_renew_is_switched_off_in_the_same_request() -> None:
    s = sub(1, seats=5, auto_renew=True)
    request = req(
        s, changes=[LineChange(1, seats=3, term=Term.THREE_YEAR)], disable_auto_renew=True
    )
    assert plan(request) == [PlannedLine(s, 3, Term.THREE_YEAR)]


@pytest.mark.parametrize(
    "changes",
    [[], [LineChange(1)], [LineChange(1, seats=5, term=Term.ANNUAL)]],
    ids=["no-change", "empty-change", "same-values"],
)
def test_r02_auto_renewing_subscription_without_changes_is_accepted(
    changes: list[LineChange],
) -> None:
    s = sub(1, seats=5, term=Term.ANNUAL, auto_renew=True)
    assert plan(req(s, changes=changes)) == [PlannedLine(s, 5, Term.ANNUAL)]


def test_r02_change_without_auto_renew_needs_no_switch() -> None:
    s = sub(1, seats=5, auto_renew=False)
    assert plan(req(s, changes=[LineChange(1, seats=2)])) == [PlannedLine(s, 2, Term.ANNUAL)]


def test_subscription_already_on_an_open_quote_is_refused() -> None:
    request = req(sub(1), sub(2), sub(3))
    assert refusal(request, open_ids=frozenset({2})) == [(E.ALREADY_ON_OPEN_QUOTE, ids_at(1))]


def test_r11_price_unavailable_is_refused_per_line() -> None:
    request = req(sub(1), sub(2, product="Maya"), sub(3, product="Maya"))
    assert refusal(request, price_available=lambda key: key.product != "Maya") == [
        (E.PRICE_UNAVAILABLE, ids_at(1)),
        (E.PRICE_UNAVAILABLE, ids_at(2)),
    ]


def test_r11_price_is_looked_up_for_the_requested_term() -> None:
    seen: list[PriceKey] = []

    def annual_only(key: PriceKey) -> bool:
        seen.append(key)
        return key.term == Term.ANNUAL

    request = req(sub(1), changes=[LineChange(1, term=Term.THREE_YEAR)])
    assert refusal(request, price_available=annual_only) == [(E.PRICE_UNAVAILABLE, ids_at(0))]
    assert seen == [PriceKey("AutoCAD", Term.THREE_YEAR, "EUR")]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            [LineChange(9, seats=1)],
            [(E.INVALID_INPUT, ("change", 0, "subscription"))],
        ),
        (
            [LineChange(1, seats=2), LineChange(1, seats=3)],
            [(E.INVALID_INPUT, ("change", 1))],
        ),
        ([LineChange(1, seats=0)], [(E.INVALID_INPUT, ("change", 0, "seats"))]),
    ],
    ids=["unknown-subscription", "changed-twice", "zero-seats"],
)
def test_malformed_changes_are_invalid_input(
    changes: list[LineChange], expected: list[tuple[ErrorCode, Field]]
) -> None:
    assert refusal(req(sub(1, seats=5), changes=changes)) == expected


def test_every_problem_is_reported_at_once_with_what_it_is_about() -> None:
    request = req(
        sub(1, seats=5),
        sub(2, ends_in_days=120, offering_type=OfferingType.FLEX),
        sub(3, product="Maya"),
        sub(4, currency="USD", auto_renew=True),
        changes=[
            LineChange(1, seats=9),
            LineChange(4, term=Term.THREE_YEAR, type=QuoteType.CO_TERM),
        ],
        recipients=[Recipient("ok@acme.example"), Recipient("broken"), *emails(4)],
        currency="CHF",
        start_date=TODAY + timedelta(days=1),
    )
    assert refusal(
        request,
        open_ids=frozenset({3}),
        price_available=lambda key: key.product != "Maya",
    ) == [
        (E.OUTSIDE_RENEWAL_WINDOW, ids_at(1)),
        (E.OFFERING_NOT_ELIGIBLE, ids_at(1)),
        (E.ALREADY_ON_OPEN_QUOTE, ids_at(2)),
        (E.MIXED_CURRENCIES, IDS),
        (E.CURRENCY_CHANGE_NOT_ALLOWED, ("currency",)),
        (E.FUTURE_START_DATE_NOT_ALLOWED, ("start_date",)),
        (E.SEAT_INCREASE_NOT_ALLOWED, ("change", 0, "seats")),
        (E.MIXED_QUOTE_TYPES, ("changes",)),
        (E.AUTO_RENEW_ENABLED, ("change", 1)),
        (E.PRICE_UNAVAILABLE, ids_at(2)),
        (E.INVALID_EMAIL, ("recipient", 1, "email")),
        (E.TOO_MANY_RECIPIENTS, ("recipients",)),
    ]


def test_domain_error_message_joins_every_problem() -> None:
    with pytest.raises(DomainError) as raised:
        plan(req(sub(1, number="SUB-7", offering_type=OfferingType.FLEX, ends_in_days=91)))
    assert str(raised.value) == (
        "SUB-7 can be renewed by quote from 90 days before to 45 days after its end date "
        "2027-02-25.; SUB-7 is a FLEX offering, which cannot be renewed by quote."
    )


# --- quote expiry ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("created", "end_dates", "expected"),
    [
        # 30 days after creation comes first
        (date(2026, 11, 26), [date(2027, 1, 1)], date(2026, 12, 26)),
        # the window closes first: end 2026-11-01 + 45 days
        (date(2026, 11, 26), [date(2026, 11, 1)], date(2026, 12, 16)),
        # both on the same day
        (date(2026, 11, 26), [date(2026, 11, 11)], date(2026, 12, 26)),
        # the earliest window close of several subscriptions
        (
            date(2026, 11, 26),
            [date(2027, 1, 1), date(2026, 10, 20), date(2026, 11, 5)],
            date(2026, 12, 4),
        ),
        # created on the last day of a window: expires the same day
        (date(2026, 12, 16), [date(2026, 11, 1)], date(2026, 12, 16)),
        # no subscriptions: 30 days
        (date(2026, 11, 26), [], date(2026, 12, 26)),
    ],
    ids=["thirty-days", "window-close", "tie", "earliest-of-several", "last-window-day", "none"],
)
def test_quote_expires_on_the_earlier_of_30_days_and_window_close(
    created: date, end_dates: list[date], expected: date
) -> None:
    assert quote_expires_on(created, end_dates) == expected


# --- status machine ----------------------------------------------------------------------------

ALLOWED = {
    (S.FINALIZING, S.QUOTED),
    (S.FINALIZING, S.FAILED),
    (S.FINALIZING, S.CANCELLED),
    (S.FINALIZING, S.EXPIRED),
    (S.QUOTED, S.ORDER_SUBMITTED),
    (S.QUOTED, S.EXPIRED),
    (S.QUOTED, S.CANCELLED),
    (S.ORDER_SUBMITTED, S.ORDERED),
    (S.ORDER_SUBMITTED, S.FAILED),
}
ALL_PAIRS = [(a, b) for a in QuoteStatus for b in QuoteStatus]


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_status_transitions_pass(current: QuoteStatus, target: QuoteStatus) -> None:
    check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), [pair for pair in ALL_PAIRS if pair not in ALLOWED])
def test_every_other_status_transition_is_quote_not_open(
    current: QuoteStatus, target: QuoteStatus
) -> None:
    with pytest.raises(DomainError) as raised:
        check_transition(current, target)
    assert raised.value.codes == [E.QUOTE_NOT_OPEN]
    assert raised.value.problems[0].message == (
        f"The quote is {current.value} and cannot become {target.value}."
    )


@pytest.mark.parametrize("status", [S.ORDERED, S.EXPIRED, S.CANCELLED, S.FAILED])
def test_closed_statuses_are_terminal(status: QuoteStatus) -> None:
    for target in QuoteStatus:
        with pytest.raises(DomainError):
            check_transition(status, target)


def test_open_statuses_are_finalizing_and_quoted() -> None:
    assert [s for s in QuoteStatus if s.is_open] == [S.FINALIZING, S.QUOTED]


DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("status", "expires_on", "expected"),
    [
        (S.QUOTED, TODAY + DAY, None),
        (S.QUOTED, TODAY, None),  # the expiry day itself is still valid
        (S.QUOTED, TODAY - DAY, E.QUOTE_EXPIRED),
        (S.EXPIRED, TODAY - DAY, E.QUOTE_EXPIRED),
        (S.EXPIRED, TODAY + DAY, E.QUOTE_EXPIRED),
        (S.FINALIZING, TODAY + DAY, E.QUOTE_NOT_OPEN),
        (S.FINALIZING, TODAY - DAY, E.QUOTE_EXPIRED),
        (S.ORDER_SUBMITTED, TODAY + DAY, E.QUOTE_NOT_OPEN),
        (S.ORDERED, TODAY + DAY, E.QUOTE_NOT_OPEN),
        (S.ORDERED, TODAY - DAY, E.QUOTE_NOT_OPEN),
        (S.CANCELLED, TODAY + DAY, E.QUOTE_NOT_OPEN),
        (S.FAILED, TODAY + DAY, E.QUOTE_NOT_OPEN),
    ],
)
def test_check_acceptable_only_open_unexpired_quoted_quotes(
    status: QuoteStatus, expires_on: date, expected: ErrorCode | None
) -> None:
    if expected is None:
        check_acceptable(status, expires_on, TODAY)
        return
    with pytest.raises(DomainError) as raised:
        check_acceptable(status, expires_on, TODAY)
    assert raised.value.codes == [expected]


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        (Role.BUYER, S.QUOTED, E.CANCEL_NOT_ALLOWED),
        (Role.BUYER, S.FINALIZING, E.CANCEL_NOT_ALLOWED),
        (Role.BUYER, S.ORDERED, E.CANCEL_NOT_ALLOWED),
        (None, S.QUOTED, E.CANCEL_NOT_ALLOWED),
        (Role.PARTNER, S.QUOTED, None),
        (Role.PARTNER, S.FINALIZING, None),
        (Role.SALES, S.QUOTED, None),
        (Role.SALES, S.FINALIZING, None),
        *[
            (role, status, E.QUOTE_NOT_OPEN)
            for role in (Role.PARTNER, Role.SALES)
            for status in (S.ORDER_SUBMITTED, S.ORDERED, S.EXPIRED, S.CANCELLED, S.FAILED)
        ],
    ],
)
def test_r10_buyers_cannot_cancel_partners_and_sales_cancel_open_quotes(
    role: Role | None, status: QuoteStatus, expected: ErrorCode | None
) -> None:
    if expected is None:
        check_cancel(role, status)
        return
    with pytest.raises(DomainError) as raised:
        check_cancel(role, status)
    assert raised.value.codes == [expected]


# --- R12 automatic quotes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "ends_in_days", "due"),
    [
        (Term.ANNUAL, 60, False),
        (Term.ANNUAL, 31, False),  # one day early
        (Term.ANNUAL, 30, True),  # exactly 30 days before the end date
        (Term.ANNUAL, 29, True),  # a missed day is caught up
        (Term.ANNUAL, 1, True),
        (Term.ANNUAL, 0, True),
        (Term.ANNUAL, -45, True),  # caught up until the renewal window closes
        (Term.ANNUAL, -46, False),
        (Term.THREE_YEAR, 31, False),
        (Term.THREE_YEAR, 30, True),
        (Term.THREE_YEAR, 5, True),
        (Term.MONTHLY, 30, False),  # monthly terms are excluded
        (Term.MONTHLY, 10, False),
        (Term.MONTHLY, 0, False),
    ],
)
def test_r12_automatic_quote_is_due_from_30_days_before_end_date(
    term: Term, ends_in_days: int, due: bool
) -> None:
    facts = sub(1, term=term, ends_in_days=ends_in_days)
    assert is_due_for_automatic_quote(facts.term, facts.end_date, TODAY) is due
