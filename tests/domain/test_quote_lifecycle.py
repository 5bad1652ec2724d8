"""Quote expiry, the status machine, acceptance and cancel rules (R10, R13), R12 due dates."""

from datetime import date, timedelta

import pytest

from renewals.domain.enums import (
    ErrorCode,
    QuoteStatus,
    Role,
    Term,
)
from renewals.domain.errors import DomainError
from renewals.domain.lifecycle import (
    AutomaticQuote,
    automatic_quote_decision,
    check_acceptable,
    check_cancel,
    check_transition,
    quote_expires_on,
)
from tests.domain.facts import TODAY, sub
from tests.domain.planning import E, S

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
    assert quote_expires_on(created, end_dates, []) == expected


@pytest.mark.parametrize(
    ("created", "end_dates", "auto_renewing", "expected"),
    [
        # D1: a buyer's quote of 2026-06-01 on SUB (ends 07-13, auto-renew on) expired 07-01,
        # well before the end; now it could not outlive the term either way.
        (date(2026, 6, 1), [date(2026, 7, 13)], [date(2026, 7, 13)], date(2026, 7, 1)),
        # made 07-02 on a subscription ending 07-31 with auto-renew kept on: 07-31, not 08-01
        (date(2026, 7, 2), [date(2026, 7, 31)], [date(2026, 7, 31)], date(2026, 7, 31)),
        # made 06-20 on one ending 07-13: the end date, not 07-20 (no lapse while it is open)
        (date(2026, 6, 20), [date(2026, 7, 13)], [date(2026, 7, 13)], date(2026, 7, 13)),
        # on the end date itself: expires that day, the automatic renewal runs the next
        (date(2026, 7, 13), [date(2026, 7, 13)], [date(2026, 7, 13)], date(2026, 7, 13)),
        # after the end date (the renewal has not run yet): never before the quote is made
        (date(2026, 7, 15), [date(2026, 7, 13)], [date(2026, 7, 13)], date(2026, 7, 15)),
        # a group: the earliest end of a line keeping auto-renew on
        (
            date(2026, 7, 1),
            [date(2026, 7, 10), date(2026, 7, 20)],
            [date(2026, 7, 20)],
            date(2026, 7, 20),
        ),
        # auto-renew switched off (disableAutoRenew) or off already: the usual 30 days
        (date(2026, 7, 2), [date(2026, 7, 31)], [], date(2026, 8, 1)),
    ],
    ids=[
        "thirty-days-first",
        "end-date-before-thirty-days",
        "end-date-not-a-lapse",
        "made-on-end-date",
        "made-after-end-date",
        "earliest-auto-renewing-line",
        "auto-renew-off",
    ],
)
def test_quote_keeping_auto_renew_on_expires_at_the_latest_on_the_end_date(
    created: date, end_dates: list[date], auto_renewing: list[date], expected: date
) -> None:
    assert quote_expires_on(created, end_dates, auto_renewing) == expected


# --- status machine ----------------------------------------------------------------------------

ALLOWED = {
    (S.DRAFT, S.FINALIZING),
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
    decision = automatic_quote_decision(
        facts.term, facts.end_date, TODAY, auto_renew=False, has_buyer=True
    )
    assert (decision == AutomaticQuote.DUE) is due


@pytest.mark.parametrize(
    ("ends_in_days", "auto_renew", "has_buyer", "expected"),
    [
        (30, False, True, AutomaticQuote.DUE),
        (30, True, True, AutomaticQuote.RENEWS_BY_ITSELF),  # R02 renews it; no quote to hold it
        (-10, True, True, AutomaticQuote.RENEWS_BY_ITSELF),
        (30, False, False, AutomaticQuote.NO_BUYER),  # nobody to send it to
        (30, True, False, AutomaticQuote.RENEWS_BY_ITSELF),
        (60, True, False, AutomaticQuote.NOT_DUE),  # not due anyway
        (60, False, False, AutomaticQuote.NOT_DUE),
    ],
)
def test_r12_no_automatic_quote_with_auto_renew_on_or_without_a_buyer(
    ends_in_days: int, auto_renew: bool, has_buyer: bool, expected: AutomaticQuote
) -> None:
    facts = sub(1, ends_in_days=ends_in_days, auto_renew=auto_renew)
    decision = automatic_quote_decision(
        facts.term, facts.end_date, TODAY, auto_renew=facts.auto_renew, has_buyer=has_buyer
    )
    assert decision == expected
