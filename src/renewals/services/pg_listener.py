"""Status events across processes on PostgreSQL: NOTIFY in the committing transaction, LISTEN here.

The payload is the history row's id; the listener re-reads the rows and publishes them to this
process's bus (which drops ids it already delivered). A dropped listener connection reconnects
with backoff and then re-publishes every change since shortly before it was lost, so
subscribers are never left silently stale.
"""

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from renewals.container import Container
from renewals.events import StatusEvent
from renewals.persistence import models as m
from renewals.persistence.feeds import STATUS_CHANNEL
from renewals.persistence.repositories.history import history_events

log = logging.getLogger("renewals.listener")
CHANNEL = STATUS_CHANNEL
RESYNC_MARGIN = timedelta(seconds=30)
BATCH_WINDOW = 0.005


def asyncpg_dsn(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PgListener:
    """One LISTEN connection per process; `state` is reported by /healthz."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.state = "starting"
        self.reconnects = 0
        self._ids: asyncio.Queue[int] = asyncio.Queue()
        self._lost = asyncio.Event()
        self._lost_at: datetime | None = None

    async def _history(self, where: Any) -> list[StatusEvent]:
        async with self.container.db.read_engine.connect() as conn:
            return await history_events(conn, where)

    async def run(self, stop: asyncio.Event) -> None:
        consumer = asyncio.create_task(self._consume())
        delay = 0.2
        try:
            while not stop.is_set():
                try:
                    conn = await asyncpg.connect(
                        asyncpg_dsn(self.container.settings.database_url),
                        server_settings={"application_name": "renewals-listener"},
                    )
                except (OSError, asyncpg.PostgresError) as e:
                    self.state = "reconnecting"
                    log.warning(
                        "listener cannot connect (%s); retrying in %.1fs", type(e).__name__, delay
                    )
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=delay)
                    delay = min(delay * 2, 5.0)
                    continue
                delay = 0.2
                await self._listen(conn, stop)
        finally:
            consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumer

    async def _listen(self, conn: asyncpg.Connection, stop: asyncio.Event) -> None:
        self._lost.clear()
        conn.add_termination_listener(lambda _: self._connection_lost())
        try:
            await conn.add_listener(CHANNEL, self._notified)
            if self._lost_at is not None:
                await self._resync(self._lost_at - RESYNC_MARGIN)
                self.reconnects += 1
            self.state = "listening"
            stop_task = asyncio.create_task(stop.wait())
            lost_task = asyncio.create_task(self._lost.wait())
            await asyncio.wait({stop_task, lost_task}, return_when=asyncio.FIRST_COMPLETED)
            stop_task.cancel()
            lost_task.cancel()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as e:
            log.warning("listener failed: %s", type(e).__name__)
            self._connection_lost()
        finally:
            if not conn.is_closed():
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.close(), timeout=2)

    def _connection_lost(self) -> None:
        if not self._lost.is_set():
            self._lost_at = self.container.clock.now()
            self.state = "reconnecting"
            log.warning("listener connection lost; reconnecting")
            self._lost.set()

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        with contextlib.suppress(ValueError):
            self._ids.put_nowait(int(payload))

    async def _consume(self) -> None:
        """Batches notified ids for a few milliseconds, then one query per batch."""
        while True:
            ids = {await self._ids.get()}
            await asyncio.sleep(BATCH_WINDOW)
            while not self._ids.empty():
                ids.add(self._ids.get_nowait())
            try:
                events = await self._history(m.QuoteStatusChange.id.in_(ids))
                await self.container.bus.publish(events)
            except Exception:  # noqa: BLE001 - one bad batch must not stop the listener
                log.exception("could not publish notified status changes")

    async def _resync(self, since: datetime) -> None:
        """Everything committed while the connection was down (the bus drops what it sent)."""
        events = await self._history(m.QuoteStatusChange.occurred_at >= since)
        await self.container.bus.publish(events)
