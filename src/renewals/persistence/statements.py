"""Counting the SQL statements an operation issues (the N+1 guards in tests and the benchmark)."""

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event

from renewals.persistence.db import Database


class StatementCounter:
    """Every statement sent on the database's engines while counting."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    @property
    def total(self) -> int:
        return len(self.statements)

    @property
    def selects(self) -> int:
        return sum(1 for s in self.statements if s.lstrip()[:6].upper() == "SELECT")


@contextlib.contextmanager
def count_statements(db: Database) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    engines = {db.read_engine.sync_engine, db.write_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", counter)
