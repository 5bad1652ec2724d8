"""R02 automatic renewal as an order of its own: priced, charged once per subscription and term,
then the subscription moves one term on; a declined charge is tried again while the window is open.

Each term is one transaction that locks its subscription: the order, the charge, the new term,
the history and the buyer's email commit together. The gateway answers a repeated idempotency key
without charging again, so a crash between the charge and the commit costs nothing.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from renewals.container import Container
from renewals.domain import auto_renewal
from renewals.domain.enums import OrderOrigin, OrderStatus
from renewals.domain.errors import DomainError
from renewals.domain.pricing import LineRequest
from renewals.persistence import models as m
from renewals.persistence.uow import UnitOfWork
from renewals.services.order_mail import declined_email, renewed_email, tell_buyers
from renewals.services.payments import Charge, PaymentError
from renewals.services.quotes import price_requests

log = logging.getLogger("renewals.auto_renewal")
ACTOR = "job:auto-renewal"


class Outcome(Enum):
    RENEWED = "renewed"
    DECLINED = "declined"  # a definite answer: tried again on the next business day
    UNSETTLED = "unsettled"  # the gateway failed or timed out: the same key is sent again
    UNPRICED = "unpriced"  # no price for its product, term and currency (PRICE_UNAVAILABLE)
    NOT_DUE = "not due"


@dataclass
class AutoRenewalReport:
    renewed: int = 0
    declined: int = 0
    unsettled: int = 0
    unpriced: int = 0

    def count(self, outcome: Outcome) -> None:
        if outcome != Outcome.NOT_DUE:
            setattr(self, outcome.name.lower(), getattr(self, outcome.name.lower()) + 1)


async def renew_automatically(container: Container) -> AutoRenewalReport:
    """Every auto-renewing subscription due today, one term (one order) at a time; missed terms
    are caught up while the renewal window is open, each as an order of its own."""
    report, after = AutoRenewalReport(), 0
    await close_lapsed(container)
    while True:
        async with UnitOfWork(container.db) as uow:
            subs = await uow.subscriptions.due_for_auto_renewal(container.clock.today(), after)
            due = [s.id for s in subs]
        if not due:
            return report
        for subscription_id in due:
            outcome = Outcome.RENEWED
            while outcome == Outcome.RENEWED:  # a missed term: the next one may be due too
                outcome = await renew_one_term(container, subscription_id)
                report.count(outcome)
        after = due[-1]


async def close_lapsed(container: Container) -> None:
    """Declined renewals whose window has closed end as FAILED: the subscription lapsed."""
    today = container.clock.today()
    async with UnitOfWork(container.db) as uow:
        before = auto_renewal.lapsed_if_starting_before(today)
        for order, line in await uow.orders.declined_renewals(started_before=before):
            closed = auto_renewal.retry_until(line.start_date - timedelta(days=1))
            reason = f"the renewal window closed on {closed} without a successful charge"
            uow.orders.record(order, OrderStatus.FAILED, ACTOR, container.clock.now(), reason)
        await uow.commit()


async def renew_one_term(container: Container, subscription_id: int) -> Outcome:
    """One term of one subscription, in one transaction."""
    today, now = container.clock.today(), container.clock.now()
    async with UnitOfWork(container.db) as uow:
        sub = await uow.subscriptions.get(subscription_id, for_update=True)
        # R02: never while a quote holds it (open or ORDER_SUBMITTED); re-read under the lock.
        if sub is None or not sub.auto_renew or sub.open_quote_id is not None:
            return Outcome.NOT_DUE
        term = auto_renewal.due_term(sub.end_date, sub.term, today)
        if term is None:
            return Outcome.NOT_DUE
        number = auto_renewal.order_number(sub.id, term.start_date)
        order = await uow.orders.by_number(number, for_update=True)
        if order is None:
            try:
                order = await _place(uow, sub, term, number, today, now)
            except DomainError as e:
                log.warning(
                    "automatic renewal of subscription %s not priced: %s", sub.id, ",".join(e.codes)
                )
                return Outcome.UNPRICED
        elif order.status == OrderStatus.COMPLETED:  # renewed, yet the term did not move
            return Outcome.NOT_DUE
        customer = await uow.customers.get(sub.customer_id)
        try:
            result = await container.payments.charge(
                Charge(
                    idempotency_key=auto_renewal.charge_key(order.number, order.declines),
                    order_number=order.number,
                    customer_csn=customer.csn,
                    amount=order.total,
                    currency=order.currency,
                    method=order.payment_method.value,
                )
            )
        except Exception as e:  # noqa: BLE001 - every failure is recorded on the order
            outcome = await _not_charged(uow, container, order, sub, customer.name, e)
            await uow.commit()
            return outcome
        order.payment_reference = result.reference
        uow.orders.record(order, OrderStatus.COMPLETED, ACTOR, now)
        await uow.subscriptions.move_term(sub.id, term.start_date, term.end_date)
        subject, body = renewed_email(
            customer_name=customer.name,
            subscription=sub.number,
            order_number=order.number,
            seat_count=sub.seats,
            term=sub.term,
            start=term.start_date,
            end=term.end_date,
            total=order.total,
            discount=order.discount_total,
            currency=order.currency,
        )
        await tell_buyers(uow, container, order, subject, body)
        await uow.commit()
        return Outcome.RENEWED


async def _place(
    uow: UnitOfWork,
    sub: m.Subscription,
    term: auto_renewal.DueTerm,
    number: str,
    today: date,
    now: datetime,
) -> m.Order:
    """The AUTO_RENEWAL order: a one-line RENEWAL priced on the renewal date (R11 promotions)."""
    request = LineRequest(sub.id, sub.product, sub.term, sub.currency, sub.seats)
    priced = await price_requests(uow, [request], today)
    (line,) = priced.lines
    order = m.Order(
        number=number,
        origin=OrderOrigin.AUTO_RENEWAL,
        status=OrderStatus.PENDING,
        quote_id=None,
        customer_id=sub.customer_id,
        reseller_id=sub.reseller_id,
        subtotal=priced.subtotal,
        discount_total=priced.discount_total,
        total=priced.total,
        currency=sub.currency,
        payment_method=sub.payment_method,
        declines=0,
        created_at=now,
    )
    order_line = m.OrderLine(
        subscription_id=sub.id,
        seats=sub.seats,
        term=sub.term,
        start_date=term.start_date,
        end_date=term.end_date,
        unit_price=line.unit_price,
        subtotal=line.subtotal,
        discount=line.discount,
        total=line.total,
    )
    return await uow.orders.place(order, [order_line], ACTOR, now)


async def _not_charged(
    uow: UnitOfWork,
    container: Container,
    order: m.Order,
    sub: m.Subscription,
    customer_name: str,
    error: Exception,
) -> Outcome:
    """Records why on the order; a decline is told to the buyers once (the first), and the next
    attempt gets a new key; an unknown outcome keeps the key, so the retry cannot charge twice."""
    now = container.clock.now()
    declined = isinstance(error, PaymentError) and error.permanent
    reason = f"{'declined' if declined else 'not settled'}: {error}"[:500]
    log.warning("automatic renewal order %s: %s", order.number, reason)
    if not declined:
        uow.orders.record(order, order.status, ACTOR, now, reason)
        return Outcome.UNSETTLED
    first = order.declines == 0
    order.declines += 1
    uow.orders.record(order, OrderStatus.PAYMENT_DECLINED, ACTOR, now, reason)
    if first:
        subject, body = declined_email(
            customer_name=customer_name,
            subscription=sub.number,
            order_number=order.number,
            end_date=sub.end_date,
            retry_until=auto_renewal.retry_until(sub.end_date),
            total=order.total,
            currency=order.currency,
        )
        await tell_buyers(uow, container, order, subject, body)
    return Outcome.DECLINED
