"""Relays status changes committed by other processes (e.g. `renewals jobs run`) to this bus.

The history table is the event log: rows above the last seen id are published; the bus drops
ids it already delivered, so an event committed here and seen again by the relay goes out once.
On SQLite writers are serialised, so ids are committed in order and none is skipped.
"""

from typing import Any

from sqlalchemy import func, select

from renewals.container import Container
from renewals.events import StatusEvent
from renewals.persistence import models as m

BATCH = 1000


async def history_events(
    container: Container, where: Any, limit: int | None = None
) -> list[StatusEvent]:
    """Status events re-read from the history rows matching `where`, oldest first."""
    h, q = m.QuoteStatusChange, m.Quote
    stmt = (
        select(
            h.id,
            h.quote_id,
            q.customer_id,
            q.reseller_id,
            h.status,
            h.previous_status,
            h.occurred_at,
        )
        .join(q, q.id == h.quote_id)
        .where(where)
        .order_by(h.id)
        .limit(limit)
    )
    async with container.db.read_engine.connect() as conn:
        return [StatusEvent(*row) for row in await conn.execute(stmt)]


class HistoryRelay:
    def __init__(self, container: Container) -> None:
        self.container = container
        self.last_id: int | None = None

    async def poll(self) -> int:
        """Publishes new history rows; returns how many were found."""
        if self.last_id is None:
            async with self.container.db.read_engine.connect() as conn:
                self.last_id = (
                    await conn.execute(select(func.max(m.QuoteStatusChange.id)))
                ).scalar() or 0
            return 0
        events = await history_events(self.container, m.QuoteStatusChange.id > self.last_id, BATCH)
        if events:
            self.last_id = events[-1].history_id
            await self.container.bus.publish(events)
        return len(events)
