"""R01 renewal windows and the term arithmetic of renewals (continuity, month ends, leap days)."""

from datetime import date, timedelta

import pytest

from renewals.domain.enums import ErrorCode, SubscriptionStatus, Term
from renewals.domain.errors import DomainError
from renewals.domain.windows import (
    RenewalWindow,
    add_months,
    check_auto_renew,
    may_auto_renew,
    natural_start,
    next_term,
    renewal_window,
    subscription_status,
)

END = date(2026, 12, 14)


def test_r01_window_opens_exactly_90_days_before_end_date() -> None:
    assert renewal_window(END).opens_on == date(2026, 9, 15)
    assert END - renewal_window(END).opens_on == timedelta(days=90)


def test_r01_window_closes_exactly_45_days_after_end_date() -> None:
    assert renewal_window(END).closes_on == date(2027, 1, 28)
    assert renewal_window(END).closes_on - END == timedelta(days=45)


@pytest.mark.parametrize(
    ("end_date", "window"),
    [
        (date(2026, 12, 14), RenewalWindow(date(2026, 9, 15), date(2027, 1, 28))),
        (date(2027, 1, 1), RenewalWindow(date(2026, 10, 3), date(2027, 2, 15))),
        # the 90 days count the leap day of 2028
        (date(2028, 5, 29), RenewalWindow(date(2028, 2, 29), date(2028, 7, 13))),
    ],
    ids=["mid-december", "new-year", "over-leap-day"],
)
def test_r01_window_edges_for_various_end_dates(end_date: date, window: RenewalWindow) -> None:
    assert renewal_window(end_date) == window


@pytest.mark.parametrize(
    ("days_from_end", "is_open"),
    [
        (-200, False),
        (-91, False),  # one day before the window opens
        (-90, True),  # opening day is inclusive
        (-89, True),
        (-30, True),
        (-1, True),
        (0, True),  # the end date itself
        (1, True),  # after expiry, still renewable by quote
        (44, True),
        (45, True),  # closing day is inclusive
        (46, False),  # one day after the window closes
        (400, False),
    ],
)
def test_r01_window_is_open_with_both_edges_inclusive(days_from_end: int, is_open: bool) -> None:
    assert renewal_window(END).is_open(END + timedelta(days=days_from_end)) is is_open


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # year wrap
        (date(2026, 12, 15), 12, date(2027, 12, 15)),
        (date(2026, 12, 15), 36, date(2029, 12, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # clamped to the month's last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # clamped to a leap day
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
    ],
)
def test_add_months_keeps_day_of_month_and_clamps_at_month_end(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("end_date", "term", "expected"),
    [
        (date(2026, 12, 14), Term.ANNUAL, (date(2026, 12, 15), date(2027, 12, 14))),
        (date(2026, 12, 14), Term.MONTHLY, (date(2026, 12, 15), date(2027, 1, 14))),
        (date(2026, 12, 14), Term.THREE_YEAR, (date(2026, 12, 15), date(2029, 12, 14))),
        (date(2026, 12, 31), Term.ANNUAL, (date(2027, 1, 1), date(2027, 12, 31))),
        (date(2026, 12, 31), Term.MONTHLY, (date(2027, 1, 1), date(2027, 1, 31))),
        (date(2026, 12, 31), Term.THREE_YEAR, (date(2027, 1, 1), date(2029, 12, 31))),
        # month ends: a term starting on the 1st runs to the last day of its month
        (date(2026, 1, 31), Term.MONTHLY, (date(2026, 2, 1), date(2026, 2, 28))),
        (date(2028, 1, 31), Term.MONTHLY, (date(2028, 2, 1), date(2028, 2, 29))),
        (date(2026, 2, 28), Term.MONTHLY, (date(2026, 3, 1), date(2026, 3, 31))),
        (date(2026, 3, 31), Term.MONTHLY, (date(2026, 4, 1), date(2026, 4, 30))),
        # leap days inside and at the end of a term
        (date(2027, 2, 28), Term.ANNUAL, (date(2027, 3, 1), date(2028, 2, 29))),
        (date(2028, 2, 29), Term.ANNUAL, (date(2028, 3, 1), date(2029, 2, 28))),
        (date(2028, 2, 29), Term.THREE_YEAR, (date(2028, 3, 1), date(2031, 2, 28))),
        (date(2029, 2, 28), Term.THREE_YEAR, (date(2029, 3, 1), date(2032, 2, 29))),
    ],
)
def test_next_term_starts_the_day_after_the_end_date_and_runs_one_term(
    end_date: date, term: Term, expected: tuple[date, date]
) -> None:
    start, end = next_term(end_date, term)
    assert (start, end) == expected
    assert start == end_date + timedelta(days=1)  # no gap, no overlap


@pytest.mark.parametrize(
    ("end_date", "term", "expected"),
    [
        # a term starting on a leap day: one year later is 2029-02-28 (the contract: "its end
        # date moved one term on"; BGB 188(3): a period ends on the last day of the month when
        # the corresponding day is missing). Actual: 2029-02-27, a 364-day "annual" term.
        (date(2028, 2, 28), Term.ANNUAL, (date(2028, 2, 29), date(2029, 2, 28))),
        (date(2028, 2, 28), Term.THREE_YEAR, (date(2028, 2, 29), date(2031, 2, 28))),
        # a month starting on 2026-01-31 runs to the end of February; actual: 2026-02-27
        (date(2026, 1, 30), Term.MONTHLY, (date(2026, 1, 31), date(2026, 2, 28))),
    ],
    ids=["annual-from-feb-29", "three-year-from-feb-29", "monthly-from-jan-31"],
)
def test_next_term_is_a_full_term_when_it_starts_on_a_day_missing_in_its_last_month(
    end_date: date, term: Term, expected: tuple[date, date]
) -> None:
    assert next_term(end_date, term) == expected


@pytest.mark.parametrize("term", list(Term))
def test_next_term_chains_without_gaps_over_many_terms(term: Term) -> None:
    end = date(2025, 12, 14)
    for _ in range(30):
        start, new_end = next_term(end, term)
        assert start == end + timedelta(days=1)
        assert new_end > start
        end = new_end


@pytest.mark.parametrize(
    ("days_after_end", "status"),
    [
        (-1, SubscriptionStatus.ACTIVE),
        (0, SubscriptionStatus.ACTIVE),
        (1, SubscriptionStatus.EXPIRED),
    ],
)
def test_subscription_is_active_through_its_end_date(days_after_end, status):
    end = date(2026, 12, 14)
    assert subscription_status(end, end + timedelta(days=days_after_end)) == status


def test_r10_natural_start_is_the_day_after_the_end_date() -> None:
    assert natural_start(date(2026, 12, 31)) == date(2027, 1, 1)
    assert natural_start(END) == next_term(END, Term.ANNUAL)[0]


@pytest.mark.parametrize(
    ("today", "may"),
    [
        (date(2026, 1, 1), True),  # long before the end date
        (date(2026, 4, 16), True),  # on the end date
        (date(2026, 5, 31), True),  # the window's last day, 45 days after
        (date(2026, 6, 1), False),  # the window has closed
        (date(2026, 7, 20), False),
    ],
)
def test_r02_may_auto_renew_only_until_the_window_closes(today: date, may: bool) -> None:
    assert may_auto_renew(date(2026, 4, 16), today) is may


def test_r02_switching_auto_renew_on_after_the_window_closed_is_lapsed() -> None:
    with pytest.raises(DomainError) as raised:
        check_auto_renew(True, date(2026, 4, 16), date(2026, 7, 20))
    assert [(p.code, p.about) for p in raised.value.problems] == [
        (ErrorCode.SUBSCRIPTION_LAPSED, ("subscription",))
    ]
    assert "2026-05-31" in raised.value.problems[0].message


def test_r02_switching_auto_renew_on_is_allowed_through_the_windows_last_day() -> None:
    check_auto_renew(True, date(2026, 4, 16), date(2026, 5, 31))


@pytest.mark.parametrize("today", [date(2026, 5, 31), date(2026, 7, 20)])
def test_r02_switching_auto_renew_off_is_always_allowed(today: date) -> None:
    check_auto_renew(False, date(2026, 4, 16), today)
