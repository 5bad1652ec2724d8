"""plan_renewal: requests it accepts (R01, R04, R05, R07, R10), and who a quote comes from."""

import pytest

from renewals.domain.enums import (
    QuoteOrigin,
    QuoteType,
    Role,
    Term,
)
from renewals.domain.quotes import (
    LineChange,
    PlannedLine,
    origin_for,
)
from renewals.domain.values import PriceKey
from tests.domain.facts import sub
from tests.domain.planning import plan, req

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
