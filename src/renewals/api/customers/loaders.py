"""Loaders of customers, partners and contacts (and the CSN → id lookups)."""

from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncConnection

from renewals.api.core.dataloader import SqlLoader
from renewals.api.core.prefetch import Tree
from renewals.persistence import models as m
from renewals.persistence import reads
from renewals.persistence.records import ContactRecord, CustomerRecord, PartnerRecord

if TYPE_CHECKING:
    from renewals.api.loaders import Loaders


class CustomerByIdLoader(SqlLoader[int, CustomerRecord | None]):
    fetch = staticmethod(reads.customers_by_id)


class PartnerByIdLoader(SqlLoader[int, PartnerRecord | None]):
    fetch = staticmethod(reads.partners_by_id)


class ContactsByCustomerIdLoader(SqlLoader[int, list[ContactRecord]]):
    fetch = staticmethod(reads.contacts_by_customer)


class CustomerIdByCsnLoader(SqlLoader[str, int | None]):
    @staticmethod
    async def fetch(conn: AsyncConnection, keys: Sequence[str]) -> list[int | None]:
        return await reads.ids_by_csn(conn, m.Customer.__table__, keys)


class PartnerIdByCsnLoader(SqlLoader[str, int | None]):
    @staticmethod
    async def fetch(conn: AsyncConnection, keys: Sequence[str]) -> list[int | None]:
        return await reads.ids_by_csn(conn, m.Partner.__table__, keys)


def owner_loads(loaders: "Loaders", records: list[Any], fields: Tree) -> list[Awaitable[Any]]:
    """The customer and reseller loads a page of subscriptions or quotes selects."""
    loads: list[Awaitable[Any]] = []
    if "customer" in fields:
        loads.append(loaders.customer_by_id.load_many({r.customer_id for r in records}))
    if "reseller" in fields:
        loads.append(
            loaders.partner_by_id.load_many({r.reseller_id for r in records if r.reseller_id})
        )
    return loads
