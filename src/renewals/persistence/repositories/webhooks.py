"""Webhook endpoints, the delivery outbox (claimed under a lease), attempts and reminders.

`owner` is the endpoint owner's partner id, or None for sales' endpoints."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from renewals.domain.enums import OPEN_STATUSES
from renewals.persistence import models as m
from renewals.persistence.repositories.base import Repository

E, D, A = m.WebhookEndpoint, m.WebhookDelivery, m.WebhookAttempt
PENDING, DELIVERED, FAILED = "PENDING", "DELIVERED", "FAILED"


def owned_by(owner: int | None) -> ColumnElement[bool]:
    return E.partner_id.is_(None) if owner is None else E.partner_id == owner


class WebhookRepository(Repository):
    async def count_endpoints(self, owner: int | None) -> int:
        return (
            await self.session.execute(select(func.count(E.id)).where(owned_by(owner)))
        ).scalar_one()

    async def add_endpoint(self, endpoint: m.WebhookEndpoint) -> m.WebhookEndpoint:
        self.session.add(endpoint)
        await self.session.flush()
        return endpoint

    async def endpoint(
        self, endpoint_id: int | None, owner: int | None
    ) -> m.WebhookEndpoint | None:
        """The owner's endpoint, locked for a change; None for another owner's."""
        if endpoint_id is None:
            return None
        stmt = select(E).where(E.id == endpoint_id, owned_by(owner))
        return (await self.session.execute(self.locked(stmt))).scalar_one_or_none()

    async def delete_endpoint(self, endpoint_id: int) -> None:
        await self.session.execute(delete(E).where(E.id == endpoint_id))

    async def listening(self, reseller_id: int | None) -> list[Any]:
        """Active endpoints that may hear of a quote with this reseller: sales' and its partner's."""
        owners: ColumnElement[bool] = E.partner_id.is_(None)
        if reseller_id is not None:
            owners = or_(owners, E.partner_id == reseller_id)
        stmt = select(E.id, E.events).where(E.active.is_(True), owners).order_by(E.id)
        return list((await self.session.execute(stmt)).all())

    async def listening_with_facts(self, reseller_id: int | None, quote_id: int) -> list[Any]:
        """`listening`, each row with the quote's `quote_facts` (one statement, no row if no
        endpoint listens)."""
        owners: ColumnElement[bool] = E.partner_id.is_(None)
        if reseller_id is not None:
            owners = or_(owners, E.partner_id == reseller_id)
        stmt = (
            select(
                E.id,
                E.events,
                m.Quote.number,
                m.Quote.type,
                m.Quote.expires_on,
                m.Customer.csn.label("customer_csn"),
                m.Partner.csn.label("reseller_csn"),
            )
            .select_from(E)
            .join(m.Quote, m.Quote.id == quote_id)
            .join(m.Customer, m.Customer.id == m.Quote.customer_id)
            .outerjoin(m.Partner, m.Partner.id == m.Quote.reseller_id)
            .where(E.active.is_(True), owners)
            .order_by(E.id)
        )
        return list((await self.session.execute(stmt)).all())

    async def insert_deliveries(self, rows: list[dict[str, Any]]) -> None:
        """`add_deliveries`, written at once in one statement."""
        if rows:
            await self.session.execute(insert(cast(Table, D.__table__)), rows)

    def add_deliveries(self, rows: list[dict[str, Any]]) -> None:
        self.session.add_all(D(**row) for row in rows)

    async def claim_next(self, now: datetime, lease_until: datetime) -> Any | None:
        """The oldest due PENDING delivery whose lease (if any) ran out, leased until
        `lease_until`: a worker killed mid-POST leaves the lease to expire, then another retries."""
        stmt = (
            select(
                D.id,
                D.uid,
                D.body,
                D.event_type,
                D.attempts,
                D.window_started_at,
                D.window_attempts,
                E.url,
                E.secret,
                E.previous_secret,
                E.previous_secret_until,
            )
            .join(E, E.id == D.endpoint_id)
            .where(
                D.status == PENDING,
                D.next_attempt_at <= now,
                or_(D.locked_until.is_(None), D.locked_until <= now),
            )
            .order_by(D.next_attempt_at, D.id)
            .limit(1)
        )
        if not self.is_sqlite:  # lock the delivery only: other senders skip it, not its endpoint
            stmt = stmt.with_for_update(of=D, skip_locked=True)
        row = (await self.session.execute(stmt)).first()
        if row is not None:
            await self.update(
                update(D)
                .where(D.id == row.id)
                .values(
                    locked_until=lease_until,
                    attempts=D.attempts + 1,
                    window_attempts=D.window_attempts + 1,
                )
            )
        return row

    async def start_attempt(self, delivery_id: int, now: datetime) -> int:
        """The attempt's row, written with the claim: a sender killed before the answer leaves
        it saying so."""
        attempt = A(
            delivery_id=delivery_id,
            attempted_at=now,
            duration_ms=0,
            error="no outcome: the sender stopped before an answer",
        )
        self.session.add(attempt)
        await self.session.flush()
        return attempt.id

    async def end_attempt(self, attempt_id: int, **values: Any) -> None:
        await self.update(update(A).where(A.id == attempt_id).values(**values))

    async def finish(self, delivery_id: int, **values: Any) -> None:
        """The attempt's outcome: DELIVERED, PENDING with the next attempt, or FAILED."""
        await self.update(update(D).where(D.id == delivery_id).values(locked_until=None, **values))

    async def requeue(self, uid: str, owner: int | None, now: datetime) -> int | None:
        """The owner's delivery, PENDING and due now in a new retry window; its id, or None."""
        stmt = select(D.id).join(E, E.id == D.endpoint_id).where(D.uid == uid, owned_by(owner))
        delivery_id = (await self.session.execute(stmt)).scalar_one_or_none()
        if delivery_id is not None:
            await self.update(
                update(D)
                .where(D.id == delivery_id)
                .values(
                    status=PENDING,
                    next_attempt_at=now,
                    window_started_at=now,
                    window_attempts=0,
                    delivered_at=None,
                )
            )
        return delivery_id

    async def reminder_due(self, today: date, until: date, after: int, limit: int) -> list[Any]:
        """Open quotes expiring from today to `until` with no reminder written yet (id, status,
        reseller_id), by id after `after`."""
        stmt = (
            select(m.Quote.id, m.Quote.status, m.Quote.reseller_id)
            .outerjoin(m.WebhookReminder, m.WebhookReminder.quote_id == m.Quote.id)
            .where(
                m.Quote.status.in_(OPEN_STATUSES),
                m.Quote.expires_on >= today,
                m.Quote.expires_on <= until,
                m.WebhookReminder.quote_id.is_(None),
                m.Quote.id > after,
            )
            .order_by(m.Quote.id)
            .limit(limit)
        )
        if not self.is_sqlite:  # two job runners never write one quote's reminder twice
            stmt = stmt.with_for_update(of=m.Quote, skip_locked=True)
        return list((await self.session.execute(stmt)).all())

    async def mark_reminded(self, quote_id: int, now: datetime) -> None:
        await self.session.execute(
            insert(m.WebhookReminder).values(quote_id=quote_id, written_at=now)
        )


# Read side (the API's queries, on the read engine) -----------------------------------------


@dataclass(frozen=True)
class DeliveryQuery:
    owner: int | None
    endpoint_id: int | None = None
    status: str | None = None
    event_type: str | None = None


def _delivery_where(q: DeliveryQuery) -> list[ColumnElement[bool]]:
    where = [owned_by(q.owner)]
    if q.endpoint_id is not None:
        where.append(D.endpoint_id == q.endpoint_id)
    if q.status is not None:
        where.append(D.status == q.status)
    if q.event_type is not None:
        where.append(D.event_type == q.event_type)
    return where


async def endpoints_of(conn: AsyncConnection, owner: int | None) -> list[Any]:
    stmt = select(E.__table__).where(owned_by(owner)).order_by(E.id)
    return list((await conn.execute(stmt)).all())


async def delivery_page(
    conn: AsyncConnection, q: DeliveryQuery, after_id: int | None, limit: int
) -> list[Any]:
    """Newest first (keyset by id)."""
    stmt = select(D.__table__).join(E, E.id == D.endpoint_id).where(*_delivery_where(q))
    if after_id is not None:
        stmt = stmt.where(D.id < after_id)
    return list((await conn.execute(stmt.order_by(D.id.desc()).limit(limit))).all())


async def delivery_count(conn: AsyncConnection, q: DeliveryQuery) -> int:
    stmt = select(func.count(D.id)).join(E, E.id == D.endpoint_id).where(*_delivery_where(q))
    return (await conn.execute(stmt)).scalar_one()


async def delivery_by_uid(conn: AsyncConnection, uid: str, owner: int | None) -> Any | None:
    stmt = select(D.__table__).join(E, E.id == D.endpoint_id).where(D.uid == uid, owned_by(owner))
    return (await conn.execute(stmt)).first()


async def attempts_of(conn: AsyncConnection, delivery_ids: list[int]) -> dict[int, list[Any]]:
    """Every attempt of these deliveries, oldest first, in one statement."""
    found: dict[int, list[Any]] = {i: [] for i in delivery_ids}
    if delivery_ids:
        stmt = select(A.__table__).where(A.delivery_id.in_(delivery_ids)).order_by(A.id)
        for row in (await conn.execute(stmt)).all():
            found[row.delivery_id].append(row)
    return found
