"""Loaders of orders."""

from renewals.api.core.dataloader import SqlLoader
from renewals.persistence import reads
from renewals.persistence.records import OrderRecord


class OrderByIdLoader(SqlLoader[int, OrderRecord | None]):
    fetch = staticmethod(reads.orders_by_id)


class OrderByQuoteIdLoader(SqlLoader[int, OrderRecord | None]):
    fetch = staticmethod(reads.orders_by_quote)
