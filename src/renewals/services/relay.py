"""Relays status changes committed by other processes (e.g. `renewals jobs run`) to this bus.

The history table is the event log: rows above the last seen id are published; the bus drops
ids it already delivered, so an event committed here and seen again by the relay goes out once.
On SQLite writers are serialised, so ids are committed in order and none is skipped.
"""

from renewals.container import Container
from renewals.persistence.repositories.history import events_after, last_history_id

BATCH = 1000


class HistoryRelay:
    def __init__(self, container: Container) -> None:
        self.container = container
        self.last_id: int | None = None

    async def poll(self) -> int:
        """Publishes new history rows; returns how many were found."""
        async with self.container.db.read_engine.connect() as conn:
            if self.last_id is None:
                self.last_id = await last_history_id(conn)
                return 0
            events = await events_after(conn, self.last_id, BATCH)
        if events:
            self.last_id = events[-1].history_id
            await self.container.bus.publish(events)
        return len(events)
