"""Per-request DataLoaders, named <Target>By<Key>Loader: one SQL statement per relation per batch."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from strawberry.dataloader import DataLoader

from renewals.domain.values import PriceKey, Promotion
from renewals.persistence import models as m
from renewals.persistence import reads
from renewals.persistence.records import (
    ContactRecord,
    CustomerRecord,
    OrderRecord,
    PartnerRecord,
    QuoteLineRecord,
    QuotePromotionRecord,
    QuoteRecord,
    RecipientRecord,
    StatusChangeRecord,
    SubscriptionRecord,
)

K = TypeVar("K")
V = TypeVar("V")
Fetch = Callable[[AsyncConnection, Sequence[Any]], Awaitable[list[Any]]]


def _loader(engine: AsyncEngine, fetch: Fetch) -> DataLoader[Any, Any]:
    async def load(keys: Sequence[Any]) -> list[Any]:
        async with engine.connect() as conn:
            return await fetch(conn, keys)

    return DataLoader(load_fn=load)


class Loaders:
    """Every loader of one request (or of one subscription event)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.subscription_by_id: DataLoader[int, SubscriptionRecord | None] = _loader(
            engine, reads.subscriptions_by_id
        )
        self.customer_by_id: DataLoader[int, CustomerRecord | None] = _loader(
            engine, reads.customers_by_id
        )
        self.partner_by_id: DataLoader[int, PartnerRecord | None] = _loader(
            engine, reads.partners_by_id
        )
        self.contacts_by_customer_id: DataLoader[int, list[ContactRecord]] = _loader(
            engine, reads.contacts_by_customer
        )
        self.quote_by_id: DataLoader[int, QuoteRecord | None] = _loader(engine, reads.quotes_by_id)
        self.quote_id_by_number: DataLoader[str, int | None] = _loader(
            engine, reads.quote_ids_by_number
        )
        self.lines_by_quote_id: DataLoader[int, list[QuoteLineRecord]] = _loader(
            engine, reads.lines_by_quote
        )
        self.promotions_by_quote_id: DataLoader[int, list[QuotePromotionRecord]] = _loader(
            engine, reads.promotions_by_quote
        )
        self.recipients_by_quote_id: DataLoader[int, list[RecipientRecord]] = _loader(
            engine, reads.recipients_by_quote
        )
        self.history_by_quote_id: DataLoader[int, list[StatusChangeRecord]] = _loader(
            engine, reads.history_by_quote
        )
        self.order_by_quote_id: DataLoader[int, OrderRecord | None] = _loader(
            engine, reads.orders_by_quote
        )
        self.order_by_id: DataLoader[int, OrderRecord | None] = _loader(engine, reads.orders_by_id)
        self.price_by_key: DataLoader[PriceKey, Decimal | None] = _loader(
            engine, reads.prices_by_key
        )
        self.promotions_by_date: DataLoader[date, list[Promotion]] = _loader(
            engine, reads.promotions_on
        )
        self.customer_id_by_csn: DataLoader[str, int | None] = _loader(
            engine, lambda conn, keys: reads.ids_by_csn(conn, m.Customer.__table__, keys)
        )
        self.partner_id_by_csn: DataLoader[str, int | None] = _loader(
            engine, lambda conn, keys: reads.ids_by_csn(conn, m.Partner.__table__, keys)
        )
