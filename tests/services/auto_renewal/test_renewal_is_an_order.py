"""R02: an automatic renewal is an AUTO_RENEWAL order, priced like a one-line RENEWAL (unit price
× seats, promotions apply), charged once, with history and the buyer's email."""

from datetime import timedelta
from decimal import Decimal

from renewals.domain.enums import OrderOrigin, OrderStatus, Term
from renewals.domain.windows import next_term
from tests.factories import TODAY, document, subscription
from tests.helpers import seed
from tests.services.auto_renewal.helpers import (
    RecordingGateway,
    history,
    order_emails,
    order_lines,
    orders,
)
from tests.services.test_jobs import jobs_on, sub


async def test_the_renewal_is_an_order_charged_once_and_told_to_the_buyer(container):
    container.payments = gateway = RecordingGateway()
    await seed(container, document([subscription("SUB-1", ends_in_days=0, auto_renew=True)]))
    before = await sub(container)

    report = await jobs_on(container, TODAY)

    assert report.renewed == 1
    (order,) = await orders(container)
    assert (order.origin, order.status, order.quote_id) == (
        OrderOrigin.AUTO_RENEWAL,
        OrderStatus.COMPLETED,
        None,
    )
    assert order.number == f"A-{before.id:06d}-{(TODAY + timedelta(days=1)):%Y%m%d}"
    assert (order.subtotal, order.discount_total, order.total) == (
        Decimal("10500.00"),  # 5 seats × 2100.00
        Decimal("0.00"),
        Decimal("10500.00"),
    )
    assert order.payment_reference == "REF-1"
    (line,) = await order_lines(container, order.id)
    start, end = next_term(TODAY, Term.ANNUAL)
    assert (line.subscription_id, line.seats, line.start_date, line.end_date) == (
        before.id,
        5,
        start,
        end,
    )
    renewed = await sub(container)
    assert (renewed.start_date, renewed.end_date, renewed.seats) == (start, end, 5)
    (charge,) = gateway.requests
    assert (charge.amount, charge.currency, charge.method, charge.customer_csn) == (
        Decimal("10500.00"),
        "EUR",
        "CREDIT_CARD",
        "5100000001",
    )
    assert [(h.previous_status, h.status) for h in await history(container, order.id)] == [
        (None, OrderStatus.PENDING),
        (OrderStatus.PENDING, OrderStatus.COMPLETED),
    ]
    ((to, subject, body, order_id),) = await order_emails(container)
    assert (to, order_id) == ("buyer@acme.example", order.id)
    assert subject == f"Your subscription SUB-1 renewed automatically (order {order.number})"
    assert f"5 seats, annual term, {start} to {end}" in body
    assert "EUR 10,500.00" in body

    # The job again, the same day or the next: nothing more is charged or ordered.
    assert (await jobs_on(container, TODAY)).renewed == 0
    assert (await jobs_on(container, TODAY + timedelta(days=1))).renewed == 0
    assert len(await orders(container)) == 1
    assert len(gateway.requests) == 1


async def test_promotions_apply_to_the_automatic_renewal(container):
    """RENEW3Y: 10% off AutoCAD 3-year renewals (R11)."""
    container.payments = RecordingGateway()
    await seed(
        container,
        document(
            [subscription("SUB-1", term="THREE_YEAR", seats=3, ends_in_days=0, auto_renew=True)]
        ),
    )
    await jobs_on(container, TODAY)
    (order,) = await orders(container)
    assert (order.subtotal, order.discount_total, order.total) == (
        Decimal("17955.00"),  # 3 × 5985.00
        Decimal("1795.50"),
        Decimal("16159.50"),
    )
    (line,) = await order_lines(container, order.id)
    assert (line.unit_price, line.discount, line.total) == (
        Decimal("5985.00"),
        Decimal("1795.50"),
        Decimal("16159.50"),
    )


async def test_a_renewal_without_a_price_is_not_made_and_is_reported(container):
    container.payments = gateway = RecordingGateway()
    await seed(
        container,
        document([subscription("SUB-1", product="Maya", ends_in_days=0, auto_renew=True)]),
    )
    report = await jobs_on(container, TODAY)
    assert (report.renewed, report.unpriced) == (0, 1)
    assert await orders(container) == []
    assert gateway.requests == []
    assert (await sub(container)).end_date == TODAY
