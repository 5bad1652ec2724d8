"""What the webhook tests share: a movable clock, endpoints written directly, delivery rows."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from renewals.persistence import models as m
from tests.factories import TODAY


class MovableClock:
    """The business clock, moved by the test (`advance`)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime.now(UTC).replace(tzinfo=None)

    def today(self) -> date:
        return TODAY

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


async def deliveries(container: Any) -> list[Any]:
    async with container.db.read_engine.connect() as conn:
        rows = await conn.execute(
            select(m.WebhookDelivery.__table__).order_by(m.WebhookDelivery.id)
        )
        return list(rows.all())


async def attempts(container: Any, delivery_id: int) -> list[Any]:
    async with container.db.read_engine.connect() as conn:
        stmt = select(m.WebhookAttempt.__table__).where(m.WebhookAttempt.delivery_id == delivery_id)
        return list((await conn.execute(stmt.order_by(m.WebhookAttempt.id))).all())
