"""Idempotency keys: the same key from the same viewer returns the first result.

The key row is claimed at the start of the transaction, so a concurrent request with the same key
waits for the first to finish (PostgreSQL blocks on the unique index) and then replays its result;
a refused request rolls back and leaves no key behind.
"""

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from renewals.domain.enums import ErrorCode
from renewals.domain.errors import DomainError
from renewals.persistence.uow import UnitOfWork

T = TypeVar("T")
RETRIES = 3


class KeyRace(Exception):
    """Another transaction claimed the same key first; retrying replays its result."""


def request_hash(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


async def replay_or_claim(
    uow: UnitOfWork, scope: str, operation: str, key: str | None, digest: str, now: Any
) -> int | None:
    """The first result's quote id for a repeated key; else claims the key here and gives None."""
    if key is None:
        return None
    row = await uow.idempotency.find(scope, operation, key)
    if row is not None:
        if row.request_hash != digest:
            raise DomainError.one(
                ErrorCode.IDEMPOTENCY_KEY_REUSED,
                "This idempotency key was used before with a different input.",
                ("idempotency_key",),
            )
        return row.quote_id
    try:
        await uow.idempotency.claim(scope, operation, key, digest, now)
    except IntegrityError as e:
        raise KeyRace(key) from e
    return None


async def settle(
    uow: UnitOfWork, scope: str, operation: str, key: str | None, quote_id: int
) -> None:
    """Records the result under the claimed key, in the same transaction."""
    if key is not None:
        await uow.idempotency.settle(scope, operation, key, quote_id)


async def retry_key_races(attempt: Callable[[], Awaitable[T]]) -> T:
    """Runs `attempt` again when it lost a key race: the retry replays the winner's result."""
    for _ in range(RETRIES):
        try:
            return await attempt()
        except KeyRace:
            continue
    return await attempt()
