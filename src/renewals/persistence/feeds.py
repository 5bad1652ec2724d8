"""How a status change reaches other processes, one adapter per database.

PostgreSQL: NOTIFY in the committing transaction (delivered at commit, never for a rollback);
each process LISTENs (services/pg_listener.py). SQLite: writers are serialised and there is no
NOTIFY, so each process polls the history table for rows it did not write (services/relay.py).
"""

from typing import Protocol

from sqlalchemy import BigInteger, Text, cast, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

STATUS_CHANNEL = "renewals_quote_status"


class EventFeed(Protocol):
    polls_history: bool

    async def announce(self, session: AsyncSession, history_id: int) -> None:
        """Called inside the transaction that wrote the history row."""

    async def announce_many(self, session: AsyncSession, history_ids: list[int]) -> None:
        """`announce` for many rows of one transaction."""


class SqliteFeed:
    polls_history = True

    async def announce(self, session: AsyncSession, history_id: int) -> None:
        return None  # the relay of each other process finds the row

    async def announce_many(self, session: AsyncSession, history_ids: list[int]) -> None:
        return None


class PostgresFeed:
    polls_history = False

    async def announce(self, session: AsyncSession, history_id: int) -> None:
        await session.execute(select(func.pg_notify(STATUS_CHANNEL, str(history_id))))

    async def announce_many(self, session: AsyncSession, history_ids: list[int]) -> None:
        """One NOTIFY per row (the listener reads one id per notification), in one statement."""
        ids = (
            func.unnest(literal(history_ids, ARRAY(BigInteger))).table_valued("id").render_derived()
        )
        await session.execute(
            select(func.pg_notify(STATUS_CHANNEL, cast(ids.c.id, Text))).select_from(ids)
        )


def feed_for(is_sqlite: bool) -> EventFeed:
    return SqliteFeed() if is_sqlite else PostgresFeed()
