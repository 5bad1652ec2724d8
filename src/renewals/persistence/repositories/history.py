"""The status history as an event log: re-read for the relay and after a listener reconnects."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from renewals.events import StatusEvent
from renewals.persistence import models as m


async def history_events(
    conn: AsyncConnection, where: Any, limit: int | None = None
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
        )  # fmt: skip
        .join(q, q.id == h.quote_id)
        .where(where)
        .order_by(h.id)
        .limit(limit)
    )
    return [StatusEvent(*row) for row in await conn.execute(stmt)]


async def events_after(conn: AsyncConnection, history_id: int, limit: int) -> list[StatusEvent]:
    return await history_events(conn, m.QuoteStatusChange.id > history_id, limit)


async def last_history_id(conn: AsyncConnection) -> int:
    return (await conn.execute(select(func.max(m.QuoteStatusChange.id)))).scalar() or 0
