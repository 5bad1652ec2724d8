"""Loaders of subscriptions, prices and promotions; prefetching what a page of them selects."""

from collections.abc import Awaitable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from renewals.api.core.dataloader import SqlLoader
from renewals.api.core.prefetch import Tree, settle
from renewals.api.customers.loaders import owner_loads
from renewals.domain.eligibility import price_key
from renewals.domain.values import PriceKey, Promotion
from renewals.persistence import reads
from renewals.persistence.records import SubscriptionRecord

if TYPE_CHECKING:
    from renewals.api.loaders import Loaders


class SubscriptionByIdLoader(SqlLoader[int, SubscriptionRecord | None]):
    fetch = staticmethod(reads.subscriptions_by_id)


class PriceByKeyLoader(SqlLoader[PriceKey, Decimal | None]):
    fetch = staticmethod(reads.prices_by_key)


class PromotionsByDateLoader(SqlLoader[date, list[Promotion]]):
    fetch = staticmethod(reads.promotions_on)


async def prefetch_subscriptions(loaders: "Loaders", records: list[Any], fields: Tree) -> None:
    """Loads each relation the selection asks for, for the whole page (one statement each)."""
    loads: list[Awaitable[Any]] = owner_loads(loaders, records, fields)
    if "openQuote" in fields:
        loads.append(
            loaders.quote_by_id.load_many({r.open_quote_id for r in records if r.open_quote_id})
        )
    if "renewalEligibility" in fields:
        loads.append(loaders.price_by_key.load_many({price_key(r) for r in records}))
    await settle(loads)
