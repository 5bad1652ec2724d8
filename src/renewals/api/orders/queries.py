"""orders (a Relay connection, newest first) and the Order node."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import Context, ctx
from renewals.api.core.errors import bad_input
from renewals.api.core.ids import pk_of
from renewals.api.core.limits import check_filter
from renewals.api.core.pagination import After, First, PageRequest, read_page
from renewals.api.orders.types import Order, OrderConnection, OrderFilter
from renewals.persistence import reads


async def resolve_orders(
    info: Info,
    first: First = None,
    after: After = None,
    filter: Annotated[
        OrderFilter | None, strawberry.argument(description="Conditions to narrow the list.")
    ] = None,
) -> OrderConnection:
    check_filter(info, filter)
    context = ctx(info)
    request = PageRequest.of("orders", first, after)
    vis = await context.visibility()
    f = filter or OrderFilter()
    subscription_id = None
    if f.subscription_id is not None:
        subscription_id = pk_of(f.subscription_id, "Subscription")
        if subscription_id is None:
            raise bad_input("`filter.subscriptionId` is not a Subscription ID.")
    customer_id = await context.filter_id(f.customer_csn)
    if customer_id is False:  # an unknown customer: nothing matches
        vis = replace(vis, nothing=True)
    query = reads.OrderQuery(customer_id=customer_id or None, subscription_id=subscription_id)
    page = await read_page(
        context.reads,
        request,
        lambda conn, after_id, n: reads.order_page(conn, vis, query, after_id, n),
        lambda conn: reads.order_count(conn, vis, query),
    )
    return OrderConnection.of(page, Order.shape)


async def order_node(context: Context, pk: int) -> Order | None:
    order = await context.loaders.order_by_id.load(pk)
    return Order.of(order) if order and await context.can_see(order) else None
