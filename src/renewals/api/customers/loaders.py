"""Loaders of customers, partners and contacts (and the CSN → id lookups)."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from renewals.api.core.dataloader import SqlLoader
from renewals.persistence import models as m
from renewals.persistence import reads
from renewals.persistence.records import ContactRecord, CustomerRecord, PartnerRecord


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
