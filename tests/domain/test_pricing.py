"""R11 pricing: price list x seats, every matching promotion, half-up to cents per line."""

from datetime import date
from decimal import Decimal

import pytest

from renewals.domain.enums import ErrorCode, Term
from renewals.domain.errors import DomainError
from renewals.domain.pricing import (
    AppliedPromotion,
    LineDiscount,
    LineRequest,
    price_line,
    price_quote,
    to_cents,
)
from renewals.domain.values import PriceKey
from tests.domain.facts import promotion

ON = date(2026, 11, 26)
BOOK = {
    PriceKey("AutoCAD", Term.ANNUAL, "EUR"): Decimal("2100.00"),
    PriceKey("AutoCAD", Term.THREE_YEAR, "EUR"): Decimal("5670.00"),
    PriceKey("Revit", Term.ANNUAL, "EUR"): Decimal("3000.00"),
    PriceKey("Odd", Term.ANNUAL, "EUR"): Decimal("100.04"),
}


def line(
    sid: int = 1, product: str = "AutoCAD", term: Term = Term.ANNUAL, seats: int = 5
) -> LineRequest:
    return LineRequest(subscription_id=sid, product=product, term=term, currency="EUR", seats=seats)


def exactly(value: Decimal, text: str) -> None:
    """Equal as a number and written with exactly two decimals."""
    assert value == Decimal(text)
    assert str(value) == text


@pytest.mark.parametrize(
    ("amount", "cents"),
    [
        ("0.005", "0.01"),  # half-up, not banker's rounding
        ("0.015", "0.02"),
        ("0.025", "0.03"),  # half-even would give 0.02
        ("2.675", "2.68"),
        ("12.505", "12.51"),  # half-even would give 12.50
        ("0.0049", "0.00"),
        ("10", "10.00"),
        ("10.994", "10.99"),
        ("-0.005", "-0.01"),  # half away from zero
    ],
)
def test_r11_to_cents_rounds_half_up(amount: str, cents: str) -> None:
    exactly(to_cents(Decimal(amount)), cents)


def test_r11_line_price_is_unit_price_times_seats() -> None:
    priced = price_line(line(seats=5), Decimal("2100.00"), [], ON)
    exactly(priced.subtotal, "10500.00")
    exactly(priced.discount, "0.00")
    exactly(priced.total, "10500.00")
    assert priced.discounts == ()
    assert (priced.subscription_id, priced.unit_price, priced.seats) == (1, Decimal("2100.00"), 5)


def test_r11_line_subtotal_is_rounded_half_up_to_cents() -> None:
    priced = price_line(line(seats=3), Decimal("0.335"), [], ON)  # 1.005
    exactly(priced.subtotal, "1.01")


@pytest.mark.parametrize(
    ("product", "term", "on", "applies"),
    [
        ("AutoCAD", Term.ANNUAL, date(2026, 6, 1), True),
        ("Revit", Term.ANNUAL, date(2026, 6, 1), False),  # other product
        ("AutoCAD", Term.THREE_YEAR, date(2026, 6, 1), False),  # other term
        ("AutoCAD", Term.ANNUAL, date(2025, 12, 31), False),  # day before validFrom
        ("AutoCAD", Term.ANNUAL, date(2026, 1, 1), True),  # validFrom is inclusive
        ("AutoCAD", Term.ANNUAL, date(2026, 12, 31), True),  # validTo is inclusive
        ("AutoCAD", Term.ANNUAL, date(2027, 1, 1), False),  # day after validTo
    ],
)
def test_r11_promotion_applies_by_product_term_and_date_with_inclusive_edges(
    product: str, term: Term, on: date, applies: bool
) -> None:
    promo = promotion()  # AutoCAD, ANNUAL, 2026-01-01..2026-12-31, 10 %
    assert promo.applies_to(product, term, on) is applies
    priced = price_line(line(product=product, term=term, seats=5), Decimal("2100.00"), [promo], on)
    if applies:
        assert priced.discounts == (
            LineDiscount("RENEW10", "10% off (RENEW10)", Decimal("1050.00")),
        )
        exactly(priced.total, "9450.00")
    else:
        assert priced.discounts == ()
        exactly(priced.total, "10500.00")


def test_r11_promotion_for_several_products_and_terms() -> None:
    promo = promotion(products=("AutoCAD", "Revit"), terms=(Term.ANNUAL, Term.THREE_YEAR))
    for product, term in [("AutoCAD", Term.THREE_YEAR), ("Revit", Term.ANNUAL)]:
        assert promo.applies_to(product, term, ON)
    assert not promo.applies_to("Maya", Term.ANNUAL, ON)
    assert not promo.applies_to("AutoCAD", Term.MONTHLY, ON)


def test_r11_two_matching_promotions_stack_each_on_the_line_subtotal() -> None:
    promos = [promotion("RENEW10", percent_off="10"), promotion("LOYAL5", percent_off="5")]
    priced = price_line(line(seats=5), Decimal("2100.00"), promos, ON)
    assert [(d.code, d.amount) for d in priced.discounts] == [
        ("RENEW10", Decimal("1050.00")),
        ("LOYAL5", Decimal("525.00")),
    ]
    exactly(priced.subtotal, "10500.00")
    exactly(priced.discount, "1575.00")
    exactly(priced.total, "8925.00")


def test_r11_only_matching_promotions_are_applied() -> None:
    promos = [
        promotion("RENEW10"),
        promotion("REVIT20", percent_off="20", products=("Revit",)),
        promotion("OLD", valid_to=date(2026, 11, 25)),
    ]
    priced = price_line(line(seats=1), Decimal("2100.00"), promos, ON)
    assert [d.code for d in priced.discounts] == ["RENEW10"]
    exactly(priced.total, "1890.00")


def test_r11_promotion_discount_rounds_half_up_to_cents() -> None:
    # 12.5 % of 100.04 = 12.505 -> 12.51 (half-even would give 12.50)
    promo = promotion("ODD", percent_off="12.5", products=("Odd",))
    priced = price_line(line(product="Odd", seats=1), Decimal("100.04"), [promo], ON)
    exactly(priced.discounts[0].amount, "12.51")
    exactly(priced.total, "87.53")


def test_r11_rounding_is_per_line_not_on_the_quote_total() -> None:
    # each line's 12.505 rounds to 12.51, so the quote discount is 25.02 (not round(25.01))
    promo = promotion("ODD", percent_off="12.5", products=("Odd",), description="12.5% off")
    quote = price_quote([line(1, "Odd", seats=1), line(2, "Odd", seats=1)], BOOK, [promo], ON)
    assert [ln.discount for ln in quote.lines] == [Decimal("12.51"), Decimal("12.51")]
    exactly(quote.subtotal, "200.08")
    exactly(quote.discount_total, "25.02")
    exactly(quote.total, "175.06")
    assert quote.promotions == (AppliedPromotion("ODD", "12.5% off", Decimal("25.02")),)


def test_r11_quote_totals_sum_the_lines() -> None:
    promo = promotion("RENEW3Y", products=("AutoCAD",), terms=(Term.THREE_YEAR,))
    quote = price_quote(
        [
            line(1, "AutoCAD", Term.ANNUAL, seats=5),
            line(2, "AutoCAD", Term.THREE_YEAR, seats=2),
            line(3, "Revit", Term.ANNUAL, seats=1),
        ],
        BOOK,
        [promo],
        ON,
    )
    assert [(ln.subscription_id, ln.unit_price, ln.subtotal, ln.total) for ln in quote.lines] == [
        (1, Decimal("2100.00"), Decimal("10500.00"), Decimal("10500.00")),
        (2, Decimal("5670.00"), Decimal("11340.00"), Decimal("10206.00")),
        (3, Decimal("3000.00"), Decimal("3000.00"), Decimal("3000.00")),
    ]
    exactly(quote.subtotal, "24840.00")
    exactly(quote.discount_total, "1134.00")
    exactly(quote.total, "23706.00")


def test_r11_applied_promotions_sum_each_code_across_lines_in_first_seen_order() -> None:
    promos = [
        promotion("ALL5", percent_off="5", products=("AutoCAD", "Revit")),
        promotion("ACAD10", percent_off="10", products=("AutoCAD",)),
        promotion("UNUSED", products=("Maya",)),
    ]
    quote = price_quote(
        [line(1, "Revit", seats=1), line(2, "AutoCAD", seats=5), line(3, "AutoCAD", seats=1)],
        BOOK,
        promos,
        ON,
    )
    assert quote.promotions == (
        # 150.00 + 525.00 + 105.00
        AppliedPromotion("ALL5", "5% off (ALL5)", Decimal("780.00")),
        # 1050.00 + 210.00
        AppliedPromotion("ACAD10", "10% off (ACAD10)", Decimal("1260.00")),
    )
    exactly(quote.discount_total, "2040.00")
    assert sum(p.discount for p in quote.promotions) == quote.discount_total
    exactly(quote.total, "13560.00")


def test_r11_quote_without_promotions_lists_none() -> None:
    quote = price_quote([line(seats=2)], BOOK, [], ON)
    assert quote.promotions == ()
    exactly(quote.discount_total, "0.00")
    exactly(quote.total, "4200.00")


def test_r11_stacked_promotions_never_make_a_line_negative() -> None:
    promos = [promotion("A", percent_off="60"), promotion("B", percent_off="50")]
    priced = price_line(line(seats=1), Decimal("100.00"), promos, ON)
    assert [d.amount for d in priced.discounts] == [Decimal("60.00"), Decimal("40.00")]
    exactly(priced.total, "0.00")


def test_r11_capped_stacked_promotions_never_list_a_negative_discount() -> None:
    promos = [
        promotion("A", percent_off="60"),
        promotion("B", percent_off="60"),
        promotion("C", percent_off="10"),
    ]
    priced = price_line(line(seats=1), Decimal("100.00"), promos, ON)
    exactly(priced.total, "0.00")
    assert all(d.amount >= 0 for d in priced.discounts), priced.discounts
    assert [d.amount for d in priced.discounts] == [
        Decimal("60.00"),
        Decimal("40.00"),
        Decimal("0.00"),
    ]


def test_r11_missing_price_raises_price_unavailable_naming_each_missing_line() -> None:
    lines = [
        line(1, "Maya", seats=1),
        line(2, "AutoCAD", seats=1),
        line(3, "AutoCAD", Term.MONTHLY, seats=1),
    ]
    with pytest.raises(DomainError) as raised:
        price_quote(lines, BOOK, [], ON)
    assert raised.value.codes == [ErrorCode.PRICE_UNAVAILABLE, ErrorCode.PRICE_UNAVAILABLE]
    assert [(p.about, p.message) for p in raised.value.problems] == [
        (("subscription", 0), "No price for Maya (ANNUAL, EUR)."),
        (("subscription", 2), "No price for AutoCAD (MONTHLY, EUR)."),
    ]


def test_r11_price_lookup_uses_the_line_currency() -> None:
    usd = LineRequest(
        subscription_id=1, product="AutoCAD", term=Term.ANNUAL, currency="USD", seats=1
    )
    with pytest.raises(DomainError) as raised:
        price_quote([usd], BOOK, [], ON)
    assert raised.value.codes == [ErrorCode.PRICE_UNAVAILABLE]
    assert raised.value.problems[0].message == "No price for AutoCAD (ANNUAL, USD)."
