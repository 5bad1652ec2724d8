"""Orders as the write side sees them: placed from a quote or by an automatic renewal (R02)."""

from datetime import date, datetime

from sqlalchemy import select

from renewals.domain.enums import OrderOrigin, OrderStatus
from renewals.persistence import models as m
from renewals.persistence.repositories.base import Repository


class OrderRepository(Repository):
    async def place(
        self, order: m.Order, lines: list[m.OrderLine], actor: str, now: datetime
    ) -> m.Order:
        """A new order with its lines and the first history row (flushed: it has an id)."""
        self.session.add(order)
        await self.session.flush()
        for position, line in enumerate(lines):
            line.order_id, line.position = order.id, position
            self.session.add(line)
        self.session.add(
            m.OrderStatusChange(
                order_id=order.id, status=order.status, occurred_at=now, actor=actor[:100]
            )
        )
        await self.session.flush()
        return order

    def record(
        self,
        order: m.Order,
        status: OrderStatus,
        actor: str,
        now: datetime,
        reason: str | None = None,
    ) -> None:
        """Sets the status and keeps the change (or the repeated outcome of a retry) with why."""
        self.session.add(
            m.OrderStatusChange(
                order_id=order.id,
                status=status,
                previous_status=order.status,
                occurred_at=now,
                actor=actor[:100],
                reason=reason,
            )
        )
        order.status = status
        if status == OrderStatus.COMPLETED:
            order.failure_reason = None
        elif reason is not None:  # a decline, a failure, or a charge whose outcome is unknown
            order.failure_reason = reason

    async def for_quote(self, quote_id: int) -> m.Order:
        stmt = select(m.Order).where(m.Order.quote_id == quote_id)
        return (await self.session.execute(stmt)).scalar_one()

    async def by_number(self, number: str, *, for_update: bool = False) -> m.Order | None:
        stmt = select(m.Order).where(m.Order.number == number)
        if for_update:
            stmt = self.locked(stmt)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def lines(self, order_id: int) -> list[m.OrderLine]:
        stmt = select(m.OrderLine).where(m.OrderLine.order_id == order_id)
        return list((await self.session.execute(stmt.order_by(m.OrderLine.position))).scalars())

    async def declined_renewals(
        self, *, started_before: date | None = None, subscription_ids: list[int] | None = None
    ) -> list[tuple[m.Order, m.OrderLine]]:
        """AUTO_RENEWAL orders still PAYMENT_DECLINED, with their line: those whose term starts
        before a date (their window has closed), or those of these subscriptions."""
        stmt = (
            select(m.Order, m.OrderLine)
            .join(m.OrderLine, m.OrderLine.order_id == m.Order.id)
            .where(
                m.Order.origin == OrderOrigin.AUTO_RENEWAL,
                m.Order.status == OrderStatus.PAYMENT_DECLINED,
            )
        )
        if started_before is not None:
            stmt = stmt.where(m.OrderLine.start_date < started_before)
        if subscription_ids is not None:
            stmt = stmt.where(m.OrderLine.subscription_id.in_(subscription_ids))
        rows = await self.session.execute(self.locked(stmt.order_by(m.Order.id)))
        return [(order, line) for order, line in rows.all()]
