"""What every repository shares: the unit of work's session and the database's dialect."""

from typing import Any, TypeVar, cast

from sqlalchemy import Select, Update, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

BATCH = 500
S = TypeVar("S", bound=Select)  # a SELECT of any row shape


class Repository:
    """Reads and writes through the unit of work's session; never commits (the service does)."""

    def __init__(self, session: AsyncSession, *, is_sqlite: bool) -> None:
        self.session = session
        self.is_sqlite = is_sqlite

    def locked(self, stmt: S, *, skip_locked: bool = False) -> S:
        """Row locks where the database has them (PostgreSQL). SQLite serialises writers with
        BEGIN IMMEDIATE, so it needs none."""
        return stmt if self.is_sqlite else stmt.with_for_update(skip_locked=skip_locked)

    async def update(self, stmt: Update) -> int:
        """Runs a bulk UPDATE; the number of rows it changed (guards compare it)."""
        result = await self.session.execute(stmt.execution_options(synchronize_session=False))
        return cast("CursorResult[Any]", result).rowcount

    async def batch_after(self, model: Any, after: int, *where: Any) -> list[Any]:
        """The next BATCH rows by id after `after`, locked; another runner's locked rows are
        skipped (PostgreSQL), so jobs can run in several processes."""
        stmt = select(model).where(*where, model.id > after).order_by(model.id).limit(BATCH)
        return list((await self.session.execute(self.locked(stmt, skip_locked=True))).scalars())
