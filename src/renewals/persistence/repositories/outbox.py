"""Durable jobs (finalize a quote, fulfil an order) written in the transaction that needs them."""

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select

from renewals.observability import tracing
from renewals.persistence import models as m
from renewals.persistence.models import JobStatus
from renewals.persistence.repositories.base import Repository

J = m.OutboxJob


ADD_JOB = insert(cast(Table, J.__table__))


def job_row(
    kind: str, quote_id: int, now: datetime, traceparent: str | None = None
) -> dict[str, Any]:
    """A new PENDING job's columns, carrying the current trace (or `traceparent`, read once for
    many rows)."""
    return {
        "kind": kind,
        "quote_id": quote_id,
        "status": JobStatus.PENDING,
        "attempts": 0,
        "run_after": now,
        "created_at": now,
        "traceparent": traceparent or tracing.current_traceparent(),
    }


class OutboxRepository(Repository):
    async def add(self, kind: str, quote_id: int, now: datetime) -> None:
        """`enqueue`, written at once by a statement built once (the create path's)."""
        await self.session.execute(ADD_JOB, job_row(kind, quote_id, now))

    def enqueue(self, kind: str, quote_id: int, now: datetime) -> None:
        self.session.add(J(**job_row(kind, quote_id, now)))

    async def next_due(self, now: datetime) -> m.OutboxJob | None:
        """The oldest due job, locked for this transaction (others skip it on PostgreSQL)."""
        stmt = (
            select(J)
            .where(J.status == JobStatus.PENDING, J.run_after <= now)
            .order_by(J.id)
            .limit(1)
        )
        return (
            await self.session.execute(self.locked(stmt, skip_locked=True))
        ).scalar_one_or_none()

    async def next_due_batch(self, now: datetime, size: int) -> list[m.OutboxJob]:
        """Up to `size` due jobs, oldest first, locked for this transaction (one statement;
        another claimer skips them on PostgreSQL)."""
        stmt = (
            select(J)
            .where(J.status == JobStatus.PENDING, J.run_after <= now)
            .order_by(J.id)
            .limit(size)
        )
        return list((await self.session.execute(self.locked(stmt, skip_locked=True))).scalars())

    async def get(self, job_id: int) -> m.OutboxJob:
        return (await self.session.execute(select(J).where(J.id == job_id))).scalar_one()
