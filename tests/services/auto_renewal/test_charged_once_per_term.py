"""R02: one order and one charge per subscription and term, however often the job runs or fails."""

from datetime import timedelta

from renewals.domain.enums import OrderStatus, Term
from renewals.domain.windows import next_term
from tests.factories import TODAY, document, subscription
from tests.helpers import seed
from tests.services.auto_renewal.helpers import RecordingGateway, history, orders
from tests.services.test_jobs import jobs_on, sub


async def test_an_unknown_outcome_is_sent_again_with_the_same_key(container):
    """The gateway charged but the answer was lost (a timeout): the next run asks again with the
    same idempotency key, the gateway answers from its record, and nothing is charged twice."""
    container.payments = gateway = RecordingGateway(fail_after_charging=1)
    await seed(container, document([subscription("SUB-1", ends_in_days=0, auto_renew=True)]))

    report = await jobs_on(container, TODAY)
    assert (report.renewed, report.unsettled) == (0, 1)
    (order,) = await orders(container)
    assert order.status == OrderStatus.PENDING
    assert "not settled" in order.failure_reason
    assert (await sub(container)).end_date == TODAY  # not renewed while the outcome is unknown

    report = await jobs_on(container, TODAY + timedelta(days=1))
    assert report.renewed == 1
    (order,) = await orders(container)
    assert (order.status, order.failure_reason) == (OrderStatus.COMPLETED, None)
    first, second = gateway.requests
    assert first.idempotency_key == second.idempotency_key == order.number
    assert len(gateway.charges_of(order.number)) == 2  # asked twice ...
    assert len(gateway.charged) == 1  # ... charged once
    assert [h.status for h in await history(container, order.id)] == [
        OrderStatus.PENDING,
        OrderStatus.PENDING,  # the unknown outcome, with why
        OrderStatus.COMPLETED,
    ]


async def test_missed_terms_are_orders_of_their_own_without_a_gap(container):
    container.payments = gateway = RecordingGateway()
    await seed(
        container,
        document([subscription("SUB-1", term="MONTHLY", ends_in_days=0, auto_renew=True)]),
    )
    report = await jobs_on(container, TODAY + timedelta(days=40))
    assert report.renewed == 2
    first, second = await orders(container)
    assert first.number != second.number
    assert len(gateway.charged) == 2
    assert {c.idempotency_key for c in gateway.requests} == {first.number, second.number}
    one = next_term(TODAY, Term.MONTHLY)
    two = next_term(one[1], Term.MONTHLY)
    assert ((await sub(container)).start_date, (await sub(container)).end_date) == two
