"""Quote emails (R13) and the buyers' notice when a quote closes without an order (R02, R10),
written to the durable outbox; `services/delivery.py` sends them."""

from datetime import date
from decimal import Decimal

from renewals.container import Container
from renewals.domain.enums import ContactRole, QuoteStatus, Role, Term
from renewals.domain.windows import may_auto_renew, natural_start, renewal_window
from renewals.persistence import models as m
from renewals.persistence.uow import UnitOfWork


def format_money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def seats(count: int) -> str:
    """ "1 seat", "5 seats"."""
    return f"{count} seat" if count == 1 else f"{count} seats"


def checkout_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/checkout?token={token}"


def quote_email(
    *,
    number: str,
    customer_name: str,
    expires_on: date,
    total: Decimal,
    discount_total: Decimal,
    currency: str,
    lines: list[str],
    link: str,
    kind: str = "renewal quote",
) -> tuple[str, str]:
    """Subject and text body: the quote number, its expiry date, the total incl. discounts, the link."""
    subject = f"Your {kind} {number} (total {format_money(total, currency)})"
    body = "\n".join(
        [
            f"Hello {customer_name},",
            "",
            f"your {kind} {number} is ready.",
            "",
            *[f"  - {line}" for line in lines],
            "",
            f"Quote number: {number}",
            f"Expires on: {expires_on.isoformat()}",
            f"Discounts: {format_money(discount_total, currency)}",
            f"Total (incl. discounts): {format_money(total, currency)} ({total:.2f} {currency})",
            "",
            "To accept and buy, open the checkout page:",
            link,
            "",
            "You can also find and buy this quote in your account under Billing & Orders > Quotes.",
        ]
    )
    return subject, body


TERM_WORDS = {Term.MONTHLY: "monthly", Term.ANNUAL: "annual", Term.THREE_YEAR: "three-year"}
CANCELLED_BY = {Role.PARTNER: "your partner", Role.SALES: "vendor sales"}
# A quote that closes without an order gives back the auto-renew it switched off (R02).
GIVES_BACK_AUTO_RENEW = frozenset({QuoteStatus.EXPIRED, QuoteStatus.CANCELLED, QuoteStatus.FAILED})


def renewal_on(end_date: date, today: date) -> str:
    """When an auto-renew subscription renews: the day after its end date, at the next daily run
    once that has passed, never once its renewal window has closed (R01)."""
    if not may_auto_renew(end_date, today):
        closed = renewal_window(end_date).closes_on.isoformat()
        return f"will not renew: its renewal window closed on {closed}"
    start = natural_start(end_date)
    return f"renews on {start.isoformat()}" if start > today else "renews at the next daily run"


def auto_renew_line(
    *, number: str, product: str, seat_count: int, term: Term, end_date: date, today: date
) -> str:
    """One subscription whose auto-renew is back on, with its current seats and term."""
    return (
        f"{number} {product}: {renewal_on(end_date, today)} "
        f"with {seats(seat_count)}, {TERM_WORDS[term]} term"
    )


def quote_closed_email(
    *,
    number: str,
    customer_name: str,
    status: QuoteStatus,
    cancelled_by: Role | None,
    reason: str | None,
    auto_renew_lines: list[str],
) -> tuple[str, str]:
    """Subject and text body: the quote was cancelled (by whom, why) and/or auto-renew is on again
    for these subscriptions (when each renews, with which seats and term)."""
    if status == QuoteStatus.CANCELLED:
        who = CANCELLED_BY.get(cancelled_by) if cancelled_by else None
        what = [f"your renewal quote {number} was cancelled" + (f" by {who}." if who else ".")]
        if reason:
            what.append(f"Reason: {reason}")
        subject = f"Your renewal quote {number} was cancelled"
        if auto_renew_lines:
            subject += "; auto-renew is on again"
    else:
        ended = "expired" if status == QuoteStatus.EXPIRED else "could not be completed"
        what = [f"your renewal quote {number} {ended} without an order."]
        subject = f"Auto-renew is on again: your renewal quote {number} {ended}"
    body = [f"Hello {customer_name},", "", *what]
    if auto_renew_lines:
        body += [
            "",
            "The quote had switched auto-renew off. Auto-renew is on again for:",
            *[f"  - {line}" for line in auto_renew_lines],
            "",
            "They renew with their current seats and term, not with the quote's.",
            "To change seats or term, ask for a new renewal quote before the renewal.",
        ]
    return subject, "\n".join(body)


async def write_quote_closed_email(
    uow: UnitOfWork,
    container: Container,
    quote: m.Quote,
    cancelled_by: Role | None = None,
    reason: str | None = None,
) -> None:
    """Tells the customer's buyers, through the outbox in the closing transaction (so at most once
    and never for a rolled-back change), that a quote was cancelled and/or that auto-renew it had
    switched off is back on (R02). Nothing to tell, or no BUYER contact: no email."""
    if quote.status not in GIVES_BACK_AUTO_RENEW:
        return
    switched = [ln for ln in await uow.quotes.lines(quote.id) if ln.auto_renew_switched_off]
    subs = await uow.subscriptions.by_ids(ln.subscription_id for ln in switched)
    # A subscription another quote holds meanwhile stays with that quote (R02).
    back_on = [subs[ln.subscription_id] for ln in switched]
    back_on = [s for s in back_on if s.open_quote_id in (None, quote.id)]
    if quote.status != QuoteStatus.CANCELLED and not back_on:
        return
    contacts = await uow.customers.contacts(quote.customer_id)
    buyers = [c.email for c in contacts if c.role == ContactRole.BUYER]
    if not buyers:
        return
    today = container.clock.today()
    subject, body = quote_closed_email(
        number=quote.number,
        customer_name=(await uow.customers.get(quote.customer_id)).name,
        status=quote.status,
        cancelled_by=cancelled_by,
        reason=reason,
        auto_renew_lines=[
            auto_renew_line(
                number=s.number,
                product=s.product,
                seat_count=s.seats,
                term=s.term,
                end_date=s.end_date,
                today=today,
            )
            for s in back_on
        ],
    )
    now = container.clock.now()
    for to in buyers:
        uow.emails.enqueue(quote.id, to, subject, body, now)
    await uow.flush()
