"""The reads a quote is created from, by statements built once: every create runs them, and
building and keying a statement costs more CPU than running it (SQLAlchemy reuses the cache
key and the compiled form of a statement object it has seen)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from renewals.persistence import models as m
from renewals.persistence import reads
from renewals.persistence.records import ContactRecord, SubscriptionRecord

CONTACTS_T = m.Contact.__table__
SUBSCRIPTIONS = reads.subscription_select().where(
    reads.subs_t.c.id.in_(bindparam("ids", expanding=True))
)
CONTACTS = (
    select(*(CONTACTS_T.c[n] for n in ContactRecord.__dataclass_fields__))
    .where(CONTACTS_T.c.customer_id == bindparam("customer_id"))
    .order_by(CONTACTS_T.c.id)
)


async def subscriptions_by_id(
    conn: AsyncConnection, ids: Sequence[int]
) -> list[SubscriptionRecord | None]:
    """`reads.subscriptions_by_id`: the records in the order of `ids`, None for a miss."""
    rows = await conn.execute(SUBSCRIPTIONS, {"ids": list(ids)})
    found: dict[int, Any] = {r.id: r for r in (SubscriptionRecord(*row) for row in rows)}
    return [found.get(i) for i in ids]


async def contacts_of(conn: AsyncConnection, customer_id: int) -> list[ContactRecord]:
    """`reads.contacts_by_customer` of one customer, by id."""
    rows = await conn.execute(CONTACTS, {"customer_id": customer_id})
    return [ContactRecord(*row) for row in rows]
