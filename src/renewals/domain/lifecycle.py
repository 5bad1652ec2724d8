"""The quote's life: its expiry, the status machine, who may cancel, when R12 quotes are due."""

from collections.abc import Sequence
from datetime import date, timedelta
from enum import Enum

from renewals.domain.enums import OPEN_STATUSES, ErrorCode, QuoteStatus, Role, Term
from renewals.domain.errors import DomainError
from renewals.domain.windows import renewal_window

QUOTE_VALIDITY_DAYS = 30


def quote_expires_on(
    created_on: date, end_dates: Sequence[date], auto_renewing_end_dates: Sequence[date]
) -> date:
    """The earliest of 30 days after creation, the close of the subscriptions' windows and (R02)
    the end date of every line that keeps auto-renew on, so that such a quote never holds its
    subscription past the term: the automatic renewal takes over the day after. Never before the
    quote is made (an auto-renew line already past its end date expires the same day)."""
    closes = [renewal_window(end).closes_on for end in end_dates]
    held_until = [max(end, created_on) for end in auto_renewing_end_dates]
    return min([created_on + timedelta(days=QUOTE_VALIDITY_DAYS), *closes, *held_until])


# The statuses that end in EXPIRED once the business date passes `expiresOn` (the quote was never
# bought); an ORDER_SUBMITTED quote was accepted in time and runs to ORDERED or FAILED.
EXPIRING_STATUSES = OPEN_STATUSES


def effective_status(status: QuoteStatus, expires_on: date, today: date) -> QuoteStatus:
    """The status a quote reads as on the business date: an open quote is EXPIRED from the day
    after `expiresOn`, whether or not the daily expiry job has written it yet (the job only makes
    it durable). The read-side SQL expresses the same condition (`expires_on < today`)."""
    if status in EXPIRING_STATUSES and today > expires_on:
        return QuoteStatus.EXPIRED
    return status


def holds_subscriptions(status: QuoteStatus, expires_on: date, today: date) -> bool:
    """Whether a quote that claimed subscriptions (open or ORDER_SUBMITTED) still holds them
    today: an effectively expired quote's claim is stale, the subscriptions are free (R02)."""
    return effective_status(status, expires_on, today) != QuoteStatus.EXPIRED


TRANSITIONS: dict[QuoteStatus, frozenset[QuoteStatus]] = {
    QuoteStatus.DRAFT: frozenset({QuoteStatus.FINALIZING}),  # or discarded (deleted)
    QuoteStatus.FINALIZING: frozenset(
        {QuoteStatus.QUOTED, QuoteStatus.FAILED, QuoteStatus.CANCELLED, QuoteStatus.EXPIRED}
    ),
    QuoteStatus.QUOTED: frozenset(
        {QuoteStatus.ORDER_SUBMITTED, QuoteStatus.EXPIRED, QuoteStatus.CANCELLED}
    ),
    QuoteStatus.ORDER_SUBMITTED: frozenset({QuoteStatus.ORDERED, QuoteStatus.FAILED}),
}


def check_transition(current: QuoteStatus, target: QuoteStatus) -> None:
    """The quote state machine; anything else is QUOTE_NOT_OPEN."""
    if target not in TRANSITIONS.get(current, frozenset()):
        raise DomainError.one(
            ErrorCode.QUOTE_NOT_OPEN,
            f"The quote is {current.value} and cannot become {target.value}.",
        )


def check_not_revised(number: str, revised_by: str | None) -> None:
    """A quote replaced by a revision is bought through the revision (its number is named)."""
    if revised_by is not None:
        raise DomainError.one(
            ErrorCode.QUOTE_REVISED,
            f"Quote {number} was replaced by its revision {revised_by}: buy {revised_by} instead.",
        )


def check_acceptable(status: QuoteStatus, expires_on: date, today: date) -> None:
    """Only an open, unexpired, finalized quote can be bought."""
    if effective_status(status, expires_on, today) == QuoteStatus.EXPIRED:
        raise DomainError.one(ErrorCode.QUOTE_EXPIRED, f"The quote expired on {expires_on}.")
    if status != QuoteStatus.QUOTED:
        raise DomainError.one(
            ErrorCode.QUOTE_NOT_OPEN, f"The quote is {status.value} and cannot be accepted."
        )


def check_draft(status: QuoteStatus, *, address: bool = False) -> None:
    """Only a DRAFT is updated, finalized or discarded. A sent quote's billing address is locked
    (R10: a new quote, made with reviseQuote, takes the customer's current address)."""
    if status == QuoteStatus.DRAFT:
        return
    if address:
        raise DomainError.one(
            ErrorCode.ADDRESS_LOCKED,
            f"The quote is {status.value}: its billing address is the one it was sent with (R10). "
            "Make a new quote with reviseQuote to use another address.",
            ("address",),
        )
    raise DomainError.one(
        ErrorCode.QUOTE_NOT_DRAFT,
        f"The quote is {status.value}, not a DRAFT: a sent quote is changed by reviseQuote.",
        ("quote",),
    )


def draft_is_stale(status: QuoteStatus, expires_on: date, today: date) -> bool:
    """A DRAFT nobody finalized by its provisional expiry (30 days after its last change, or
    earlier where the window or the term ends) is removed by the daily jobs."""
    return status == QuoteStatus.DRAFT and today > expires_on


def check_cancel(role: Role | None, status: QuoteStatus) -> None:
    """R10: buyers cannot cancel a quote; partners and sales can, while it is open."""
    if role not in (Role.PARTNER, Role.SALES):
        raise DomainError.one(
            ErrorCode.CANCEL_NOT_ALLOWED,
            "Buyers cannot cancel a quote; ask your partner or the sales team.",
        )
    check_transition(status, QuoteStatus.CANCELLED)


class AutomaticQuote(Enum):
    """R12's decision for one subscription on one business date."""

    DUE = "due"
    NOT_DUE = "not due"  # monthly term, or outside 30 days before the end date .. window close
    RENEWS_BY_ITSELF = "auto-renew on"  # R02 renews it; a quote would only hold it
    NO_BUYER = "no buyer"  # nobody to send it to


def automatic_quote_decision(
    term: Term, end_date: date, today: date, *, auto_renew: bool, has_buyer: bool
) -> AutomaticQuote:
    """R12: annual and multi-year terms, from 30 days before the end date (missed days caught up
    while the renewal window is open); not with auto-renew on, not for a customer without a BUYER."""
    if not (
        term != Term.MONTHLY
        and end_date - timedelta(days=QUOTE_VALIDITY_DAYS) <= today
        and renewal_window(end_date).is_open(today)
    ):
        return AutomaticQuote.NOT_DUE
    if auto_renew:
        return AutomaticQuote.RENEWS_BY_ITSELF
    if not has_buyer:
        return AutomaticQuote.NO_BUYER
    return AutomaticQuote.DUE
