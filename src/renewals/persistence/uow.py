"""Unit of work: one transaction per use case; repositories never commit, the service does."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from renewals.persistence.db import Database
from renewals.persistence.repositories.batches import BatchRepository
from renewals.persistence.repositories.emails import EmailRepository
from renewals.persistence.repositories.idempotency import IdempotencyRepository
from renewals.persistence.repositories.imports import ImportRepository
from renewals.persistence.repositories.misc import (
    CustomerRepository,
    HealthRepository,
    PriceRepository,
    ScheduleRepository,
)
from renewals.persistence.repositories.orders import OrderRepository
from renewals.persistence.repositories.outbox import OutboxRepository
from renewals.persistence.repositories.quotes import QuoteRepository
from renewals.persistence.repositories.subscriptions import SubscriptionRepository
from renewals.persistence.repositories.webhooks import WebhookRepository
from renewals.persistence.writers import Turn

AfterCommit = Callable[[], Awaitable[None]]


class UnitOfWork:
    """`async with UnitOfWork(db) as uow:` ... `await uow.commit()`; leaving without commit rolls back.

    Work registered with `after_commit` (publishing events, waking the worker) runs only once the
    transaction has committed, never for a rolled-back change.

    On SQLite with group commit (`db.writers`, persistence/writers.py) the unit waits here for its
    turn on the writer connection and runs in the group's transaction (in a savepoint unless it
    opened the group); `commit()` returns once the group's COMMIT has succeeded, and the session
    is closed then: a unit does nothing in it after its commit.
    """

    def __init__(self, db: Database, *, committed_only: bool = False) -> None:
        """`committed_only`: this unit sees only committed rows of other units (with group
        commit a unit otherwise sees the writes of the units before it in its group)."""
        self.db = db
        self.committed_only = committed_only
        self.session: AsyncSession
        self._after_commit: list[AfterCommit] = []
        self.committed = False
        self._turn: Turn | None = None

    async def __aenter__(self) -> "UnitOfWork":
        if self.db.writers is None:
            self.session = self.db.sessions()
        else:
            turn = self._turn = await self.db.writers.acquire(committed_only=self.committed_only)
            # The group's opener owns the transaction's fate alone (its rollback ends it, as no
            # one else is in it); a later unit commits or rolls back its savepoint only.
            mode = "rollback_only" if turn.first else "create_savepoint"
            self.session = self.db.sessions(bind=turn.conn, join_transaction_mode=mode)
        try:
            await self.session.begin()
        except BaseException:
            await self._give_turn_back()
            raise
        dialect = {"is_sqlite": self.db.is_sqlite}
        self.subscriptions = SubscriptionRepository(self.session, **dialect)
        self.quotes = QuoteRepository(self.session, **dialect)
        self.customers = CustomerRepository(self.session, **dialect)
        self.prices = PriceRepository(self.session, **dialect)
        self.orders = OrderRepository(self.session, **dialect)
        self.outbox = OutboxRepository(self.session, **dialect)
        self.idempotency = IdempotencyRepository(self.session, **dialect)
        self.schedule = ScheduleRepository(self.session, **dialect)
        self.emails = EmailRepository(self.session, **dialect)
        self.imports = ImportRepository(self.session, **dialect)
        self.health = HealthRepository(self.session, **dialect)
        self.webhooks = WebhookRepository(self.session, **dialect)
        self.batches = BatchRepository(self.session, **dialect)
        return self

    async def announce(self, history_id: int) -> None:
        """Tells other processes about a status change, in this transaction (see feeds.py)."""
        await self.db.feed.announce(self.session, history_id)

    async def announce_many(self, history_ids: list[int]) -> None:
        """`announce` for many status changes, in one statement."""
        if history_ids:
            await self.db.feed.announce_many(self.session, history_ids)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self.committed:
                await self.session.rollback()
        finally:
            try:
                await self.session.close()
            finally:
                await self._give_turn_back()
        if self.committed and exc is None:
            for callback in self._after_commit:
                await callback()

    def after_commit(self, callback: AfterCommit) -> None:
        self._after_commit.append(callback)

    async def commit(self) -> None:
        await self.session.commit()  # grouped: the savepoint released (or nothing, the opener)
        if self._turn is not None and self.db.writers is not None:
            await self.session.close()
            self.session.sync_session.bind = None  # used again, it fails loudly: no turn now
            turn, self._turn = self._turn, None
            await self.db.writers.release(turn, joined=True)  # returns after the COMMIT
        self.committed = True

    async def _give_turn_back(self) -> None:
        """A unit that did not commit: its turn back, its writes already undone."""
        if self._turn is not None and self.db.writers is not None:
            turn, self._turn = self._turn, None
            await self.db.writers.release(turn, joined=False)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """One item of a batch in this transaction: if it raises, its writes and its after-commit
        work (events, wake-ups) are undone and the others' stay; the caller commits them all."""
        mark = len(self._after_commit)
        nested = await self.session.begin_nested()
        try:
            yield
        except BaseException:
            if nested.is_active:
                await nested.rollback()
            del self._after_commit[mark:]
            raise
        await nested.commit()

    def add(self, obj: Any) -> None:
        self.session.add(obj)

    async def flush(self) -> None:
        await self.session.flush()
