"""Customers' contacts and addresses, prices and promotions, scheduled runs, the health
check's write."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from renewals.domain.values import PriceKey, Promotion
from renewals.persistence import models as m
from renewals.persistence import reads
from renewals.persistence.repositories.base import Repository
from renewals.persistence.repositories.catalogue import prices_and_promotions


class CustomerRepository(Repository):
    async def get(self, customer_id: int) -> m.Customer:
        stmt = select(m.Customer).where(m.Customer.id == customer_id)
        return (await self.session.execute(stmt)).scalar_one()

    async def contacts(self, customer_id: int) -> list[m.Contact]:
        stmt = select(m.Contact).where(m.Contact.customer_id == customer_id)
        return list((await self.session.execute(stmt.order_by(m.Contact.id))).scalars())

    async def without_buyer(self) -> list[tuple[str, str]]:
        """(CSN, name) of the customers without a BUYER contact (no R12 automatic quote)."""
        return await reads.customers_without_buyer(await self.session.connection())


class PriceRepository(Repository):
    async def book(self, products: Iterable[str]) -> dict[PriceKey, Decimal]:
        return await reads.price_book(await self.session.connection(), products)

    async def promotions_on(self, day: date) -> list[Promotion]:
        return (await reads.promotions_on(await self.session.connection(), [day]))[0]

    async def catalogue(
        self, products: Iterable[str], day: date
    ) -> tuple[dict[PriceKey, Decimal], list[Promotion]]:
        """`book` and `promotions_on` in one statement."""
        return await prices_and_promotions(await self.session.connection(), products, day)


class ScheduleRepository(Repository):
    async def claim(self, business_date: date, now: datetime, runner: str) -> bool:
        """One row per business date: True for the one runner whose insert wins."""
        self.session.add(
            m.ScheduledRun(business_date=business_date, started_at=now, runner=runner[:100])
        )
        try:
            await self.session.flush()
        except IntegrityError:
            return False
        return True


class HealthRepository(Repository):
    async def write(self, now: datetime) -> None:
        """Writes the one health row: inserted the first time, rewritten after (one statement,
        so concurrent checks never collide)."""
        insert = sqlite_insert if self.is_sqlite else pg_insert
        stmt = insert(m.HealthCheck).values(id=1, checked_at=now)
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=["id"], set_={"checked_at": now})
        )
