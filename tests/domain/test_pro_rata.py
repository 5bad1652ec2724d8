"""R06 co-term pricing: unit price × seats × days ÷ days of the term, both inclusive, half-up."""

from datetime import date
from decimal import Decimal

import pytest

from renewals.domain.enums import Term
from renewals.domain.pricing import LineRequest, price_line
from renewals.domain.prorata import ProRata, co_term_pro_rata, days_inclusive
from tests.domain.facts import promotion

ON = date(2026, 11, 26)


def co_term_line(unit_price: str, seats: int, start: date, end: date, term: Term = Term.ANNUAL):
    request = LineRequest(1, "AutoCAD", term, "EUR", seats, co_term_pro_rata(start, end, term))
    return price_line(request, Decimal(unit_price), [], ON)


def test_days_are_counted_with_both_ends() -> None:
    assert days_inclusive(date(2027, 1, 1), date(2027, 1, 31)) == 31
    assert days_inclusive(date(2027, 1, 1), date(2027, 1, 1)) == 1


@pytest.mark.parametrize(
    ("start", "end", "term", "pro_rata"),
    [
        # 2027-01-01 .. 2027-03-31 of the term 2027-01-01 .. 2027-12-31
        (date(2027, 1, 1), date(2027, 3, 31), Term.ANNUAL, ProRata(90, 365)),
        # the term 2028-01-01 .. 2028-12-31 has 29 February: 366 days
        (date(2028, 1, 1), date(2028, 3, 31), Term.ANNUAL, ProRata(91, 366)),
        # a term from 2027-03-01 ends 2028-02-29: 366 days, though the period has no 29th
        (date(2027, 3, 1), date(2027, 3, 31), Term.ANNUAL, ProRata(31, 366)),
        # a term from 2028-03-01 ends 2029-02-28: 365 days
        (date(2028, 3, 1), date(2028, 3, 31), Term.ANNUAL, ProRata(31, 365)),
        # a three-year term with one 29 February: 1096 days
        (date(2026, 12, 15), date(2027, 3, 31), Term.THREE_YEAR, ProRata(107, 1096)),
    ],
)
def test_co_term_is_a_share_of_the_term_that_starts_the_day_after_the_end_date(
    start: date, end: date, term: Term, pro_rata: ProRata
) -> None:
    assert co_term_pro_rata(start, end, term) == pro_rata


def test_co_term_line_is_unit_price_times_seats_times_days_over_term_days() -> None:
    # 2100.00 × 5 × 90 / 365 = 2589.0410… → 2589.04
    line = co_term_line("2100.00", 5, date(2027, 1, 1), date(2027, 3, 31))
    assert (line.unit_price, line.seats) == (Decimal("2100.00"), 5)
    assert str(line.subtotal) == "2589.04"
    assert str(line.total) == "2589.04"


def test_co_term_line_in_a_leap_year_divides_by_366() -> None:
    # 2100.00 × 5 × 91 / 366 = 2610.6557… → 2610.66 (÷ 365 would give 2617.81)
    line = co_term_line("2100.00", 5, date(2028, 1, 1), date(2028, 3, 31))
    assert str(line.subtotal) == "2610.66"


def test_co_term_line_rounds_once_half_up() -> None:
    # 1831.83 × 1 × 1 / 366 = 5.005 exactly → 5.01 (half-even would give 5.00)
    line = co_term_line("1831.83", 1, date(2028, 1, 1), date(2028, 1, 1))
    assert str(line.subtotal) == "5.01"
    # 610.61 × 3 × 1 / 366 = 5.005 exactly: seats are multiplied before the one rounding
    line = co_term_line("610.61", 3, date(2028, 1, 1), date(2028, 1, 1))
    assert str(line.subtotal) == "5.01"


def test_co_term_line_gets_promotions_on_its_pro_rata_subtotal() -> None:
    # 5985.00 × 4 × 107 / 1096 = 2337.208… → 2337.21; RENEW3Y 10% = 233.721 → 233.72
    request = LineRequest(
        1,
        "AutoCAD",
        Term.THREE_YEAR,
        "EUR",
        4,
        co_term_pro_rata(date(2026, 12, 15), date(2027, 3, 31), Term.THREE_YEAR),
    )
    renew3y = promotion("RENEW3Y", terms=(Term.THREE_YEAR,))
    line = price_line(request, Decimal("5985.00"), [renew3y], ON)
    assert str(line.subtotal) == "2337.21"
    assert [(d.code, str(d.amount)) for d in line.discounts] == [("RENEW3Y", "233.72")]
    assert str(line.total) == "2103.49"


def test_a_line_without_pro_rata_is_a_full_term() -> None:
    request = LineRequest(1, "AutoCAD", Term.ANNUAL, "EUR", 5)
    assert str(price_line(request, Decimal("2100.00"), [], ON).subtotal) == "10500.00"
