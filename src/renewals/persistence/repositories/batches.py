"""Set-based reads and writes for the jobs that handle many quotes at once (R12 creation, the
worker's finalization): each method is one statement for the whole set, Core rather than ORM
objects (no identity map, no per-row unit of work)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, case, delete, insert, literal, or_, select, update

from renewals.domain.enums import QuoteStatus
from renewals.observability import tracing
from renewals.persistence import models as m
from renewals.persistence.models import JobStatus
from renewals.persistence.repositories.base import Repository
from renewals.persistence.repositories.outbox import job_row


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


quotes_t, lines_t, subs_t = _table(m.Quote), _table(m.QuoteLine), _table(m.Subscription)
jobs_t, endpoints_t = _table(m.OutboxJob), _table(m.WebhookEndpoint)


class BatchRepository(Repository):
    async def insert(self, model: Any, rows: Sequence[dict[str, Any]]) -> None:
        """Rows of one table in one statement (executemany); nothing for no rows."""
        if rows:
            await self.session.execute(insert(model.__table__), list(rows))

    async def insert_returning_ids(
        self, model: Any, rows: Sequence[dict[str, Any]], key: str
    ) -> list[int]:
        """Rows of one table in one statement; their ids, in the order of `rows`, matched by
        `key`, a column whose value is unique among the rows (RETURNING has no order, and asking
        SQLAlchemy for one makes it insert row by row on SQLite)."""
        if not rows:
            return []
        table = model.__table__
        stmt = insert(table).returning(table.c.id, table.c[key])
        found = {k: pk for pk, k in await self.session.execute(stmt, list(rows))}
        return [found[row[key]] for row in rows]

    async def update_by_id(self, model: Any, rows: Sequence[dict[str, Any]]) -> None:
        """Each row's values (keys other than `id`) on the row of that id, in one statement
        (`SET column = CASE id WHEN ... END`): not an executemany, whose statements each plan
        alone (PostgreSQL: a generic plan from stale statistics can scan the table each time)."""
        if not rows:
            return
        table = _table(model)
        keys = [k for k in rows[0] if k != "id"]
        values = {
            k: case(
                {row["id"]: literal(row[k], table.c[k].type) for row in rows},
                value=table.c.id,
            )
            for k in keys
        }
        ids = [row["id"] for row in rows]
        await self.update(update(table).where(table.c.id.in_(ids)).values(values))

    async def put_on_quotes(self, claims: dict[int, int]) -> bool:
        """Guarded, as put_on_quote: each subscription (key) on its quote (value) only if it is
        on no open quote; False if another quote took one first (then nothing may be kept)."""
        changed = await self.update(
            update(subs_t)
            .where(subs_t.c.id.in_(list(claims)), subs_t.c.open_quote_id.is_(None))
            .values(open_quote_id=case(claims, value=subs_t.c.id))
        )
        return changed == len(claims)

    async def enqueue_jobs(self, kind: str, quote_ids: Sequence[int], now: datetime) -> None:
        """A durable job per quote, as OutboxRepository.enqueue writes them."""
        traceparent = tracing.current_traceparent()
        await self.insert(
            m.OutboxJob,
            [job_row(kind, quote_id, now, traceparent) for quote_id in quote_ids],
        )

    async def quotes_for_update(self, ids: Sequence[int]) -> list[Any]:
        """These quotes' rows, locked for this transaction (PostgreSQL), by id."""
        stmt = select(quotes_t).where(quotes_t.c.id.in_(list(ids))).order_by(quotes_t.c.id)
        return list((await self.session.execute(self.locked(stmt))).all())

    async def lines_of(self, quote_ids: Sequence[int]) -> list[Any]:
        """These quotes' lines, in position order."""
        stmt = (
            select(lines_t)
            .where(lines_t.c.quote_id.in_(list(quote_ids)))
            .order_by(lines_t.c.quote_id, lines_t.c.position)
        )
        return list((await self.session.execute(stmt)).all())

    async def products(self, subscription_ids: Sequence[int]) -> dict[int, Any]:
        """(number, product) of these subscriptions, by id (apart from the lines: a join lets
        PostgreSQL pick a scan of every subscription when its statistics are stale)."""
        stmt = select(subs_t.c.id, subs_t.c.number, subs_t.c.product).where(
            subs_t.c.id.in_(list(set(subscription_ids)))
        )
        return {row.id: row for row in await self.session.execute(stmt)}

    async def customers(self, ids: Sequence[int]) -> dict[int, Any]:
        t = m.Customer.__table__
        rows = await self.session.execute(select(t).where(t.c.id.in_(list(ids))))
        return {row.id: row for row in rows}

    async def recipients_of(self, quote_ids: Sequence[int]) -> list[Any]:
        """(quote_id, email) of these quotes' recipients, in the order they were written."""
        t = m.QuoteRecipient.__table__
        stmt = select(t.c.quote_id, t.c.email).where(t.c.quote_id.in_(list(quote_ids)))
        return list((await self.session.execute(stmt.order_by(t.c.id))).all())

    async def drop_promotions(self, quote_ids: Sequence[int]) -> None:
        t = _table(m.QuotePromotion)
        await self.session.execute(delete(t).where(t.c.quote_id.in_(list(quote_ids))))

    async def move(
        self, quote_ids: Sequence[int], current: QuoteStatus, target: QuoteStatus
    ) -> bool:
        """Guarded, as QuoteRepository.move: every quote still `current`, or False (none may
        be kept)."""
        changed = await self.update(
            update(quotes_t)
            .where(quotes_t.c.id.in_(list(quote_ids)), quotes_t.c.status == current)
            .values(status=target, failure_reason=None)
        )
        return changed == len(quote_ids)

    async def jobs_done(self, job_ids: Sequence[int]) -> None:
        """DONE, one attempt more (as the worker records a job that ran)."""
        await self.update(
            update(jobs_t)
            .where(jobs_t.c.id.in_(list(job_ids)))
            .values(status=JobStatus.DONE, attempts=jobs_t.c.attempts + 1)
        )

    async def listening(self, reseller_ids: Sequence[int | None]) -> list[Any]:
        """Active endpoints (id, events, partner_id) that may hear of quotes of these resellers:
        sales' and those partners'."""
        owners: ColumnElement[bool] = endpoints_t.c.partner_id.is_(None)
        partners = [r for r in set(reseller_ids) if r is not None]
        if partners:
            owners = or_(owners, endpoints_t.c.partner_id.in_(partners))
        stmt = (
            select(endpoints_t.c.id, endpoints_t.c.events, endpoints_t.c.partner_id)
            .where(endpoints_t.c.active.is_(True), owners)
            .order_by(endpoints_t.c.id)
        )
        return list((await self.session.execute(stmt)).all())

    async def quote_facts(self, quote_ids: Sequence[int]) -> dict[int, Any]:
        """What an event tells of each quote, as WebhookRepository.quote_facts, by quote id."""
        stmt = (
            select(
                m.Quote.id,
                m.Quote.number,
                m.Quote.type,
                m.Quote.expires_on,
                m.Customer.csn.label("customer_csn"),
                m.Partner.csn.label("reseller_csn"),
            )
            .join(m.Customer, m.Customer.id == m.Quote.customer_id)
            .outerjoin(m.Partner, m.Partner.id == m.Quote.reseller_id)
            .where(m.Quote.id.in_(list(quote_ids)))
        )
        return {row.id: row for row in await self.session.execute(stmt)}
