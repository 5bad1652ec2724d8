"""The buyers' emails about automatic renewals (R02): renewed, or the charge was declined."""

from datetime import date
from decimal import Decimal

from renewals.container import Container
from renewals.domain.enums import ContactRole, Term
from renewals.persistence import models as m
from renewals.persistence.uow import UnitOfWork
from renewals.services.mail import TERM_WORDS, format_money, seats


def renewed_email(
    *,
    customer_name: str,
    subscription: str,
    order_number: str,
    seat_count: int,
    term: Term,
    start: date,
    end: date,
    total: Decimal,
    discount: Decimal,
    currency: str,
) -> tuple[str, str]:
    """Subject and text body: what renewed, for which period, what was charged."""
    subject = f"Your subscription {subscription} renewed automatically (order {order_number})"
    body = [
        f"Hello {customer_name},",
        "",
        f"your subscription {subscription} renewed automatically:",
        f"  {seats(seat_count)}, {TERM_WORDS[term]} term, {start.isoformat()} to {end.isoformat()}",
        "",
        f"Order number: {order_number}",
    ]
    if discount:
        body.append(f"Discounts: {format_money(discount, currency)}")
    body += [
        f"Charged (incl. discounts): {format_money(total, currency)}",
        "",
        "To change seats or term next time, ask for a renewal quote before the end date,",
        "or switch auto-renew off in your account.",
    ]
    return subject, "\n".join(body)


def declined_email(
    *,
    customer_name: str,
    subscription: str,
    order_number: str,
    end_date: date,
    retry_until: date,
    total: Decimal,
    currency: str,
) -> tuple[str, str]:
    """Subject and text body: the charge was declined; when it is tried again, until when."""
    subject = f"Action needed: the automatic renewal of {subscription} could not be charged"
    body = [
        f"Hello {customer_name},",
        "",
        f"the automatic renewal of your subscription {subscription} (order {order_number},",
        f"{format_money(total, currency)}) could not be charged: the payment was declined.",
        "",
        f"The subscription ended on {end_date.isoformat()} and is not renewed yet.",
        f"We try the charge again every day until {retry_until.isoformat()}; after that it",
        "lapses and can no longer renew automatically.",
        "",
        "Please check the payment method on file, or ask for a renewal quote.",
    ]
    return subject, "\n".join(body)


async def tell_buyers(
    uow: UnitOfWork, container: Container, order: m.Order, subject: str, body: str
) -> int:
    """The email to each BUYER contact, through the outbox in the order's transaction; the number
    written (none without a BUYER contact)."""
    contacts = await uow.customers.contacts(order.customer_id)
    buyers = [c.email for c in contacts if c.role == ContactRole.BUYER]
    now = container.clock.now()
    for to in buyers:
        uow.emails.enqueue(None, to, subject, body, now, order_id=order.id)
    return len(buyers)
