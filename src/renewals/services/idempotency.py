"""Idempotency keys: the same key from the same viewer returns the first result."""

import hashlib
import json
from typing import Any

from sqlalchemy import select

from renewals.domain.enums import ErrorCode
from renewals.domain.errors import DomainError
from renewals.persistence import models as m
from renewals.persistence.uow import UnitOfWork


def request_hash(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


async def replayed_quote_id(
    uow: UnitOfWork, scope: str, operation: str, key: str | None, digest: str
) -> int | None:
    """The first result's quote id for a repeated key; a key reused with other input is refused."""
    if key is None:
        return None
    row = (
        await uow.session.execute(
            select(m.IdempotencyKey).where(
                m.IdempotencyKey.scope == scope,
                m.IdempotencyKey.operation == operation,
                m.IdempotencyKey.key == key,
            )
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    if row.request_hash != digest:
        raise DomainError.one(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was used before with a different input.",
            ("input", "idempotencyKey"),
        )
    return row.quote_id


def remember(
    uow: UnitOfWork,
    scope: str,
    operation: str,
    key: str | None,
    digest: str,
    quote_id: int,
    now: Any,
) -> None:
    if key is not None:
        uow.add(
            m.IdempotencyKey(
                scope=scope,
                operation=operation,
                key=key,
                request_hash=digest,
                quote_id=quote_id,
                created_at=now,
            )
        )
