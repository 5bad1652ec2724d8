"""Idempotency keys: (scope, operation, key) → the first result's quote id."""

from datetime import datetime

from sqlalchemy import select, update

from renewals.persistence import models as m
from renewals.persistence.repositories.base import Repository

K = m.IdempotencyKey


class IdempotencyRepository(Repository):
    async def find(self, scope: str, operation: str, key: str) -> m.IdempotencyKey | None:
        stmt = select(K).where(K.scope == scope, K.operation == operation, K.key == key)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def claim(self, scope: str, operation: str, key: str, digest: str, now: datetime) -> None:
        """Inserts the key now; a concurrent claim of the same key fails on the unique index
        (IntegrityError at this flush), or waits for the first transaction on PostgreSQL."""
        self.session.add(
            K(
                scope=scope,
                operation=operation,
                key=key,
                request_hash=digest,
                quote_id=None,
                created_at=now,
            )
        )
        await self.session.flush()

    async def settle(self, scope: str, operation: str, key: str, quote_id: int) -> None:
        await self.update(
            update(K)
            .where(K.scope == scope, K.operation == operation, K.key == key)
            .values(quote_id=quote_id)
        )
