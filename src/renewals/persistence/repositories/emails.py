"""The email outbox: due rows claimed in their own transaction, then marked with SMTP's answer."""

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update

from renewals.persistence import models as m
from renewals.persistence.models import EmailStatus
from renewals.persistence.repositories.base import Repository

E = m.Email


def _to_recipients() -> Any:
    """INSERT … SELECT: one email per recipient of a quote (built once, then reused)."""
    r, t = m.QuoteRecipient.__table__, cast(Table, E.__table__)
    columns = (
        "quote_id",
        "subject",
        "body",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "attachment_name",
    )
    rows = (
        select(r.c.email, *(bindparam(c, type_=t.c[c].type) for c in columns))
        .where(r.c.quote_id == bindparam("quote_id"))
        .order_by(r.c.id)
    )
    return insert(t).from_select(["to_address", *columns], rows)


TO_RECIPIENTS = _to_recipients()


class EmailRepository(Repository):
    def enqueue(
        self,
        quote_id: int | None,
        to: str,
        subject: str,
        body: str,
        now: datetime,
        *,
        order_id: int | None = None,
        attachment: tuple[str, bytes | None] | None = None,
    ) -> None:
        """One email into the outbox, due at once (written with the transaction that needs it);
        about a quote, or about an order that has none (an automatic renewal); `attachment` is a
        PDF (file name, bytes) sent with it."""
        self.session.add(
            E(
                quote_id=quote_id,
                order_id=order_id,
                to_address=to,
                subject=subject[:300],
                body=body,
                status=EmailStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                attachment_name=attachment[0] if attachment else None,
                attachment=attachment[1] if attachment else None,
            )
        )

    async def enqueue_to_recipients(
        self,
        quote_id: int,
        subject: str,
        body: str,
        now: datetime,
        attachment_name: str | None = None,
    ) -> None:
        """One email per recipient of the quote, in their order, due at once: what `enqueue`
        writes for each, in one statement that reads the recipients itself."""
        values = {
            "quote_id": quote_id,
            "subject": subject[:300],
            "body": body,
            "status": EmailStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "attachment_name": attachment_name,
        }
        await self.session.execute(TO_RECIPIENTS, values)

    async def claim_next(self, now: datetime) -> Any | None:
        """The oldest due PENDING row (id, to, subject, body, attempts, attachment_name,
        attachment, quote_id), now SENDING, or None.
        One row at a time: a failure or a stop can only ever concern the row in hand. Another
        worker skips a row locked here (PostgreSQL) and no longer sees it once this commits."""
        stmt = (
            select(
                E.id,
                E.to_address,
                E.subject,
                E.body,
                E.attempts,
                E.attachment_name,
                E.attachment,
                E.quote_id,
            )
            .where(E.status == EmailStatus.PENDING, E.next_attempt_at <= now)
            .order_by(E.id)
            .limit(1)
        )
        row = (await self.session.execute(self.locked(stmt, skip_locked=True))).first()
        if row is not None:
            await self.update(update(E).where(E.id == row.id).values(status=EmailStatus.SENDING))
        return row

    async def keep_attachment(self, email_id: int, attachment: bytes) -> None:
        """The PDF rendered at the first sending, kept for the retries and the record."""
        await self.update(update(E).where(E.id == email_id).values(attachment=attachment))

    async def release(self, email_id: int) -> None:
        """A claimed row that never reached SMTP is PENDING again, its attempts unchanged."""
        await self.update(
            update(E)
            .where(E.id == email_id, E.status == EmailStatus.SENDING)
            .values(status=EmailStatus.PENDING)
        )

    async def requeue(self, email_id: int, now: datetime) -> bool:
        """A SENDING row a person checked (not delivered) or a FAILED one, due again now."""
        changed = await self.update(
            update(E)
            .where(E.id == email_id, E.status.in_([EmailStatus.SENDING, EmailStatus.FAILED]))
            .values(status=EmailStatus.PENDING, next_attempt_at=now)
        )
        return changed == 1

    async def record(self, email_id: int, **values: Any) -> None:
        """SMTP's answer: SENT, PENDING again with its next attempt, or FAILED."""
        await self.update(update(E).where(E.id == email_id).values(**values))

    async def status_of(self, email_id: int) -> str | None:
        return (await self.session.execute(select(E.status).where(E.id == email_id))).scalar()

    async def listing(self, status: str | None) -> list[Any]:
        stmt = select(E.__table__).order_by(E.id)
        if status:
            stmt = stmt.where(E.status == status)
        return list((await self.session.execute(stmt)).all())
