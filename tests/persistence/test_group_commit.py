"""SQLite group commit (persistence/writers.py): units of work that queue for the one writer
connection share one transaction, each in a savepoint, and one COMMIT. A unit's commit is
reported (and its after-commit work run) only once that COMMIT is done; a failing unit is undone
alone. On PostgreSQL nothing is grouped."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from renewals.persistence import models as m
from renewals.persistence.db import Database, create_database
from renewals.persistence.uow import UnitOfWork
from tests.dbs import ON_POSTGRES


class Refused(Exception):
    pass


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A SQLite file with one table, whatever the suite's backend (grouping is SQLite's)."""
    path = tmp_path / "group.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        conn.execute(
            "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT UNIQUE, parent_id INTEGER"
            " REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)"
        )
    database = create_database(f"sqlite+aiosqlite:///{path}")
    yield database
    await database.dispose()


def committed_names(db: Database) -> set[str]:
    """What another connection sees: committed rows only."""
    path = db.url.split("///", 1)[1]
    with sqlite3.connect(path) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM item")}


async def insert(uow: UnitOfWork, name: str, parent_id: int | None = None) -> None:
    await uow.session.execute(
        text("INSERT INTO item (name, parent_id) VALUES (:n, :p)"), {"n": name, "p": parent_id}
    )


async def run_queued(db: Database, units: list) -> list[BaseException | None]:
    """Runs the units concurrently, the first holding its turn until all others queue behind it:
    they then form one group. Each unit is `async def (uow)`; returns each one's error."""
    gate = asyncio.Event()

    async def one(i: int, unit) -> None:
        async with UnitOfWork(db) as uow:
            if i == 0:
                await gate.wait()
            await unit(uow)

    tasks = [asyncio.create_task(one(i, u)) for i, u in enumerate(units)]
    assert db.writers is not None
    while db.writers.waiting < len(units) - 1:
        await asyncio.sleep(0.001)
    gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    return [r if isinstance(r, BaseException) else None for r in results]


async def test_units_queued_for_the_writer_commit_together_and_only_then_report_it(db):
    seen_at_commit: dict[str, set[str]] = {}

    def unit(name: str):
        async def work(uow: UnitOfWork) -> None:
            await insert(uow, name)
            await uow.commit()
            seen_at_commit[name] = committed_names(db)  # another connection, right after

        return work

    names = [f"u{i}" for i in range(6)]
    assert await run_queued(db, [unit(n) for n in names]) == [None] * 6

    assert db.writers.stats.sizes == [6]  # one COMMIT for the six
    # No unit heard "committed" before the COMMIT: each already saw all six from outside.
    assert seen_at_commit == {n: set(names) for n in names}


async def test_a_failing_unit_is_undone_alone_and_the_others_commit(db):
    async def ok(name: str, uow: UnitOfWork) -> None:
        await insert(uow, name)
        await uow.commit()

    async def fails(uow: UnitOfWork) -> None:
        await insert(uow, "bad")
        raise Refused

    results = await run_queued(
        db,
        [
            lambda u: ok("a", u),
            lambda u: ok("b", u),
            fails,
            lambda u: ok("c", u),
        ],
    )

    assert [type(r) if r else None for r in results] == [None, None, Refused, None]
    assert committed_names(db) == {"a", "b", "c"}
    assert db.writers.stats.sizes == [3]


async def test_the_unit_that_opened_the_group_failing_leaves_the_later_ones(db):
    async def fails(uow: UnitOfWork) -> None:
        await insert(uow, "first")
        raise Refused

    async def ok(name: str, uow: UnitOfWork) -> None:
        await insert(uow, name)
        await uow.commit()

    results = await run_queued(db, [fails, lambda u: ok("x", u), lambda u: ok("y", u)])

    assert [type(r) if r else None for r in results] == [Refused, None, None]
    assert committed_names(db) == {"x", "y"}


async def test_a_unit_that_rolls_back_a_nested_savepoint_keeps_the_rest_of_its_work(db):
    async def batch(uow: UnitOfWork) -> None:
        await insert(uow, "kept")
        with pytest.raises(Refused):
            async with uow.savepoint():
                await insert(uow, "undone")
                raise Refused
        await uow.commit()

    async def other(uow: UnitOfWork) -> None:
        await insert(uow, "other")
        await uow.commit()

    assert await run_queued(db, [other, batch, other_named("third")]) == [None] * 3
    assert committed_names(db) == {"other", "kept", "third"}


def other_named(name: str):
    async def work(uow: UnitOfWork) -> None:
        await insert(uow, name)
        await uow.commit()

    return work


async def test_after_commit_work_runs_after_the_commit_and_never_for_an_undone_unit(db):
    ran: list[tuple[str, set[str]]] = []

    def unit(name: str, *, fail: bool = False):
        async def work(uow: UnitOfWork) -> None:
            await insert(uow, name)

            async def callback() -> None:
                ran.append((name, committed_names(db)))

            uow.after_commit(callback)
            if fail:
                raise Refused
            await uow.commit()

        return work

    await run_queued(db, [unit("a"), unit("b", fail=True), unit("c")])

    assert sorted(ran) == [("a", {"a", "c"}), ("c", {"a", "c"})]


async def test_the_same_unique_value_twice_in_one_group_refuses_the_second_only(db):
    async def claim(uow: UnitOfWork) -> None:
        await insert(uow, "same")
        await uow.commit()

    results = await run_queued(db, [claim, claim, other_named("else")])

    assert results[0] is None and results[2] is None
    assert isinstance(results[1], IntegrityError)
    assert committed_names(db) == {"same", "else"}


async def test_a_failed_commit_is_reported_to_every_unit_of_the_group(db):
    """A deferred constraint fails at COMMIT: the whole group's, so every member hears of it and
    none runs its after-commit work."""
    ran: list[str] = []

    def unit(name: str, parent_id: int | None = None):
        async def work(uow: UnitOfWork) -> None:
            await insert(uow, name, parent_id)

            async def callback() -> None:
                ran.append(name)

            uow.after_commit(callback)
            await uow.commit()
            ran.append(f"{name} committed")

        return work

    results = await run_queued(db, [unit("a"), unit("orphan", parent_id=99), unit("c")])

    assert all(isinstance(r, IntegrityError) for r in results), results
    assert ran == []
    assert committed_names(db) == set()
    # The writer goes on: the next unit commits.
    async with UnitOfWork(db) as uow:
        await insert(uow, "after")
        await uow.commit()
    assert committed_names(db) == {"after"}


async def test_a_unit_alone_runs_in_its_own_transaction_without_a_savepoint(db):
    statements: list[str] = []
    event.listen(
        db.write_engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2])
    )
    async with UnitOfWork(db) as uow:
        await insert(uow, "alone")
        await uow.commit()

    assert [s.split()[0] for s in statements] == ["BEGIN", "INSERT"]
    assert committed_names(db) == {"alone"}
    assert db.writers.stats.sizes == [1]


async def test_a_unit_cancelled_while_waiting_for_its_turn_does_not_stop_the_others(db):
    gate = asyncio.Event()

    async def first() -> None:
        async with UnitOfWork(db) as uow:
            await gate.wait()
            await insert(uow, "first")
            await uow.commit()

    async def later(name: str) -> None:
        async with UnitOfWork(db) as uow:
            await insert(uow, name)
            await uow.commit()

    tasks = [asyncio.create_task(first()), asyncio.create_task(later("gone"))]
    tasks.append(asyncio.create_task(later("last")))
    while db.writers.waiting < 2:
        await asyncio.sleep(0.001)
    tasks[1].cancel()
    gate.set()
    await asyncio.gather(*tasks, return_exceptions=True)

    assert tasks[1].cancelled()
    assert committed_names(db) == {"first", "last"}
    assert db.writers.waiting == 0


async def test_group_commit_can_be_turned_off_and_is_never_used_on_postgresql(tmp_path, container):
    off = create_database(f"sqlite+aiosqlite:///{tmp_path / 'off.db'}", group_commit=False)
    assert off.writers is None
    await off.dispose()
    assert (container.db.writers is None) == ON_POSTGRES


async def test_concurrent_units_on_the_suite_database_each_commit_once(container):
    """The same use on the suite's backend (grouped on SQLite, not on PostgreSQL)."""

    async def add(i: int) -> None:
        async with UnitOfWork(container.db) as uow:
            uow.add(m.Customer(csn=f"GC{i:04d}", name=f"Customer {i}"))
            await uow.commit()

    async def add_twice() -> None:
        async with UnitOfWork(container.db) as uow:
            uow.add(m.Customer(csn="GC0000", name="again"))
            await uow.commit()

    results = await asyncio.gather(*(add(i) for i in range(8)), add_twice(), return_exceptions=True)

    # Who wins the same CSN is a race on PostgreSQL (SQLite: the first in line); one does.
    assert results[1:8] == [None] * 7
    assert sorted(type(r).__name__ for r in (results[0], results[8])) == [
        "IntegrityError",
        "NoneType",
    ]
    async with container.db.read_engine.connect() as conn:
        csns = (
            await conn.execute(text("SELECT csn FROM customers WHERE csn LIKE 'GC%'"))
        ).scalars()
        assert sorted(csns) == [f"GC{i:04d}" for i in range(8)]


async def test_a_unit_cancelled_while_it_has_the_turn_is_undone_and_the_next_ones_commit(db):
    holding = asyncio.Event()

    async def stuck() -> None:
        async with UnitOfWork(db) as uow:
            await insert(uow, "stuck")
            holding.set()
            await asyncio.Event().wait()  # a client that went away, say

    async def later(name: str) -> None:
        async with UnitOfWork(db) as uow:
            await insert(uow, name)
            await uow.commit()

    first = asyncio.create_task(later("before"))
    await first
    tasks = [asyncio.create_task(stuck()), asyncio.create_task(later("next"))]
    await holding.wait()
    while db.writers.waiting < 1:
        await asyncio.sleep(0.001)
    tasks[0].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    assert committed_names(db) == {"before", "next"}
    assert db.writers.waiting == 0


async def test_a_committed_only_unit_sees_no_uncommitted_write_of_the_open_group(db):
    """The worker's unit: a job written by a unit of the open group must not be claimed before
    that unit's caller has its answer; the open group commits first, then the unit runs."""
    gate = asyncio.Event()
    seen: dict[str, object] = {}

    async def writer() -> None:
        async with UnitOfWork(db) as uow:
            await gate.wait()
            await insert(uow, "job")
            await uow.commit()

    async def claimer() -> None:
        async with UnitOfWork(db, committed_only=True) as uow:
            seen["committed when the claimer ran"] = committed_names(db)
            await uow.commit()

    tasks = [asyncio.create_task(writer()), asyncio.create_task(claimer())]
    assert db.writers is not None
    while db.writers.waiting < 1:
        await asyncio.sleep(0.001)
    gate.set()
    await asyncio.gather(*tasks)
    assert seen["committed when the claimer ran"] == {"job"}
    assert db.writers.stats.sizes == [1, 1]  # two transactions: the claimer did not join
