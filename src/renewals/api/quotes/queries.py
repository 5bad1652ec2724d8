"""quotes (a Relay connection, newest first), quote(number) and the Quote node."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import Context, ctx
from renewals.api.core.limits import check_filter
from renewals.api.core.pagination import After, First, PageRequest, node_fields, read_page
from renewals.api.quotes.loaders import prefetch_quotes
from renewals.api.quotes.types import Quote, QuoteConnection, QuoteFilter
from renewals.domain.enums import OPEN_STATUSES
from renewals.domain.enums import QuoteStatus as DomainQuoteStatus
from renewals.persistence import reads


async def resolve_quotes(
    info: Info,
    first: First = None,
    after: After = None,
    filter: Annotated[
        QuoteFilter | None, strawberry.argument(description="Conditions to narrow the list.")
    ] = None,
) -> QuoteConnection:
    context = ctx(info)
    check_filter(info, filter)
    request = PageRequest.of("quotes", first, after)
    vis = await context.visibility()
    f = filter or QuoteFilter()
    customer_id = await context.filter_id(f.customer_csn)
    if customer_id is False:
        vis = replace(vis, nothing=True)
    statuses = (
        tuple(DomainQuoteStatus(s.value) for s in f.statuses) if f.statuses is not None else None
    )
    if f.open is not None:
        wanted = OPEN_STATUSES if f.open else frozenset(DomainQuoteStatus) - OPEN_STATUSES
        every = statuses if statuses is not None else tuple(DomainQuoteStatus)
        statuses = tuple(s for s in every if s in wanted)
    if statuses == ():  # no status can match (an empty list, or `open` excludes every one)
        vis = replace(vis, nothing=True)
    # Filtered by effective status: a quote past `expiresOn` is EXPIRED before the job writes it.
    query = reads.QuoteQuery(
        customer_id=customer_id or None, statuses=statuses, today=context.today
    )
    page = await read_page(
        context.reads,
        request,
        lambda conn, after_id, n: reads.quote_page(conn, vis, query, after_id, n),
        lambda conn: reads.quote_count(conn, vis, query),
    )
    await prefetch_quotes(context.loaders, page.rows, node_fields(info))
    return QuoteConnection.of(page, lambda r: Quote.shape(r, context.today))


async def resolve_quote(
    info: Info, number: Annotated[str, strawberry.argument(description="The quote number.")]
) -> Quote | None:
    context = ctx(info)
    await context.visibility()
    quote_id = await context.loaders.quote_id_by_number.load(number)
    record = await context.loaders.quote_by_id.load(quote_id) if quote_id else None
    return Quote.of(record, context.today) if record and await context.can_see(record) else None


async def quote_node(context: Context, pk: int) -> Quote | None:
    quote = await context.loaders.quote_by_id.load(pk)
    return Quote.of(quote, context.today) if quote and await context.can_see(quote) else None
