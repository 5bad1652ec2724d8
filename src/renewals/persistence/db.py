"""Engines: a read engine and a write engine (on SQLite one writer connection, BEGIN IMMEDIATE)."""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from renewals.persistence.feeds import EventFeed, feed_for


@dataclass
class Database:
    url: str
    read_engine: AsyncEngine
    write_engine: AsyncEngine
    sessions: async_sessionmaker

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @cached_property
    def feed(self) -> EventFeed:
        """How status changes reach other processes on this database (built once)."""
        return feed_for(self.is_sqlite)

    async def dispose(self) -> None:
        await self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            await self.write_engine.dispose()


def _sqlite_pragmas(engine: AsyncEngine, *, immediate: bool) -> None:
    """WAL and a busy timeout everywhere; writers BEGIN IMMEDIATE, readers run in autocommit
    (each loader batch is one statement, so a BEGIN would only cost a round trip)."""

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    if immediate:

        @event.listens_for(engine.sync_engine, "begin")
        def on_begin(connection: Any) -> None:
            # A write transaction takes the lock up front, so it never fails half-way on upgrade.
            connection.exec_driver_sql("BEGIN IMMEDIATE")


# hide_parameters: an error or echo never prints bound values (emails, names, CSNs: personal data).
def create_database(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 10,
    pool_timeout: float = 30,
    echo: bool = False,
) -> Database:
    if url.startswith("sqlite"):
        # Readers run in autocommit: nothing to roll back when a connection goes back to the pool.
        read = create_async_engine(
            url,
            echo=echo,
            hide_parameters=True,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_reset_on_return=None,
        )
        write = create_async_engine(
            url, echo=echo, hide_parameters=True, pool_size=1, max_overflow=0, pool_timeout=60
        )
        _sqlite_pragmas(read, immediate=False)
        _sqlite_pragmas(write, immediate=True)
    else:
        read = write = create_async_engine(
            url,
            echo=echo,
            hide_parameters=True,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=pool_timeout,
            pool_pre_ping=True,
            # A worker that hangs mid-job loses its row locks after a minute (the job's lease).
            connect_args={"server_settings": {"idle_in_transaction_session_timeout": "60000"}},
        )
    sessions = async_sessionmaker(write, expire_on_commit=False, autoflush=False)
    return Database(url, read, write, sessions)
