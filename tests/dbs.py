"""Test databases on either backend: a migrated (optionally seeded) template, copied per test.

`RENEWALS_TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test` runs the suite on
PostgreSQL: each template and each copy is its own database (CREATE DATABASE … TEMPLATE), dropped
afterwards, so runs never see each other's rows. Without it, SQLite files in tmp directories.
"""

import asyncio
import os
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from renewals.persistence.migrate import upgrade
from renewals.persistence.models import Base

PG_URL = os.environ.get("RENEWALS_TEST_DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgresql")
RUN = uuid.uuid4().hex[:8]


def _in_thread(make: Callable[[], Awaitable[Any]]) -> Any:
    """Runs a coroutine to completion on its own loop, callable from sync or async code."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(make())  # type: ignore[arg-type]
        except BaseException as e:  # noqa: BLE001
            box["error"] = e

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _pg_url(database: str) -> str:
    parts = urlsplit(PG_URL)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _admin(*statements: str, database: str | None = None, fetch: bool = False) -> list[Any]:
    """Runs the statements on one connection (each may hold several, separated by semicolons);
    with `fetch`, returns the rows of the last one (then a single statement)."""
    import asyncpg

    parts = urlsplit(PG_URL)

    async def run() -> list[Any]:
        conn = await asyncpg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            database=database or parts.path.lstrip("/") or "postgres",
        )
        try:
            rows: list[Any] = []
            for statement in statements:
                if fetch:
                    rows = await conn.fetch(statement)
                else:
                    await conn.execute(statement)
            return rows
        finally:
            await conn.close()

    return _in_thread(run)


def _emptying(database: str) -> str:
    """What empties the model's tables of `database` as `TRUNCATE … RESTART IDENTITY` would, in
    one transaction: DELETE child tables first, then reset the sequences those tables own.
    TRUNCATE gives every table and index a new file (about 250 ms for 24 tables); DELETE of the
    few rows a test leaves, about 5 ms. The rows `alembic_version` holds stay, as before."""
    tables = [t.name for t in Base.metadata.sorted_tables]
    owned = _admin(
        "SELECT DISTINCT s.oid::regclass::text AS seq, q.seqstart AS start FROM pg_class s"
        " JOIN pg_sequence q ON q.seqrelid = s.oid"
        " JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass"
        " AND d.deptype IN ('a', 'i')"
        " JOIN pg_class t ON t.oid = d.refobjid"
        " WHERE s.relkind = 'S' AND t.relname = ANY(ARRAY["
        + ", ".join(f"'{t}'" for t in tables)
        + "]) ORDER BY 1",
        database=database,
        fetch=True,
    )
    deletes = [f'DELETE FROM "{t}"' for t in reversed(tables)]
    # setval(…, start, false): the next value is the sequence's start, as after RESTART IDENTITY
    restarts = [f"SELECT setval('{row['seq']}', {row['start']}, false)" for row in owned]
    return ";\n".join(["BEGIN", *deletes, *restarts, "COMMIT"])


class Template:
    """A migrated database, seeded once by `seed(url)` if given; `copy()` gives a fresh one."""

    def __init__(
        self, directory: Path, name: str, seed: Callable[[str], Any] | None = None
    ) -> None:
        self.name = f"rt_{RUN}_{name}"
        self.directory = directory
        if ON_POSTGRES:
            _admin(
                f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
                f'CREATE DATABASE "{self.name}"',
            )
            self.url = _pg_url(self.name)
        else:
            self.path = directory / f"{self.name}.db"
            self.url = f"sqlite+aiosqlite:///{self.path}"
        upgrade(self.url)
        self.seeded = seed(self.url) if seed else None
        self.copies: list[str] = []
        self.emptying = _emptying(self.name) if ON_POSTGRES and self.seeded is None else ""

    def copy(self, directory: Path) -> str:
        if ON_POSTGRES and self.seeded is None:
            # An empty template is reused: emptying its tables is much faster than a copy.
            _admin(self.emptying, database=self.name)
            return self.url
        if ON_POSTGRES:
            name = f"rt_{RUN}_{uuid.uuid4().hex[:12]}"
            _admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}" STRATEGY FILE_COPY')
            self.copies.append(name)
            return _pg_url(name)
        target = directory / "renewals.db"
        with sqlite3.connect(self.path) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return f"sqlite+aiosqlite:///{target}"

    def drop_copy(self, url: str) -> None:
        if ON_POSTGRES and url != self.url:
            name = urlsplit(url).path.lstrip("/")
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop(self) -> None:
        if ON_POSTGRES:
            _admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            shutil.rmtree(self.directory, ignore_errors=True)


def run_async(make: Callable[[], Awaitable[Any]]) -> Any:
    """For seeding templates from sync fixtures."""
    return _in_thread(make)
