"""The effective status: an open quote reads as EXPIRED from the day after `expiresOn`."""

from datetime import date, timedelta

import pytest

from renewals.domain.enums import QuoteStatus
from renewals.domain.lifecycle import effective_status, holds_subscriptions

EXPIRES = date(2026, 12, 26)
DAY_AFTER = EXPIRES + timedelta(days=1)


@pytest.mark.parametrize(
    ("status", "today", "expected"),
    [
        (QuoteStatus.QUOTED, EXPIRES - timedelta(days=1), QuoteStatus.QUOTED),
        (QuoteStatus.QUOTED, EXPIRES, QuoteStatus.QUOTED),  # its last day: still open
        (QuoteStatus.QUOTED, DAY_AFTER, QuoteStatus.EXPIRED),
        (QuoteStatus.FINALIZING, EXPIRES, QuoteStatus.FINALIZING),
        (QuoteStatus.FINALIZING, DAY_AFTER, QuoteStatus.EXPIRED),
        # Accepted in time, or already closed: the expiry date no longer matters.
        (QuoteStatus.ORDER_SUBMITTED, DAY_AFTER, QuoteStatus.ORDER_SUBMITTED),
        (QuoteStatus.ORDERED, DAY_AFTER, QuoteStatus.ORDERED),
        (QuoteStatus.CANCELLED, DAY_AFTER, QuoteStatus.CANCELLED),
        (QuoteStatus.FAILED, DAY_AFTER, QuoteStatus.FAILED),
        (QuoteStatus.EXPIRED, DAY_AFTER, QuoteStatus.EXPIRED),
    ],
)
def test_effective_status(status, today, expected):
    assert effective_status(status, EXPIRES, today) == expected


@pytest.mark.parametrize(
    ("status", "today", "holds"),
    [
        (QuoteStatus.QUOTED, EXPIRES, True),
        (QuoteStatus.QUOTED, DAY_AFTER, False),
        (QuoteStatus.FINALIZING, DAY_AFTER, False),
        (QuoteStatus.ORDER_SUBMITTED, DAY_AFTER, True),  # being ordered: keeps its subscriptions
    ],
)
def test_a_quote_past_its_expiry_no_longer_holds_its_subscriptions(status, today, holds):
    assert holds_subscriptions(status, EXPIRES, today) is holds
