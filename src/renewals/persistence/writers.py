"""Group commit on SQLite's one writer connection.

SQLite has one writer, so units of work take turns on one connection. Without grouping each turn
is a transaction of its own (BEGIN IMMEDIATE ... COMMIT, the connection back to the pool); with
grouping, a unit that finds others waiting for their turn leaves the transaction open and hands
the connection on, and one COMMIT ends the group:

- The units run one after another on the connection, never interleaved (SQLite's savepoints are
  a stack, so interleaved units could undo each other's writes): a unit sees the writes of the
  units before it in its group, which commit with it or not at all.
- The unit that opens a group runs in the transaction itself; each later one in a SAVEPOINT, so a
  failing unit rolls back to its savepoint only. A failure that ends SQLite's transaction (I/O
  error, disk full) fails the whole group: every member's `commit()` raises.
- A member's `commit()` returns only once the group's COMMIT has succeeded, so its caller (and
  its after-commit work) never sees a commit before it happened.
- A group ends when no unit is waiting for the connection, or when it holds `max_group` units.
  Ending it (COMMIT, the connection back to the pool) runs as a task of its own, which a
  cancelled caller does not interrupt.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger("renewals.persistence")

#: Units of work one COMMIT ends at most: bounds how long the first member waits for its COMMIT.
MAX_GROUP = 16
#: Seconds a unit waits for its turn before giving up (the pool's timeout of the write engine).
TURN_TIMEOUT = 60.0


class GroupCommitFailed(Exception):
    """The transaction a unit of work's writes were grouped into did not commit."""


@dataclass(eq=False)
class _Group:
    conn: AsyncConnection
    done: asyncio.Future[None]
    members: int = 0  # units whose writes are in the transaction, waiting for its COMMIT


@dataclass(eq=False)
class Turn:
    """One unit of work's turn on the writer connection."""

    conn: AsyncConnection
    first: bool  # opened the group: runs in the transaction itself, not in a savepoint
    released: bool = False


@dataclass(eq=False)
class GroupStats:
    """Counts the tests read: transactions committed and units of work they carried."""

    commits: int = 0
    units: int = 0
    sizes: list[int] = field(default_factory=list)


class WriterGroups:
    """Turns on the write engine's one connection, and the transactions that group them."""

    def __init__(
        self, engine: AsyncEngine, *, max_group: int = MAX_GROUP, timeout: float = TURN_TIMEOUT
    ) -> None:
        self._engine = engine
        self.max_group = max_group
        self.timeout = timeout
        self._busy = False  # a unit has the turn (or a group is being ended)
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._group: _Group | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.stats = GroupStats()

    async def acquire(self, *, committed_only: bool = False) -> Turn:
        """Waits for the turn; opens a group's transaction if none is open. `committed_only`:
        the unit must see no other unit's uncommitted writes (the worker claiming jobs: a job
        written by a unit of the open group would be run before its writer's caller has even
        been answered), so an open group is committed first and the unit opens a new one."""
        if self._busy:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                async with asyncio.timeout(self.timeout):
                    await waiter
            except BaseException as e:
                if waiter.done() and not waiter.cancelled():
                    self._spawn(self._finish(joined=False))  # handed the turn as we gave up
                else:
                    waiter.cancel()
                    self._waiters.remove(waiter)
                if isinstance(e, TimeoutError):
                    raise PoolTimeout(
                        f"no turn on the writer connection in {self.timeout} s"
                    ) from e
                raise
        else:
            self._busy = True
        if committed_only and self._group is not None:
            try:
                group = self._group
                await asyncio.shield(
                    self._spawn(self._end(group, lost=not _in_transaction(group.conn)))
                )
            except BaseException:
                self._handoff()
                raise
        first = self._group is None
        if first:
            try:
                conn = await self._engine.connect()
                try:
                    await conn.begin()
                except BaseException:
                    await asyncio.shield(conn.close())
                    raise
            except BaseException:
                self._handoff()
                raise
            self._group = _Group(conn, asyncio.get_running_loop().create_future())
        assert self._group is not None
        return Turn(self._group.conn, first)

    async def release(self, turn: Turn, *, joined: bool) -> None:
        """Gives the turn back. `joined`: the unit's writes are in the group's transaction (its
        savepoint released); then this returns once they are committed, or raises."""
        if turn.released:
            return
        turn.released = True
        group = self._group
        await asyncio.shield(self._spawn(self._finish(joined=joined)))
        if joined and group is not None:
            await asyncio.shield(group.done)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _finish(self, *, joined: bool) -> None:
        """The end of a unit's turn: the group stays open for the next waiting unit, or ends."""
        group = self._group
        try:
            if group is None:
                return
            if joined:
                group.members += 1
            if not _in_transaction(group.conn):
                await self._end(group, lost=True)
            elif self._waiting() and group.members < self.max_group:
                return  # the next unit's writes join this transaction
            else:
                await self._end(group, lost=False)
        finally:
            self._handoff()

    async def _end(self, group: _Group, *, lost: bool) -> None:
        self._group = None
        conn = group.conn
        try:
            if lost:
                if group.members:
                    raise GroupCommitFailed("the transaction ended before its COMMIT")
                await conn.rollback()  # the first unit failed and took the transaction with it
            elif group.members:
                await conn.commit()
                self.stats.commits += 1
                self.stats.units += group.members
                self.stats.sizes.append(group.members)
            else:
                await conn.rollback()
        except BaseException as e:
            if not group.done.done():
                group.done.set_exception(
                    e if isinstance(e, Exception) else GroupCommitFailed(repr(e))
                )
            try:
                await conn.rollback()
            except Exception:  # noqa: BLE001 - the connection is closed below either way
                log.exception("rollback after a failed group commit failed")
        else:
            if not group.done.done():
                group.done.set_result(None)
        finally:
            group.done.add_done_callback(_retrieve)
            try:
                await conn.close()
            except Exception:  # noqa: BLE001 - the pool discards a connection it cannot reset
                log.exception("closing the writer connection failed")

    @property
    def waiting(self) -> int:
        """Units waiting for their turn now."""
        return sum(1 for w in self._waiters if not w.done())

    def _waiting(self) -> bool:
        return self.waiting > 0

    def _handoff(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._busy = False

    async def close(self) -> None:
        """Waits for groups being ended (Database.dispose)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def _in_transaction(conn: AsyncConnection) -> bool:
    """Whether SQLite still has the transaction open (some errors end it: I/O, disk full)."""
    if not conn.in_transaction():
        return False
    raw = conn.sync_connection.connection.driver_connection if conn.sync_connection else None
    return bool(getattr(raw, "in_transaction", True))


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()  # every member may have been cancelled: no "never retrieved" warning
