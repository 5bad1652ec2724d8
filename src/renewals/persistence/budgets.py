"""Where the rate budgets' buckets live (domain/budget.py decides): in the process on SQLite,
which runs one server process; in PostgreSQL otherwise, so every worker and server shares them."""

import hashlib
import time
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from renewals.domain.budget import Bucket, Taken, take
from renewals.persistence import models as m
from renewals.persistence.db import Database

MAX_KEYS = 100_000
B = m.RateBudget


class RateBudgets(Protocol):
    async def take(self, key: str, cost: int, *, maximum: int, restore_rate: float) -> Taken: ...


def stored_key(key: str) -> str:
    """Tokens' subjects are not kept as such: a digest names the bucket."""
    return hashlib.sha256(key.encode()).hexdigest()[:40]


class MemoryBudgets:
    """One process's buckets, oldest dropped beyond MAX_KEYS (a dropped bucket is a full one)."""

    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self.max_keys = max_keys
        self._buckets: dict[str, Bucket] = {}

    async def take(self, key: str, cost: int, *, maximum: int, restore_rate: float) -> Taken:
        name = stored_key(key)
        taken = take(
            self._buckets.pop(name, None),
            cost,
            time.monotonic(),
            maximum=maximum,
            restore_rate=restore_rate,
        )
        self._buckets[name] = taken.bucket  # last used goes last
        while len(self._buckets) > self.max_keys:
            del self._buckets[next(iter(self._buckets))]
        return taken


class DatabaseBudgets:
    """Buckets in the `rate_budgets` table, one row per token, taken under a row lock: several
    workers and servers spend one budget. Wall-clock seconds, shared by every process."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def take(self, key: str, cost: int, *, maximum: int, restore_rate: float) -> Taken:
        name, now = stored_key(key), time.time()
        async with self.db.write_engine.begin() as conn:
            await conn.execute(
                pg_insert(B)
                .values(key=name, available=float(maximum), at=now)
                .on_conflict_do_nothing(index_elements=[B.key])
            )
            row = (
                await conn.execute(select(B.available, B.at).where(B.key == name).with_for_update())
            ).one()
            taken = take(
                Bucket(row.available, row.at),
                cost,
                now,
                maximum=maximum,
                restore_rate=restore_rate,
            )
            await conn.execute(
                update(B)
                .where(B.key == name)
                .values(available=taken.bucket.available, at=taken.bucket.at)
            )
        return taken


def budgets_for(db: Database) -> RateBudgets:
    return MemoryBudgets() if db.is_sqlite else DatabaseBudgets(db)
