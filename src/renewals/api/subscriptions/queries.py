"""subscriptions (a Relay connection) and Subscription nodes."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import Context, ctx
from renewals.api.core.pagination import (
    After,
    First,
    decode_cursor,
    encode_cursor,
    node_fields,
    page_info,
    page_size,
)
from renewals.api.subscriptions.loaders import prefetch_subscriptions
from renewals.api.subscriptions.types import (
    Subscription,
    SubscriptionConnection,
    SubscriptionEdge,
    SubscriptionFilter,
)
from renewals.persistence import reads


async def resolve_subscriptions(
    info: Info,
    first: First = None,
    after: After = None,
    filter: Annotated[
        SubscriptionFilter | None, strawberry.argument(description="Conditions to narrow the list.")
    ] = None,
) -> SubscriptionConnection:
    context = ctx(info)
    limit, after_id = page_size(first), decode_cursor("subscriptions", after)
    vis = await context.visibility()
    f = filter or SubscriptionFilter()
    customer_id = await context.filter_id(f.customer_csn)
    reseller_id = await context.filter_id(f.reseller_csn, partner=True)
    if customer_id is False or reseller_id is False:
        vis = replace(vis, nothing=True)
    query = reads.SubscriptionQuery(
        customer_id=customer_id or None,
        reseller_id=reseller_id or None,
        renewable_on=context.today if f.renewal_window_open else None,
        not_renewable_on=context.today if f.renewal_window_open is False else None,
        end_date_from=f.end_date_from,
        end_date_to=f.end_date_to,
        numbers=tuple(f.numbers) if f.numbers is not None else None,
        auto_renew=f.auto_renew,
    )
    async with context.container.db.read_engine.connect() as conn:
        rows = await reads.subscription_page(conn, vis, query, after_id, limit + 1) if limit else []
    await prefetch_subscriptions(context.loaders, rows[:limit], node_fields(info))
    edges = [
        SubscriptionEdge(cursor=encode_cursor("subscriptions", r.id), node=Subscription.of(r))
        for r in rows[:limit]
    ]

    async def count() -> int:
        async with context.container.db.read_engine.connect() as conn:
            return await reads.subscription_count(conn, vis, query)

    return SubscriptionConnection(
        count=count,
        edges=edges,
        page_info=page_info([e.cursor for e in edges], len(rows), limit, after),
    )


async def subscription_node(context: Context, pk: int) -> Subscription | None:
    record = await context.loaders.subscription_by_id.load(pk)
    return Subscription.of(record) if record and await context.can_see(record) else None
