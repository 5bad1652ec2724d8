"""plan_co_term (R06): the lines of an alignment, and one refusal per code, all at once."""

from datetime import date, timedelta

import pytest

from renewals.domain.coterm import CoTermRequest, plan_co_term
from renewals.domain.enums import ErrorCode, OfferingType, PaymentMethod, QuoteOrigin, Term
from renewals.domain.errors import DomainError, Problem
from renewals.domain.prorata import ProRata
from renewals.domain.quotes import Recipient
from renewals.domain.values import SubscriptionFacts
from tests.domain.facts import TODAY, sub

E = ErrorCode
ALIGN = ("alignment",)
ALIGNED = date(2027, 3, 31)


def at(index: int) -> tuple[str, int]:
    return ("subscription", index)


def plan(request: CoTermRequest, **kwargs):
    kwargs.setdefault("origin", QuoteOrigin.SELF_SERVICE)
    kwargs.setdefault("open_quote_subscription_ids", frozenset())
    return plan_co_term(request, TODAY, **kwargs)


def refusal(request: CoTermRequest, **kwargs) -> list[tuple[ErrorCode, tuple | None]]:
    with pytest.raises(DomainError) as raised:
        plan(request, **kwargs)
    return [(p.code, p.about) for p in raised.value.problems]


def req(*subs: SubscriptionFacts, align_to: date | None = ALIGNED, **kwargs) -> CoTermRequest:
    return CoTermRequest(subscriptions=list(subs), align_to=align_to, **kwargs)


def ending(day: date, id: int = 1, **kwargs) -> SubscriptionFacts:
    return sub(id, end_date=day, **kwargs)


def test_each_line_runs_from_the_day_after_its_end_date_to_the_aligned_date() -> None:
    lines = plan(req(ending(date(2026, 12, 31), 1), ending(date(2027, 1, 30), 2, seats=3)))
    assert [(ln.subscription.id, ln.start_date, ln.end_date) for ln in lines] == [
        (1, date(2027, 1, 1), ALIGNED),
        (2, date(2027, 1, 31), ALIGNED),
    ]
    assert [(ln.seats, ln.term) for ln in lines] == [(5, Term.ANNUAL), (3, Term.ANNUAL)]
    assert [ln.pro_rata for ln in lines] == [ProRata(90, 365), ProRata(60, 365)]
    assert lines[1].line_request().pro_rata == ProRata(60, 365)


def test_the_anchor_gives_the_aligned_date() -> None:
    anchor = ending(ALIGNED, 9)
    lines = plan(
        req(ending(date(2026, 12, 31)), align_to=None, anchor_requested=True, anchor=anchor)
    )
    assert [(ln.start_date, ln.end_date) for ln in lines] == [(date(2027, 1, 1), ALIGNED)]


def test_windows_do_not_matter_for_a_co_term() -> None:
    # ends in 200 days: outside the renewal window (R01), still co-termed
    far = TODAY + timedelta(days=200)
    (line,) = plan(req(ending(far), align_to=far + timedelta(days=10)))
    assert line.pro_rata.days == 10


def test_the_latest_aligned_date_is_one_day_short_of_a_full_term() -> None:
    # a term from 2027-01-01 ends 2027-12-31; aligning there would be a whole renewal
    (line,) = plan(req(ending(date(2026, 12, 31)), align_to=date(2027, 12, 30)))
    assert line.pro_rata == ProRata(364, 365)
    assert refusal(req(ending(date(2026, 12, 31)), align_to=date(2027, 12, 31))) == [
        (E.INVALID_ALIGNMENT_DATE, ALIGN)
    ]


@pytest.mark.parametrize(
    ("subscription", "align_to", "expected"),
    [
        # the aligned date equals the end date: nothing to align
        (ending(date(2026, 12, 31)), date(2026, 12, 31), [(E.INVALID_ALIGNMENT_DATE, ALIGN)]),
        # before the end date: a co-term never shortens a term
        (ending(date(2026, 12, 31)), date(2026, 12, 1), [(E.INVALID_ALIGNMENT_DATE, ALIGN)]),
        # a year or more after the end date
        (ending(date(2026, 12, 31)), date(2028, 1, 1), [(E.INVALID_ALIGNMENT_DATE, ALIGN)]),
        # ended yesterday: not active
        (ending(TODAY - timedelta(days=1)), ALIGNED, [(E.INVALID_ALIGNMENT_DATE, at(0))]),
        # monthly terms are not co-termed
        (
            ending(date(2026, 12, 31), term=Term.MONTHLY),
            date(2027, 1, 15),
            [(E.INVALID_ALIGNMENT_DATE, at(0))],
        ),
    ],
)
def test_invalid_alignment_date(subscription, align_to, expected) -> None:
    assert refusal(req(subscription, align_to=align_to)) == expected


def test_active_through_its_end_date() -> None:
    (line,) = plan(req(ending(TODAY), align_to=TODAY + timedelta(days=30)))
    assert line.start_date == TODAY + timedelta(days=1)


def test_a_three_year_term_may_align_up_to_three_years_on() -> None:
    (line,) = plan(
        req(ending(date(2026, 12, 14), term=Term.THREE_YEAR), align_to=date(2029, 12, 1))
    )
    assert line.pro_rata.term_days == 1096


@pytest.mark.parametrize(
    "request_",
    [
        CoTermRequest(subscriptions=[sub(1)]),
        CoTermRequest(
            subscriptions=[sub(1)], align_to=ALIGNED, anchor_requested=True, anchor=sub(9)
        ),
    ],
    ids=["neither", "both"],
)
def test_exactly_one_of_align_to_and_anchor(request_: CoTermRequest) -> None:
    assert refusal(request_) == [(E.INVALID_INPUT, ("align_to",))]


def test_the_anchor_is_not_one_of_the_subscriptions_that_move() -> None:
    one = ending(date(2026, 12, 31))
    request = req(one, align_to=None, anchor_requested=True, anchor=one)
    assert refusal(request) == [(E.INVALID_INPUT, ("anchor",)), (E.INVALID_ALIGNMENT_DATE, ALIGN)]


def test_the_anchor_belongs_to_the_same_customer() -> None:
    anchor = ending(ALIGNED, 9, customer_csn="5100000002")
    request = req(ending(date(2026, 12, 31)), align_to=None, anchor_requested=True, anchor=anchor)
    assert refusal(request) == [(E.MIXED_CUSTOMERS, ("anchor",))]


def test_an_anchor_that_was_not_found_is_the_callers_problem_only() -> None:
    missing = Problem(E.NOT_FOUND, "No such subscription.", ("anchor",))
    request = req(ending(date(2026, 12, 31)), align_to=None, anchor_requested=True)
    assert refusal(request, problems=[missing]) == [(E.NOT_FOUND, ("anchor",))]


def test_the_usual_refusals_all_at_once() -> None:
    subs = [
        ending(date(2026, 12, 31), 1, offering_type=OfferingType.FLEX),
        ending(date(2026, 12, 31), 2, customer_csn="5100000002"),
        ending(date(2026, 12, 31), 3, currency="USD", product="Unpriced"),
        ending(date(2026, 12, 31), 4, payment_method=PaymentMethod.INVOICE),
        ending(date(2026, 12, 31), 5, reseller_csn="P000000001"),
    ]
    problems = refusal(
        req(
            *subs,
            recipients=[Recipient("not an address")]
            + [Recipient(f"p{i}@x.example") for i in range(4)],
        ),
        open_quote_subscription_ids=frozenset({2}),
        price_available=lambda key: key.product != "Unpriced",
    )
    assert problems == [
        (E.OFFERING_NOT_ELIGIBLE, at(0)),
        (E.ALREADY_ON_OPEN_QUOTE, at(1)),
        (E.MIXED_CUSTOMERS, ("selection",)),
        (E.MIXED_CURRENCIES, ("selection",)),
        (E.MIXED_PAYMENT_METHODS, ("selection",)),
        (E.RESELLER_MISMATCH, ("selection",)),
        (E.PRICE_UNAVAILABLE, at(2)),
        (E.INVALID_EMAIL, ("recipient", 0, "email")),
        (E.TOO_MANY_RECIPIENTS, ("recipients",)),
    ]


def test_empty_selection() -> None:
    assert refusal(req()) == [(E.EMPTY_SELECTION, ("selection",))]


def test_group_key_is_the_same_whatever_the_end_dates() -> None:
    # R04 groups renewals by window; a co-term joins subscriptions ending months apart
    lines = plan(req(ending(date(2026, 12, 1), 1), ending(date(2027, 3, 1), 2)))
    assert [ln.pro_rata.days for ln in lines] == [120, 30]
