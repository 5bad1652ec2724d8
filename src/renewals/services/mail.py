"""Quote emails (R13) and their delivery: a durable outbox, SMTP when configured, retried."""

import logging
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

import aiosmtplib

from renewals.container import Container
from renewals.domain.retry import RetryPolicy
from renewals.persistence.models import EmailStatus
from renewals.persistence.uow import UnitOfWork

log = logging.getLogger("renewals.mail")
RETRY = RetryPolicy(max_attempts=8, cap=timedelta(minutes=10))
MAX_ATTEMPTS = RETRY.max_attempts


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
) -> tuple[str, str]:
    """Subject and text body: the quote number, its expiry date, the total incl. discounts, the link."""
    subject = f"Your renewal quote {number} (total {format_money(total, currency)})"
    body = "\n".join(
        [
            f"Hello {customer_name},",
            "",
            f"your renewal quote {number} is ready.",
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


class SmtpTarget:
    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("smtp", "smtps", "smtp+starttls"):
            raise ValueError(
                f"RENEWALS_SMTP_URL must start with smtp://, smtps:// or smtp+starttls://: {url}"
            )
        self.hostname = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or (465 if parsed.scheme == "smtps" else 25)
        self.username = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        self.use_tls = parsed.scheme == "smtps"
        self.start_tls = (
            True if parsed.scheme == "smtp+starttls" else None if parsed.scheme == "smtp" else False
        )

    async def send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=False if self.start_tls is None else self.start_tls,
            timeout=20,
        )


async def deliver_pending(container: Container, limit: int = 50) -> int:
    """Sends due emails, each at most once.

    A claim moves the row to SENDING in its own transaction (two workers never claim one row);
    SMTP's answer moves it to SENT, or back to PENDING with backoff (FAILED after MAX_ATTEMPTS).
    A process that dies mid-send leaves the row SENDING: its outcome is unknown, so it is not sent
    again (`renewals emails --status SENDING` lists such rows for a person to check).
    """
    if not container.settings.smtp_url:
        return 0
    target = SmtpTarget(container.settings.smtp_url)
    now = container.clock.now()
    async with UnitOfWork(container.db) as uow:
        due = await uow.emails.claim_due(now, limit)
        await uow.commit()
    sent = 0
    for email_id, to, subject, body, attempts in due:
        outcome = await _send_one(container, target, email_id, to, subject, body, attempts)
        sent += outcome["status"] == EmailStatus.SENT
        async with UnitOfWork(container.db) as uow:
            await uow.emails.record(email_id, **outcome)
            await uow.commit()
    return sent


async def _send_one(
    container: Container,
    target: SmtpTarget,
    email_id: int,
    to: str,
    subject: str,
    body: str,
    attempts: int,
) -> dict[str, object]:
    """One SMTP delivery; the row's new values: SENT, PENDING again with backoff, or FAILED."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = container.settings.smtp_from, to, subject
    # Stable per outbox row, so a mail system can recognise the same message.
    message["Message-ID"] = f"<quote-email-{email_id}@renewals>"
    message.set_content(body)
    try:
        await target.send(message)
    except (aiosmtplib.SMTPException, OSError) as e:
        log.warning(
            "email %s delivery failed (attempt %s): %s", email_id, attempts + 1, type(e).__name__
        )
        failed: dict[str, object] = {"attempts": attempts + 1, "last_error": str(e)[:500]}
        retry_at = RETRY.next_attempt_at(attempts + 1, container.clock.now())
        if retry_at is None:
            return failed | {"status": EmailStatus.FAILED}
        return failed | {"status": EmailStatus.PENDING, "next_attempt_at": retry_at}
    return {"status": EmailStatus.SENT, "sent_at": container.clock.now()}
