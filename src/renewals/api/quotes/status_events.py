"""quoteStatusChanged: the current state first (with quoteId), then every visible change."""

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.enums import QuoteStatus
from renewals.api.core.ids import pk_of
from renewals.api.quotes.types import Quote
from renewals.events import StatusEvent


@strawberry.type(description="A quote changed status.")
class QuoteStatusEvent:
    quote: Quote = strawberry.field(description="The quote, as it is now.")
    status: QuoteStatus = strawberry.field(description="The new status.")
    previous_status: QuoteStatus | None = strawberry.field(
        description="The status before; null for a quote's first status. The current-state event "
        "of a `quoteId` subscription repeats the quote's latest change."
    )
    occurred_at: datetime = strawberry.field(description="When it changed (UTC).")


async def quote_status_changed(
    info: Info,
    quote_id: Annotated[
        strawberry.ID | None,
        strawberry.argument(description="Only this quote; current state first."),
    ] = None,
    customer_csn: Annotated[
        str | None, strawberry.argument(description="Only this customer's quotes.")
    ] = None,
) -> AsyncGenerator[QuoteStatusEvent, None]:
    context = ctx(info)
    visibility = await context.visibility()
    container = context.container
    wanted_quote = pk_of(quote_id, "Quote") if quote_id is not None else None
    wanted_customer = None
    if customer_csn is not None:
        wanted_customer = await context.customer_id(customer_csn) or -1
    if quote_id is not None and wanted_quote is None:
        return
    # A shared run (api/core/fanout.py) listens once for all of its subscribers.
    async with container.bus.listen(getattr(context, "subscribers", None)) as queue:
        replayed_up_to = 0
        if wanted_quote is not None:
            record = await context.loaders.quote_by_id.load(wanted_quote)
            if record is None or not await context.can_see(record):
                return
            history = await context.loaders.history_by_quote_id.load(wanted_quote)
            if history and (wanted_customer is None or record.customer_id == wanted_customer):
                # The latest change is replayed as the current state; queued older ones are skipped.
                latest = history[-1]
                replayed_up_to = latest.id
                yield QuoteStatusEvent(
                    quote=Quote.shape(record, context.today),
                    status=latest.status,
                    previous_status=latest.previous_status,
                    occurred_at=latest.occurred_at.replace(tzinfo=UTC),
                )
        while True:
            event: StatusEvent = await queue.get()
            if wanted_quote is not None and event.quote_id != wanted_quote:
                continue
            if wanted_customer is not None and event.customer_id != wanted_customer:
                continue
            if not visibility.allows(event):
                continue
            if event.history_id <= replayed_up_to:
                continue
            # Every subscriber of this process reads the event through the same loaders: one
            # statement per relation per event, not one per subscriber.
            context.for_event(event.history_id)
            quote = Quote.of(await context.loaders.quote_by_id.load(event.quote_id), context.today)
            if quote is None:
                continue
            yield QuoteStatusEvent(
                quote=quote,
                status=event.status,
                previous_status=event.previous_status,
                occurred_at=event.occurred_at.replace(tzinfo=UTC),
            )
            await asyncio.sleep(0)
