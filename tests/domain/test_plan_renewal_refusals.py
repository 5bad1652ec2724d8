"""plan_renewal: one refusal per code, every problem at once, each naming what it is about."""

from datetime import date, timedelta

import pytest

from renewals.domain.enums import (
    ErrorCode,
    OfferingType,
    PaymentMethod,
    QuoteOrigin,
    QuoteType,
    Term,
)
from renewals.domain.errors import DomainError, Problem
from renewals.domain.quotes import (
    LineChange,
    PlannedLine,
    Recipient,
)
from renewals.domain.values import PriceKey
from tests.domain.facts import TODAY, sub
from tests.domain.planning import IDS, E, Field, emails, ids_at, plan, refusal, req

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


@pytest.mark.parametrize("other", ["USD", "usd", "XXX"])
def test_r10_currency_change_is_refused(other: str) -> None:
    request = req(sub(1, currency="EUR"), currency=other)
    assert refusal(request) == [(E.CURRENCY_CHANGE_NOT_ALLOWED, ("currency",))]


@pytest.mark.parametrize("same", ["EUR", "eur", "Eur"])
def test_r10_restating_the_same_currency_in_any_case_is_accepted(same: str) -> None:
    assert len(plan(req(sub(1, currency="EUR"), currency=same))) == 1


@pytest.mark.parametrize("malformed", ["EURO", "E1", "", "EU", "E R", "12€"])
def test_r10_a_currency_that_is_not_an_iso_4217_code_is_invalid_input(malformed: str) -> None:
    request = req(sub(1, currency="EUR"), currency=malformed)
    assert refusal(request) == [(E.INVALID_INPUT, ("currency",))]


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


NATURAL = TODAY + timedelta(days=61)  # sub(...) ends 60 days after TODAY


@pytest.mark.parametrize("days", [1, 365])
def test_r10_a_start_date_after_the_natural_start_is_a_future_start_date(days: int) -> None:
    request = req(sub(1), start_date=NATURAL + timedelta(days=days))
    assert refusal(request) == [(E.FUTURE_START_DATE_NOT_ALLOWED, ("start_date",))]


@pytest.mark.parametrize(
    "start",
    [NATURAL - timedelta(days=1), TODAY, date(2020, 1, 1)],
    ids=["a-day-early", "today", "long-ago"],
)
def test_r10_a_start_date_before_the_natural_start_is_invalid_input(start: date) -> None:
    request = req(sub(1), start_date=start)
    assert refusal(request) == [(E.INVALID_INPUT, ("start_date",))]


@pytest.mark.parametrize("ends_in_days", [60, 0, -30])
def test_r10_the_natural_start_is_accepted_even_after_expiry(ends_in_days: int) -> None:
    natural = TODAY + timedelta(days=ends_in_days + 1)
    lines = plan(req(sub(1, ends_in_days=ends_in_days), start_date=natural))
    assert len(lines) == 1


def test_r10_each_line_off_its_natural_start_is_a_problem_naming_its_subscription() -> None:
    request = req(
        sub(1, number="SUB-EARLY", ends_in_days=30),
        sub(2, number="SUB-MATCH", ends_in_days=60),
        sub(3, number="SUB-LATE", ends_in_days=80),
        start_date=NATURAL,
    )
    with pytest.raises(DomainError) as raised:
        plan(request)
    assert [(p.code, p.about, p.message.split()[0]) for p in raised.value.problems] == [
        (E.FUTURE_START_DATE_NOT_ALLOWED, ("start_date",), "SUB-EARLY"),
        (E.INVALID_INPUT, ("start_date",), "SUB-LATE"),
    ]


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
        start_date=TODAY + timedelta(days=90),
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
        (E.INVALID_INPUT, ("start_date",)),
        (E.FUTURE_START_DATE_NOT_ALLOWED, ("start_date",)),
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
