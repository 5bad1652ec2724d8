"""Issue 10's walk: the demo data, the business date moved day by day through a year with the
jobs and the worker run each day. Every subscription with auto-renew on renews exactly once per
term, without a gap, each term one AUTO_RENEWAL order and one charge."""

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import select

from renewals.domain.enums import OrderOrigin, OrderStatus, Term
from renewals.domain.windows import next_term
from renewals.persistence import models as m
from renewals.services.demo import load_demo
from renewals.services.worker import drain
from tests.services.auto_renewal.helpers import RecordingGateway
from tests.services.test_jobs import jobs_on

START = date(2026, 11, 27)


async def subscriptions(container) -> dict[str, tuple]:
    async with container.db.read_engine.connect() as conn:
        rows = await conn.execute(
            select(
                m.Subscription.id,
                m.Subscription.number,
                m.Subscription.term,
                m.Subscription.end_date,
                m.Subscription.auto_renew,
            )
        )
        return {r.number: r for r in rows}


async def auto_renewal_terms(container) -> dict[int, list[tuple]]:
    async with container.db.read_engine.connect() as conn:
        rows = await conn.execute(
            select(m.Order.number, m.Order.status, m.Order.origin, m.OrderLine.subscription_id)
            .add_columns(m.OrderLine.start_date, m.OrderLine.end_date)
            .join(m.OrderLine, m.OrderLine.order_id == m.Order.id)
            .order_by(m.OrderLine.start_date)
        )
        terms: dict[int, list[tuple]] = defaultdict(list)
        for r in rows:
            terms[r.subscription_id].append(r)
        return terms


async def test_a_year_of_business_days_renews_every_auto_renew_term_exactly_once(container):
    container.payments = gateway = RecordingGateway()
    container.clock.fixed_today = START
    await load_demo(container.db, START)
    before = await subscriptions(container)
    last = START + timedelta(days=365)

    day = START
    while day <= last:
        await jobs_on(container, day)
        await drain(container)
        day += timedelta(days=1)

    after = await subscriptions(container)
    terms = await auto_renewal_terms(container)
    auto = [s for s in before.values() if s.auto_renew]
    assert len(auto) >= 8
    expected_orders = 0
    for sub in auto:
        # The terms the year should have renewed: every one whose end date it reached.
        due, end = [], sub.end_date
        while end <= last:
            start, end = next_term(end, Term(sub.term))
            due.append((start, end))
        orders = terms.get(sub.id, [])
        assert [(o.start_date, o.end_date) for o in orders] == due, sub.number
        assert {(o.origin, o.status) for o in orders} <= {
            (OrderOrigin.AUTO_RENEWAL, OrderStatus.COMPLETED)
        }, sub.number
        assert after[sub.number].end_date == (due[-1][1] if due else sub.end_date)
        assert after[sub.number].end_date > last  # never lapsed
        expected_orders += len(due)
    assert expected_orders > len(auto)  # the monthly ones renewed a dozen times
    # One charge per order: as many charged keys as orders, and every request charged once.
    numbers = [o.number for orders in terms.values() for o in orders]
    assert len(numbers) == expected_orders == len(set(numbers))
    assert len(gateway.charged) == expected_orders
    assert len(gateway.requests) == expected_orders
    # The subscriptions without auto-renew were never renewed by themselves.
    for sub in before.values():
        if not sub.auto_renew:
            assert all(o.origin != OrderOrigin.AUTO_RENEWAL for o in terms.get(sub.id, []))
