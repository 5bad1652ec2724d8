"""R01 renewal windows and term arithmetic."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from renewals.domain.enums import ErrorCode, SubscriptionStatus, Term
from renewals.domain.errors import DomainError

WINDOW_OPENS_DAYS_BEFORE = 90
WINDOW_CLOSES_DAYS_AFTER = 45
TERM_MONTHS = {Term.MONTHLY: 1, Term.ANNUAL: 12, Term.THREE_YEAR: 36}


@dataclass(frozen=True, slots=True)
class RenewalWindow:
    opens_on: date
    closes_on: date

    def is_open(self, today: date) -> bool:
        """R01: both edges are inclusive."""
        return self.opens_on <= today <= self.closes_on


def renewal_window(end_date: date) -> RenewalWindow:
    """R01: from 90 days before to 45 days after the end date."""
    return RenewalWindow(
        end_date - timedelta(days=WINDOW_OPENS_DAYS_BEFORE),
        end_date + timedelta(days=WINDOW_CLOSES_DAYS_AFTER),
    )


def may_auto_renew(end_date: date, today: date) -> bool:
    """R01/R02: a subscription may still renew by itself (or have auto-renew switched on) only
    while its renewal window has not closed; a lapsed one is renewed through a new purchase, not
    revived for free."""
    return today <= renewal_window(end_date).closes_on


def check_auto_renew(enabled: bool, end_date: date, today: date) -> None:
    """R02: auto-renew can always be switched off; switched on only while it may still renew."""
    if enabled and not may_auto_renew(end_date, today):
        closed = renewal_window(end_date).closes_on
        raise DomainError.one(
            ErrorCode.SUBSCRIPTION_LAPSED,
            f"The subscription ended on {end_date} and its renewal window closed on {closed}; "
            "it can no longer renew automatically.",
            ("subscription",),
        )


def add_months(day: date, months: int) -> date:
    """The same day of month `months` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def natural_start(end_date: date) -> date:
    """Where a renewal starts: the day after the current end date, without a gap."""
    return end_date + timedelta(days=1)


def next_term(end_date: date, term: Term) -> tuple[date, date]:
    """The renewal term: starts the day after the current end, runs one term without a gap.

    Where the start's day does not exist in the final month, the term ends on that month's last
    day (2028-02-29 + 1 year ends 2029-02-28, not a day early).
    """
    start = natural_start(end_date)
    month_index = start.month - 1 + TERM_MONTHS[term]
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    if start.day > last_day:
        return start, date(year, month, last_day)
    return start, date(year, month, start.day) - timedelta(days=1)


def subscription_status(end_date: date, today: date) -> SubscriptionStatus:
    """ACTIVE through its end date, EXPIRED from the day after."""
    return SubscriptionStatus.EXPIRED if today > end_date else SubscriptionStatus.ACTIVE
