"""R06 co-term arithmetic: how much of a term a period covers, counted in days, both ends inclusive."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from renewals.domain.enums import Term
from renewals.domain.windows import next_term


@dataclass(frozen=True, slots=True)
class ProRata:
    """`days` of a term that has `term_days` days (365 or 366 for ANNUAL)."""

    days: int
    term_days: int

    def of(self, full_amount: Decimal) -> Decimal:
        """The share of a full term's amount, unrounded (the caller rounds once, per line)."""
        return full_amount * self.days / self.term_days


def days_inclusive(start: date, end: date) -> int:
    """2027-01-01 .. 2027-01-31 is 31 days."""
    return (end - start).days + 1


def co_term_pro_rata(start: date, end: date, term: Term) -> ProRata:
    """A co-term period from `start` (the day after the subscription's end date) to `end` (the
    aligned date), as a share of the term that starts on `start`."""
    term_start, term_end = next_term(start - timedelta(days=1), term)
    return ProRata(days_inclusive(start, end), days_inclusive(term_start, term_end))
