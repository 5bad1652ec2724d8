"""subscriptions (a Relay connection) and Subscription nodes."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import Context, ctx
from renewals.api.core.limits import check_filter
from renewals.api.core.pagination import After, First, PageRequest, node_fields, read_page
from renewals.api.subscriptions.loaders import prefetch_subscriptions
from renewals.api.subscriptions.types import (
    Subscription,
    SubscriptionConnection,
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
    check_filter(info, filter)
    request = PageRequest.of("subscriptions", first, after)
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
    page = await read_page(
        context.reads,
        request,
        lambda conn, after_id, n: reads.subscription_page(conn, vis, query, after_id, n),
        lambda conn: reads.subscription_count(conn, vis, query),
    )
    await prefetch_subscriptions(context.loaders, page.rows, node_fields(info))
    return SubscriptionConnection.of(page, lambda r: Subscription.of(r, context.today))


async def subscription_node(context: Context, pk: int) -> Subscription | None:
    record = await context.loaders.subscription_by_id.load(pk)
    return (
        Subscription.of(record, context.today) if record and await context.can_see(record) else None
    )
