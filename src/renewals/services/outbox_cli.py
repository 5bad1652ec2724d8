"""`renewals emails`: lists the email outbox (bodies only on request: they hold checkout links),
with each failure's reason, and requeues a row a person checked."""

from renewals.clock import SystemClock
from renewals.config import Settings
from renewals.persistence.db import create_database
from renewals.persistence.models import EmailStatus
from renewals.persistence.uow import UnitOfWork


async def list_emails(settings: Settings, *, status: str | None, show_body: bool) -> list[str]:
    db = create_database(settings.database_url)
    try:
        async with UnitOfWork(db) as uow:
            rows = await uow.emails.listing(status)
    finally:
        await db.dispose()
    out = []
    for r in rows:
        line = f"#{r.id} {r.status} to={r.to_address} attempts={r.attempts} subject={r.subject!r}"
        if r.attachment_name:  # the name only: the PDF holds the checkout link
            line += f" attachment={r.attachment_name}"
        if r.last_error and r.status != EmailStatus.SENT:
            label = "reason" if r.status == EmailStatus.FAILED else "last_error"
            line += f" {label}={r.last_error!r}"
        out.append(line)
        if show_body:
            out += [r.body, "-" * 60]
    return out


async def requeue_email(settings: Settings, email_id: int) -> str | None:
    """A SENDING row (a person checked it was not delivered) or a FAILED one is PENDING and due
    now; the problem otherwise."""
    db = create_database(settings.database_url)
    try:
        async with UnitOfWork(db) as uow:
            if await uow.emails.requeue(email_id, SystemClock().now()):
                await uow.commit()
                return None
            status = await uow.emails.status_of(email_id)
    finally:
        await db.dispose()
    if status is None:
        return f"no email #{email_id}"
    return f"email #{email_id} is {status}; only SENDING or FAILED emails can be requeued"
