"""Shared by the planning tests: plan_renewal at the tests' business date, and its refusals."""

from collections.abc import Callable

import pytest

from renewals.domain.enums import ErrorCode, QuoteOrigin, QuoteStatus
from renewals.domain.errors import DomainError, Problem
from renewals.domain.quotes import PlannedLine, Recipient, RenewalRequest, plan_renewal
from renewals.domain.values import PriceKey, SubscriptionFacts
from tests.domain.facts import TODAY

E = ErrorCode
S = QuoteStatus
IDS = ("selection",)
Field = tuple[str, ...] | None


def ids_at(index: int) -> tuple[str, ...]:
    return ("subscription", index)


def plan(
    request: RenewalRequest,
    *,
    origin: QuoteOrigin = QuoteOrigin.SELF_SERVICE,
    open_ids: frozenset[int] = frozenset(),
    customer_emails: frozenset[str] = frozenset(),
    buyer_emails: frozenset[str] = frozenset(),
    price_available: Callable[[PriceKey], bool] = lambda key: True,
    problems: list[Problem] | None = None,
) -> list[PlannedLine]:
    return plan_renewal(
        request,
        TODAY,
        origin=origin,
        open_quote_subscription_ids=open_ids,
        customer_emails=customer_emails,
        buyer_emails=buyer_emails,
        price_available=price_available,
        problems=problems,
    )


def refusal(request: RenewalRequest, **kwargs) -> list[tuple[ErrorCode, Field]]:
    """The (code, subject) of every problem plan_renewal reports, in order."""
    with pytest.raises(DomainError) as raised:
        plan(request, **kwargs)
    assert raised.value.codes == [p.code for p in raised.value.problems]
    return [(p.code, p.about) for p in raised.value.problems]


def req(*subs: SubscriptionFacts, **kwargs) -> RenewalRequest:
    return RenewalRequest(subscriptions=list(subs), **kwargs)


def emails(count: int, domain: str = "ext.example") -> list[Recipient]:
    return [Recipient(f"person{i}@{domain}") for i in range(count)]
