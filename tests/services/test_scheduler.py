"""D6/7: `serve` runs the date-driven jobs when the business date changes, not only at 02:00,
once per business date, and not at start-up unless asked."""

import asyncio
from datetime import date, timedelta

from sqlalchemy import select

from renewals.app import scheduler
from renewals.persistence import models as m
from tests.factories import TODAY, document, subscription
from tests.helpers import seed
from tests.services.test_jobs import sub


async def runs(container) -> list[date]:
    async with container.db.read_engine.connect() as conn:
        rows = await conn.execute(select(m.ScheduledRun.business_date))
        return sorted(r[0] for r in rows)


async def until(condition, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not reached in time")


async def test_the_jobs_run_when_the_business_date_changes(container):
    container.settings.jobs_check_seconds = 0.02
    await seed(container, document([subscription("SUB-1", ends_in_days=1, auto_renew=True)]))
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler(container, stop))
    try:
        await asyncio.sleep(0.2)
        assert await runs(container) == []  # not at start-up: a restart surprises nobody

        container.clock.fixed_today = TODAY + timedelta(days=1)  # midnight: the date moves on

        async def ran() -> bool:
            return await runs(container) == [TODAY + timedelta(days=1)]

        await until(ran)

        # The end date has come: renewed by the run the date change started, no 02:00 needed.
        async def renewed() -> bool:
            return (await sub(container)).end_date > TODAY + timedelta(days=1)

        await until(renewed)
        await asyncio.sleep(0.2)
        assert await runs(container) == [TODAY + timedelta(days=1)]  # once per business date
    finally:
        stop.set()
        await task


async def test_jobs_on_start_runs_them_at_once(container):
    container.settings.jobs_check_seconds = 0.02
    container.settings.jobs_on_start = True
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler(container, stop))
    try:

        async def ran() -> bool:
            return await runs(container) == [TODAY]

        await until(ran)
    finally:
        stop.set()
        await task
