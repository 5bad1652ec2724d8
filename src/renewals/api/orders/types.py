"""Orders: what accepting a quote made."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info, Private

from renewals.api.core.context import ctx
from renewals.api.core.ids import to_global_id
from renewals.api.core.prefetch import resolved
from renewals.api.core.types import Money, Node, lazy_class, utc
from renewals.persistence.records import OrderRecord

if TYPE_CHECKING:
    from renewals.api.quotes.types import Quote

QuoteRef = Annotated["Quote", strawberry.lazy("renewals.api.quotes.types")]


@strawberry.type(description="The order made when a quote was accepted.")
class Order(Node):
    record: Private[OrderRecord]
    number: str = strawberry.field(description="The order number.")
    total: Money = strawberry.field(description="What was charged.")
    payment_reference: str | None = strawberry.field(description="The payment gateway's reference.")
    created_at: datetime = strawberry.field(description="When the quote was accepted (UTC).")

    @classmethod
    def of(cls, r: OrderRecord | None) -> Order | None:
        if r is None:
            return None
        return cls(
            record=r,
            id=strawberry.ID(to_global_id("Order", r.id)),
            number=r.number,
            total=Money(amount=r.total, currency=r.currency),
            payment_reference=r.payment_reference,
            created_at=utc(r.created_at),
        )

    @strawberry.field(description="The accepted quote.")
    def quote(self, info: Info) -> QuoteRef:
        quote_type = lazy_class(QuoteRef)
        return resolved(
            ctx(info).loaders.quote_by_id,
            self.record.quote_id,
            lambda r: quote_type.of(r, ctx(info).today),
        )
