"""Engines: a read engine and a write engine (on SQLite one writer connection, BEGIN IMMEDIATE),
and the read connection one GraphQL request (or status event) shares among its reads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)

from renewals.persistence.feeds import EventFeed, feed_for
from renewals.persistence.writers import MAX_GROUP, WriterGroups

T = TypeVar("T")

#: Loop iterations a shared connection stays checked out after its last statement. A request's
#: statements follow one another a few iterations apart (a DataLoader dispatches on the next
#: iteration, and its results reach the awaiting resolver two or three iterations later), so
#: one request keeps one connection; a finished request (or a subscription between events)
#: gives it back within this many iterations, whatever ended it.
IDLE_TICKS = 24

_closing: set[asyncio.Task[None]] = set()  # connections on their way back to the pool


class SharedReadConnection:
    """One read connection for one request (or one status event), opened on first use.

    Loaders of sibling fields dispatch concurrently on one event loop, and an AsyncConnection
    runs one statement at a time, so statements take turns (a lock). The connection goes back to
    the pool once nothing has used it for IDLE_TICKS loop iterations, so no request end hook is
    needed and nothing is held between a subscription's events; `close()` gives it back at once,
    and so does `Database.dispose()`. A statement that fails or is cancelled closes the
    connection (as `async with engine.connect()` does); the next statement opens another one.
    """

    __slots__ = ("_engine", "_open", "_conn", "_lock", "_busy", "_uses", "opened")

    def __init__(self, engine: AsyncEngine, open_set: set[SharedReadConnection]) -> None:
        self._engine = engine
        self._open = open_set  # the Database's: the shared connections holding one now
        self._conn: AsyncConnection | None = None
        self._lock = asyncio.Lock()
        self._busy = 0  # statements running or waiting for their turn
        self._uses = 0  # bumped by every statement: an idle check that sees it move gives up
        self.opened = 0  # connections checked out so far (tests read it)

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """The shared connection, for the duration of one read (its turn)."""
        self._busy += 1
        self._uses += 1
        try:
            async with self._lock:
                if self._conn is None:
                    self._conn = await self._engine.connect()
                    self._open.add(self)
                    self.opened += 1
                try:
                    yield self._conn
                except BaseException:
                    conn = self._take()
                    if conn is not None:
                        await asyncio.shield(conn.close())
                    raise
        finally:
            self._busy -= 1
            if self._busy == 0 and self._conn is not None:
                asyncio.get_running_loop().call_soon(self._idle_check, self._uses, IDLE_TICKS)

    async def run(self, fetch: Callable[..., Awaitable[T]], *args: Any) -> T:
        """`fetch(conn, *args)` on the shared connection."""
        async with self.connect() as conn:
            return await fetch(conn, *args)

    def _take(self) -> AsyncConnection | None:
        conn, self._conn = self._conn, None
        self._open.discard(self)
        return conn

    def _idle_check(self, uses: int, ticks: int) -> None:
        if self._busy or self._uses != uses or self._conn is None:
            return  # in use again (or closed): the check after its last statement decides
        if ticks > 1:
            asyncio.get_running_loop().call_soon(self._idle_check, uses, ticks - 1)
            return
        conn = self._take()
        if conn is not None:
            task = asyncio.get_running_loop().create_task(conn.close())
            _closing.add(task)
            task.add_done_callback(_closing.discard)

    async def close(self) -> None:
        """Gives the connection back now (a no-op when none is open); waits for a running read."""
        async with self._lock:
            conn = self._take()
            if conn is not None:
                await conn.close()


@dataclass
class Database:
    url: str
    read_engine: AsyncEngine
    write_engine: AsyncEngine
    sessions: async_sessionmaker
    #: SQLite's group commit (persistence/writers.py); None: each unit of work its own transaction.
    writers: WriterGroups | None = None
    _shared_open: set[SharedReadConnection] = field(default_factory=set, repr=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @cached_property
    def feed(self) -> EventFeed:
        """How status changes reach other processes on this database (built once)."""
        return feed_for(self.is_sqlite)

    def shared_reads(self) -> SharedReadConnection:
        """A read connection to share among one request's reads (opened on first use)."""
        return SharedReadConnection(self.read_engine, self._shared_open)

    async def dispose(self) -> None:
        if self.writers is not None:
            await self.writers.close()
        for shared in list(self._shared_open):  # idle ones not yet given back
            await shared.close()
        if _closing:
            await asyncio.gather(*_closing, return_exceptions=True)
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
    group_commit: bool = True,
    group_max: int = MAX_GROUP,
) -> Database:
    """The engines for `url`. On SQLite, `group_commit` lets units of work that queue for the one
    writer connection share one transaction (one COMMIT), each in a savepoint (writers.py)."""
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
    sqlite = url.startswith("sqlite")
    writers = WriterGroups(write, max_group=group_max) if sqlite and group_commit else None
    return Database(url, read, write, sessions, writers)
