"""Loaders of orders and their parts."""

from renewals.api.core.dataloader import SqlLoader
from renewals.persistence import reads
from renewals.persistence.records import OrderLineRecord, OrderRecord, OrderStatusChangeRecord


class OrderByIdLoader(SqlLoader[int, OrderRecord | None]):
    fetch = staticmethod(reads.orders_by_id)


class OrderByQuoteIdLoader(SqlLoader[int, OrderRecord | None]):
    fetch = staticmethod(reads.orders_by_quote)


class OrderIdsBySubscriptionIdLoader(SqlLoader[int, list[int]]):
    fetch = staticmethod(reads.order_ids_by_subscription)


class LinesByOrderIdLoader(SqlLoader[int, list[OrderLineRecord]]):
    fetch = staticmethod(reads.lines_by_order)


class HistoryByOrderIdLoader(SqlLoader[int, list[OrderStatusChangeRecord]]):
    fetch = staticmethod(reads.history_by_order)
