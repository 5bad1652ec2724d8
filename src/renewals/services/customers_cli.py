"""Lists customers for `renewals customers` (sales: who cannot get an R12 automatic quote)."""

from renewals.config import Settings
from renewals.persistence.db import create_database
from renewals.persistence.uow import UnitOfWork


async def list_customers_without_buyer(settings: Settings) -> list[str]:
    """`CSN name`, one per customer without a BUYER contact (R12 has nobody to send a quote to)."""
    db = create_database(settings.database_url)
    try:
        async with UnitOfWork(db) as uow:
            rows = await uow.customers.without_buyer()
    finally:
        await db.dispose()
    return [f"{csn} {name}" for csn, name in rows]
