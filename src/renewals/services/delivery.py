"""Delivery of the email outbox over SMTP when configured: one row at a time, each at most
once, retried with backoff; a failure or a stop concerns only the row in hand."""

import asyncio
import contextlib
import logging
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote, urlparse

import aiosmtplib

from renewals.container import Container
from renewals.domain.email import is_email_address
from renewals.domain.retry import RetryPolicy
from renewals.observability import tracing
from renewals.persistence.models import EmailStatus
from renewals.persistence.uow import UnitOfWork
from renewals.services.quote_pdf import render_emailed_pdf

log = logging.getLogger("renewals.mail")
RETRY = RetryPolicy(max_attempts=8, cap=timedelta(minutes=10))
MAX_ATTEMPTS = RETRY.max_attempts


class SmtpTarget:
    def __init__(self, url: str, timeout: float = 10) -> None:
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
        self.start_tls = parsed.scheme == "smtp+starttls"
        # Per connect and per command: a hung server costs one email this long, not a batch.
        self.timeout = timeout

    def client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            timeout=self.timeout,
        )


class InvalidEmail(ValueError):
    """A row that can never be sent as it is (say, an address written before today's rule)."""


def build_message(
    sender: str,
    email_id: int,
    to: str,
    subject: str,
    body: str,
    attachment: tuple[str, bytes] | None = None,
) -> EmailMessage:
    """One message to one mailbox, with its PDF if it has one; header values built by the email
    package, never pasted."""
    if not is_email_address(to):
        raise InvalidEmail(f"not one plain email address: {to!r}")
    message = EmailMessage()
    message["From"] = Address(addr_spec=sender)
    message["To"] = Address(addr_spec=to)
    message["Subject"] = subject
    # Stable per outbox row, so a mail system can recognise the same message.
    message["Message-ID"] = f"<quote-email-{email_id}@renewals>"
    message.set_content(body)
    if attachment is not None:
        filename, data = attachment
        message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return message


async def deliver_pending(
    container: Container, limit: int = 50, stop: asyncio.Event | None = None
) -> int:
    """Sends due emails, one row at a time and each at most once; the number sent.

    A claim moves one row to SENDING in its own transaction (two workers never claim one row);
    SMTP's answer moves it to SENT, or back to PENDING with backoff (FAILED after MAX_ATTEMPTS);
    any other failure of that row makes it FAILED with its reason, and the next row goes on.
    A stop (or cancellation) before the row reached SMTP puts it back to PENDING. A process that
    dies mid-send leaves the row SENDING: its outcome is unknown, so it is not sent again
    (`renewals emails --status SENDING` lists such rows, `renewals emails --requeue ID` resends one).
    """
    if not container.settings.smtp_url:
        return 0
    if not is_email_address(container.settings.smtp_from):
        # A configuration error, not the emails' fault: they wait, PENDING, until it is fixed.
        log.error("RENEWALS_SMTP_FROM is not one plain email address; no email is sent")
        return 0
    target = SmtpTarget(container.settings.smtp_url, container.settings.smtp_timeout_seconds)
    sent = 0
    for _ in range(limit):
        if stop is not None and stop.is_set():
            break
        outcome = await _deliver_next(container, target)
        if outcome is None:
            break
        sent += outcome
    return sent


class _Claim:
    """The row in hand and whether SMTP has it yet (then a stop must not put it back)."""

    def __init__(self) -> None:
        self.email_id: int | None = None
        self.handed = False


async def _deliver_next(container: Container, target: SmtpTarget) -> bool | None:
    """Claims and sends the next due row: True if sent, False if not, None when none is due."""
    claim = _Claim()
    try:
        async with UnitOfWork(container.db) as uow:
            row = await uow.emails.claim_next(container.clock.now())
            await uow.commit()
            if row is None:
                return None
            claim.email_id = row.id
        with tracing.span("smtp.send", **{"email.id": row.id}):
            outcome = await _send_one(container, target, claim, row)
    except BaseException:
        if claim.email_id is not None and not claim.handed:
            await asyncio.shield(_release(container, claim.email_id))
        raise
    async with UnitOfWork(container.db) as uow:
        await uow.emails.record(row.id, **outcome)
        await uow.commit()
    return outcome["status"] == EmailStatus.SENT


async def _with_attachment(container: Container, row: Any) -> Any:
    """A quote email's PDF is rendered at its first sending (not when the quote was finalized)
    and kept on the row before SMTP sees it: a retry sends the very same bytes."""
    if row.attachment is not None or not row.attachment_name or row.quote_id is None:
        return row
    pdf = await render_emailed_pdf(container, row.quote_id)
    if pdf is None:
        raise InvalidEmail(f"the PDF of quote {row.quote_id} cannot be rendered")
    async with UnitOfWork(container.db) as uow:
        await uow.emails.keep_attachment(row.id, pdf)
        await uow.commit()
    return SimpleNamespace(**{**row._asdict(), "attachment": pdf})


async def _release(container: Container, email_id: int) -> None:
    async with UnitOfWork(container.db) as uow:
        await uow.emails.release(email_id)
        await uow.commit()


async def _send_one(
    container: Container, target: SmtpTarget, claim: _Claim, row: Any
) -> dict[str, object]:
    """One SMTP delivery; the row's new values: SENT, PENDING again with backoff, or FAILED."""
    email_id, to, attempts = row.id, row.to_address, row.attempts
    sender = container.settings.smtp_from
    try:
        row = await _with_attachment(container, row)
        pdf = (row.attachment_name, row.attachment) if row.attachment is not None else None
        message = build_message(sender, email_id, to, row.subject, row.body, pdf)
        smtp = target.client()
        await smtp.connect()
        try:
            claim.handed = True
            # The envelope names the one recipient: never read from headers.
            await smtp.send_message(message, sender=sender, recipients=[to])
        finally:
            smtp.close()
    except (aiosmtplib.SMTPException, OSError) as e:
        log.warning(
            "email %s delivery failed (attempt %s): %s", email_id, attempts + 1, type(e).__name__
        )
        failed: dict[str, object] = {"attempts": attempts + 1, "last_error": str(e)[:500]}
        retry_at = RETRY.next_attempt_at(attempts + 1, container.clock.now())
        if retry_at is None:
            return failed | {"status": EmailStatus.FAILED}
        return failed | {"status": EmailStatus.PENDING, "next_attempt_at": retry_at}
    except Exception as e:  # noqa: BLE001 - retrying will not fix it; the other rows go on
        log.warning("email %s cannot be sent: %s", email_id, type(e).__name__)
        return {
            "status": EmailStatus.FAILED,
            "attempts": attempts + 1,
            "last_error": f"{type(e).__name__}: {e}"[:500],
        }
    return {"status": EmailStatus.SENT, "sent_at": container.clock.now()}


async def mail_loop(container: Container, stop: asyncio.Event) -> None:
    """The in-process sender of `serve`, beside the job loop: a slow or hung SMTP server never
    delays finalization or fulfilment. Woken when a job round wrote emails, else polls."""
    interval = container.settings.worker_interval_seconds
    while not stop.is_set():
        container.mail_ready.clear()
        try:
            await deliver_pending(container, stop=stop)
        except Exception:  # noqa: BLE001 - the loop must survive a bad round
            log.exception("mail round failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(container.mail_ready.wait(), timeout=interval)
