"""Many status changes announced in one statement: one notification per history row on
PostgreSQL (what pg_listener reads), nothing on SQLite (other processes poll the history)."""

import asyncio
from urllib.parse import urlsplit, urlunsplit

from renewals.persistence.feeds import STATUS_CHANNEL
from renewals.persistence.statements import count_statements
from renewals.persistence.uow import UnitOfWork


async def test_each_history_row_is_announced_once_at_commit(container):
    received: list[str] = []
    listener = None
    if not container.db.is_sqlite:
        import asyncpg

        url = container.settings.database_url.replace("postgresql+asyncpg", "postgresql")
        listener = await asyncpg.connect(urlunsplit(urlsplit(url)))
        await listener.add_listener(STATUS_CHANNEL, lambda *args: received.append(args[3]))
    try:
        with count_statements(container.db) as statements:
            async with UnitOfWork(container.db) as uow:
                await uow.announce_many([7, 8, 9])
                await uow.announce_many([])
                await uow.commit()
        if listener is None:
            assert [s for s in statements.statements if "notify" in s.lower()] == []
            return
        for _ in range(50):
            if len(received) == 3:
                break
            await asyncio.sleep(0.05)
        assert received == ["7", "8", "9"]
        assert sum("pg_notify" in s for s in statements.statements) == 1
    finally:
        if listener is not None:
            await listener.close()
