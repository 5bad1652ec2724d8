"""Eligibility for a renewal quote (R01, R10) and the grouping of eligible subscriptions (R04, R08, R09)."""

import itertools
from dataclasses import replace
from datetime import timedelta

import pytest

from renewals.domain.eligibility import (
    ELIGIBLE_OFFERINGS,
    GroupKey,
    eligibility_reasons,
    group_key,
    price_key,
    renewal_groups,
)
from renewals.domain.enums import ErrorCode, OfferingType, PaymentMethod, Term
from renewals.domain.values import PriceKey, SubscriptionFacts
from tests.domain.facts import TODAY, sub

E = ErrorCode


def reasons(
    s: SubscriptionFacts, *, on_open_quote: bool = False, has_price: bool = True
) -> list[ErrorCode]:
    return eligibility_reasons(s, TODAY, on_open_quote=on_open_quote, has_price=has_price)


def test_eligible_standard_subscription_inside_window_has_no_reasons() -> None:
    assert reasons(sub()) == []


@pytest.mark.parametrize(
    ("ends_in_days", "expected"),
    [
        (91, [E.OUTSIDE_RENEWAL_WINDOW]),  # window opens tomorrow
        (90, []),  # window opens today
        (0, []),
        (-45, []),  # window closes today (after expiry)
        (-46, [E.OUTSIDE_RENEWAL_WINDOW]),  # window closed yesterday
    ],
)
def test_r01_eligibility_window_edges_before_and_after_expiry(
    ends_in_days: int, expected: list[ErrorCode]
) -> None:
    assert reasons(sub(ends_in_days=ends_in_days)) == expected


@pytest.mark.parametrize(
    ("offering", "expected"),
    [
        (OfferingType.STANDARD, []),
        (OfferingType.SUCCESS_PLAN, [E.OFFERING_NOT_ELIGIBLE]),
        (OfferingType.FLEX, [E.OFFERING_NOT_ELIGIBLE]),
    ],
)
def test_r10_success_plan_and_flex_offerings_are_not_eligible(
    offering: OfferingType, expected: list[ErrorCode]
) -> None:
    assert reasons(sub(offering_type=offering)) == expected


def test_r10_only_standard_offerings_are_eligible() -> None:
    assert frozenset({OfferingType.STANDARD}) == ELIGIBLE_OFFERINGS


def test_missing_price_makes_a_subscription_ineligible() -> None:
    assert reasons(sub(), has_price=False) == [E.PRICE_UNAVAILABLE]


def test_subscription_on_an_open_quote_is_ineligible() -> None:
    assert reasons(sub(), on_open_quote=True) == [E.ALREADY_ON_OPEN_QUOTE]


@pytest.mark.parametrize("offering", [OfferingType.SUCCESS_PLAN, OfferingType.FLEX])
@pytest.mark.parametrize("ends_in_days", [91, -46])
def test_eligibility_lists_every_applicable_reason_at_once(
    offering: OfferingType, ends_in_days: int
) -> None:
    s = sub(offering_type=offering, ends_in_days=ends_in_days)
    assert reasons(s, on_open_quote=True, has_price=False) == [
        E.OUTSIDE_RENEWAL_WINDOW,
        E.OFFERING_NOT_ELIGIBLE,
        E.PRICE_UNAVAILABLE,
        E.ALREADY_ON_OPEN_QUOTE,
    ]


def test_price_key_is_product_term_and_currency() -> None:
    s = sub(product="Maya", term=Term.THREE_YEAR, currency="USD")
    assert price_key(s) == PriceKey("Maya", Term.THREE_YEAR, "USD")


# --- grouping (R04, R08, R09) -------------------------------------------------------------------


def test_r04_group_key_is_customer_currency_payment_method_and_reseller() -> None:
    s = sub(reseller_csn="P000000001", payment_method=PaymentMethod.PAYPAL)
    assert group_key(s) == GroupKey("5100000001", "EUR", PaymentMethod.PAYPAL, "P000000001")
    assert group_key(s).text == "5100000001:EUR:PAYPAL:P000000001"


def test_r04_group_key_text_without_reseller_uses_a_dash() -> None:
    assert group_key(sub()).text == "5100000001:EUR:CREDIT_CARD:-"


@pytest.mark.parametrize(
    "change",
    [
        {"customer_csn": "5100000002"},
        {"currency": "USD"},
        {"payment_method": PaymentMethod.DIRECT_DEBIT},
        {"reseller_csn": "P000000001"},
    ],
    ids=["customer-R09", "currency-R09", "payment-method-R04", "reseller-R08"],
)
def test_r04_r08_r09_group_key_differs_by_each_grouping_attribute(change: dict) -> None:
    base = sub()
    other = replace(base, **change)
    assert group_key(other) != group_key(base)
    assert group_key(other).text != group_key(base).text


def test_r08_group_key_separates_two_resellers() -> None:
    assert group_key(sub(reseller_csn="P000000001")) != group_key(sub(reseller_csn="P000000002"))


@pytest.mark.parametrize(
    "change",
    [
        {"product": "Maya"},
        {"term": Term.THREE_YEAR},
        {"seats": 50},
        {"end_date": TODAY + timedelta(days=10)},
        {"auto_renew": True},
        {"id": 99, "number": "SUB-9999"},
    ],
)
def test_r04_group_key_ignores_attributes_that_do_not_group(change: dict) -> None:
    base = sub()
    assert group_key(replace(base, **change)) == group_key(base)


ACME, BETA = "5100000001", "5100000002"
P1 = "P000000001"

GROUPING_SUBS = [
    sub(1, number="SUB-A1", customer_csn=ACME, ends_in_days=30),
    sub(2, number="SUB-A2", customer_csn=ACME, ends_in_days=10),
    sub(3, number="SUB-A3", customer_csn=ACME, currency="USD"),
    sub(4, number="SUB-A4", customer_csn=ACME, payment_method=PaymentMethod.INVOICE),
    sub(5, number="SUB-A5", customer_csn=ACME, reseller_csn=P1),
    sub(6, number="SUB-B1", customer_csn=BETA),
    # ineligible: the only member of its would-be group, and a member of ACME's main group
    sub(7, number="SUB-B2", customer_csn=BETA, currency="GBP", offering_type=OfferingType.FLEX),
    sub(8, number="SUB-A6", customer_csn=ACME, ends_in_days=200),
]


def _eligible(s: SubscriptionFacts) -> bool:
    return not reasons(s)


def _shape(groups: dict[GroupKey, list[SubscriptionFacts]]) -> list[tuple[str, list[str]]]:
    return [(key.text, [s.number for s in members]) for key, members in groups.items()]


EXPECTED_GROUPS = [
    ("5100000001:EUR:CREDIT_CARD:-", ["SUB-A2", "SUB-A1"]),  # by end date within a group
    ("5100000001:EUR:CREDIT_CARD:P000000001", ["SUB-A5"]),
    ("5100000001:EUR:INVOICE:-", ["SUB-A4"]),
    ("5100000001:USD:CREDIT_CARD:-", ["SUB-A3"]),
    ("5100000002:EUR:CREDIT_CARD:-", ["SUB-B1"]),
]


def test_r04_renewal_groups_split_by_customer_currency_payment_method_and_reseller() -> None:
    assert _shape(renewal_groups(GROUPING_SUBS, _eligible)) == EXPECTED_GROUPS


def test_r04_renewal_groups_exclude_ineligible_and_hold_only_non_empty_groups() -> None:
    groups = renewal_groups(GROUPING_SUBS, _eligible)
    numbers = {s.number for members in groups.values() for s in members}
    assert "SUB-B2" not in numbers  # FLEX
    assert "SUB-A6" not in numbers  # outside the window
    assert all(groups.values())
    assert GroupKey(BETA, "GBP", PaymentMethod.CREDIT_CARD, None) not in groups


def test_r04_renewal_groups_order_is_stable_whatever_the_input_order() -> None:
    results = {
        repr(_shape(renewal_groups(list(order), _eligible)))
        for order in itertools.permutations(GROUPING_SUBS[:6])
    }
    assert results == {repr(EXPECTED_GROUPS)}


def test_r04_renewal_groups_same_end_date_ordered_by_number() -> None:
    subs = [sub(2, number="SUB-B"), sub(1, number="SUB-A"), sub(3, number="SUB-C")]
    groups = renewal_groups(subs, lambda s: True)
    assert _shape(groups) == [("5100000001:EUR:CREDIT_CARD:-", ["SUB-A", "SUB-B", "SUB-C"])]


@pytest.mark.parametrize(
    "subs",
    [[], [sub(1, offering_type=OfferingType.SUCCESS_PLAN), sub(2, ends_in_days=-46)]],
    ids=["no-subscriptions", "all-ineligible"],
)
def test_r04_renewal_groups_empty_when_nothing_is_eligible(subs: list[SubscriptionFacts]) -> None:
    assert renewal_groups(subs, _eligible) == {}
