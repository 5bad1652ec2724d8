"""R02 automatic renewal as an order of its own: which term is due, its number, its charge key."""

from dataclasses import dataclass
from datetime import date, timedelta

from renewals.domain.enums import Term
from renewals.domain.windows import (
    WINDOW_CLOSES_DAYS_AFTER,
    may_auto_renew,
    natural_start,
    next_term,
    renewal_window,
)


@dataclass(frozen=True, slots=True)
class DueTerm:
    """The one term an automatic renewal orders next: from the day after the current end."""

    start_date: date
    end_date: date


def due_term(end_date: date, term: Term, today: date) -> DueTerm | None:
    """The next term to renew on `today`: due on (or, catching up, after) the end date, while the
    renewal window is open (R01: a lapsed subscription is never revived for free). One term at a
    time, so that a missed term is caught up as an order of its own."""
    if end_date > today or not may_auto_renew(end_date, today):
        return None
    start, end = next_term(end_date, term)
    return DueTerm(start, end)


def retry_until(end_date: date) -> date:
    """The last business day a declined automatic renewal is charged again: the window's close."""
    return renewal_window(end_date).closes_on


def lapsed_if_starting_before(today: date) -> date:
    """A declined renewal whose term starts before this day can no longer be charged: its end
    date's renewal window closed before today (R01)."""
    return natural_start(today - timedelta(days=WINDOW_CLOSES_DAYS_AFTER))


def order_number(subscription_id: int, start_date: date) -> str:
    """One AUTO_RENEWAL order per subscription and term: the number says which (unique)."""
    return f"A-{subscription_id:06d}-{start_date:%Y%m%d}"


def charge_key(number: str, declines: int) -> str:
    """The payment gateway's idempotency key. It stays the same until a decline is recorded, so a
    retried run (a crash after the charge, a timeout) never charges twice; a charge made again
    after a decline is a new request with a new key (a gateway replays a declined key's answer)."""
    return number if declines == 0 else f"{number}-R{declines}"
