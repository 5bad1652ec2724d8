"""Loaders of quotes and their parts; prefetching what a page of quotes selects."""

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from renewals.api.core.dataloader import SqlLoader
from renewals.api.core.prefetch import Tree, peek, settle
from renewals.api.customers.loaders import owner_loads
from renewals.persistence import reads
from renewals.persistence.records import (
    QuoteLineRecord,
    QuotePromotionRecord,
    QuoteRecord,
    RecipientRecord,
    StatusChangeRecord,
)

if TYPE_CHECKING:
    from renewals.api.loaders import Loaders


class QuoteByIdLoader(SqlLoader[int, QuoteRecord | None]):
    fetch = staticmethod(reads.quotes_by_id)


class QuoteIdByNumberLoader(SqlLoader[str, int | None]):
    fetch = staticmethod(reads.quote_ids_by_number)


class LinesByQuoteIdLoader(SqlLoader[int, list[QuoteLineRecord]]):
    fetch = staticmethod(reads.lines_by_quote)


class PromotionsByQuoteIdLoader(SqlLoader[int, list[QuotePromotionRecord]]):
    fetch = staticmethod(reads.promotions_by_quote)


class RecipientsByQuoteIdLoader(SqlLoader[int, list[RecipientRecord]]):
    fetch = staticmethod(reads.recipients_by_quote)


class HistoryByQuoteIdLoader(SqlLoader[int, list[StatusChangeRecord]]):
    fetch = staticmethod(reads.history_by_quote)


async def prefetch_quotes(loaders: "Loaders", records: list[Any], fields: Tree) -> None:
    """Loads each relation the selection asks for, for the whole page (one statement each)."""
    ids = [r.id for r in records]
    loads: list[Awaitable[Any]] = owner_loads(loaders, records, fields)
    for name, loader in (
        ("lines", loaders.lines_by_quote_id),
        ("promotions", loaders.promotions_by_quote_id),
        ("recipients", loaders.recipients_by_quote_id),
        ("statusHistory", loaders.history_by_quote_id),
        ("order", loaders.order_by_quote_id),
    ):
        if name in fields:
            loads.append(loader.load_many(ids))
    await settle(loads)
    line_fields = fields.get("lines", {})
    if "subscription" in line_fields:
        lines = [
            ln for quote_id in ids for ln in peek(loaders.lines_by_quote_id, quote_id)[1] or []
        ]
        await loaders.subscription_by_id.load_many({ln.subscription_id for ln in lines})
