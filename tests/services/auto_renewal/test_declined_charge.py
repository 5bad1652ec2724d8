"""R02: a declined charge leaves the subscription unrenewed, records why, tells the buyer, and is
charged again on later runs while the renewal window is open; then the order FAILS (lapsed)."""

from datetime import timedelta

from renewals.domain.enums import OrderStatus, Term
from renewals.domain.visibility import Visibility
from renewals.domain.windows import next_term, renewal_window
from renewals.services.orders import AcceptCommand, accept_quote
from renewals.services.worker import drain
from tests.factories import TODAY, document, subscription
from tests.helpers import seed
from tests.services.auto_renewal.helpers import RecordingGateway, history, order_emails, orders
from tests.services.lifecycle.helpers import SALES, make_quote
from tests.services.test_jobs import jobs_on, sub


async def test_a_declined_charge_is_tried_again_the_next_day(container):
    container.payments = gateway = RecordingGateway(decline=1)
    await seed(container, document([subscription("SUB-1", ends_in_days=0, auto_renew=True)]))

    report = await jobs_on(container, TODAY)
    assert (report.renewed, report.declined) == (0, 1)
    (order,) = await orders(container)
    assert order.status == OrderStatus.PAYMENT_DECLINED
    assert order.failure_reason == "declined: card declined (insufficient funds)"
    assert (await sub(container)).end_date == TODAY
    ((to, subject, body, _),) = await order_emails(container)
    assert to == "buyer@acme.example"
    assert subject == "Action needed: the automatic renewal of SUB-1 could not be charged"
    closes = renewal_window(TODAY).closes_on
    assert f"every day until {closes}" in body

    report = await jobs_on(container, TODAY + timedelta(days=1))
    assert (report.renewed, report.declined) == (1, 0)
    (order,) = await orders(container)
    assert (order.status, order.failure_reason) == (OrderStatus.COMPLETED, None)
    # The second attempt is a new request: a gateway replays a declined key's answer.
    first, second = gateway.requests
    assert first.idempotency_key == order.number
    assert second.idempotency_key == f"{order.number}-R1"
    assert len(gateway.charged) == 1
    renewed = await sub(container)
    assert (renewed.start_date, renewed.end_date) == next_term(TODAY, Term.ANNUAL)
    assert [h.status for h in await history(container, order.id)] == [
        OrderStatus.PENDING,
        OrderStatus.PAYMENT_DECLINED,
        OrderStatus.COMPLETED,
    ]
    subjects = [e.subject for e in await order_emails(container)]
    assert len(subjects) == 2 and subjects[1].startswith("Your subscription SUB-1 renewed")


async def test_declined_until_the_window_closes_the_subscription_lapses(container):
    container.payments = gateway = RecordingGateway(decline=10_000)
    await seed(container, document([subscription("SUB-1", ends_in_days=0, auto_renew=True)]))
    closes = renewal_window(TODAY).closes_on
    day = TODAY
    while day <= closes + timedelta(days=3):
        await jobs_on(container, day)
        day += timedelta(days=1)

    (order,) = await orders(container)
    assert order.status == OrderStatus.FAILED
    assert order.failure_reason == (
        f"the renewal window closed on {closes} without a successful charge"
    )
    assert len(gateway.requests) == (closes - TODAY).days + 1  # one attempt per open day
    assert len({c.idempotency_key for c in gateway.requests}) == len(gateway.requests)
    assert gateway.charged == {}
    assert (await sub(container)).end_date == TODAY  # lapsed, not revived
    assert len(await order_emails(container)) == 1  # the buyer is told once, not daily


async def test_a_quote_bought_meanwhile_settles_the_declined_renewal(container):
    container.payments = RecordingGateway(decline=1)
    await seed(container, document([subscription("SUB-1", ends_in_days=0, auto_renew=True)]))
    await jobs_on(container, TODAY)
    container.clock.fixed_today = TODAY + timedelta(days=1)
    quote_id = await make_quote(container, "SUB-1")
    await drain(container)
    await accept_quote(
        container, SALES, Visibility(), AcceptCommand(quote_id=quote_id, quote_id_given=True)
    )
    await drain(container)

    declined, bought = await orders(container)
    assert bought.status == OrderStatus.COMPLETED and bought.quote_id == quote_id
    assert declined.status == OrderStatus.FAILED
    assert declined.failure_reason == f"renewed by order {bought.number} instead"
    # The term moved once, by the quote's order; the next job run charges nothing more.
    assert (await jobs_on(container, TODAY + timedelta(days=2))).renewed == 0
    assert (await sub(container)).end_date == next_term(TODAY, Term.ANNUAL)[1]
    assert len(await history(container, declined.id)) == 3
