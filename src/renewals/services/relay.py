"""Relays status changes committed by other processes (e.g. `renewals jobs run`) to this bus.

The history table is the event log: rows above the last seen id are published; the bus drops
ids it already delivered, so an event committed here and seen again by the relay goes out once.
On SQLite writers are serialised, so ids are committed in order and none is skipped.
"""

from sqlalchemy import func, select

from renewals.container import Container
from renewals.events import StatusEvent
from renewals.persistence import models as m

BATCH = 1000


class HistoryRelay:
    def __init__(self, container: Container) -> None:
        self.container = container
        self.last_id: int | None = None

    async def poll(self) -> int:
        """Publishes new history rows; returns how many were found."""
        h, q = m.QuoteStatusChange, m.Quote
        async with self.container.db.read_engine.connect() as conn:
            if self.last_id is None:
                self.last_id = (await conn.execute(select(func.max(h.id)))).scalar() or 0
                return 0
            rows = (
                await conn.execute(
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
                    .where(h.id > self.last_id)
                    .order_by(h.id)
                    .limit(BATCH)
                )
            ).all()
        if rows:
            self.last_id = rows[-1].id
            await self.container.bus.publish([StatusEvent(*row) for row in rows])
        return len(rows)
