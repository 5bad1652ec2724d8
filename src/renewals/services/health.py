"""What `/healthz` checks: the database answers a read and accepts a write (a full disk still
answers reads), and how far email delivery is behind. Two statements and one commit."""

import asyncio
import logging
from dataclasses import dataclass

from renewals.container import Container
from renewals.persistence import reads
from renewals.persistence.uow import UnitOfWork

log = logging.getLogger("renewals.health")
WRITE_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Health:
    database: str  # "ok", "not writable" or "unreachable"
    unsent_emails: int | None
    oldest_unsent_age_seconds: float | None

    @property
    def ok(self) -> bool:
        return self.database == "ok"


async def check_health(container: Container) -> Health:
    now = container.clock.now()
    try:
        async with container.db.read_engine.connect() as conn:
            unsent, oldest = await reads.email_backlog(conn)
    except Exception as e:  # noqa: BLE001 - any failure is the answer
        log.warning("health: database read failed: %s", type(e).__name__)
        return Health("unreachable", None, None)
    age = None if oldest is None else round(max((now - oldest).total_seconds(), 0.0), 1)
    try:
        await asyncio.wait_for(_write(container), timeout=WRITE_TIMEOUT_SECONDS)
    except Exception as e:  # noqa: BLE001 - a full disk, a read-only file, a lock held too long
        log.warning("health: database write failed: %s: %s", type(e).__name__, e)
        return Health("not writable", unsent, age)
    return Health("ok", unsent, age)


async def _write(container: Container) -> None:
    async with UnitOfWork(container.db) as uow:
        await uow.health.write(container.clock.now())
        await uow.commit()
