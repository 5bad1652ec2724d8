"""node(id): any object by its global ID, through the area that owns its type."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from strawberry import Info

from renewals.api.core.context import Context, ctx
from renewals.api.core.ids import from_global_id
from renewals.api.core.types import Node
from renewals.api.customers.queries import customer_node, partner_node
from renewals.api.orders.queries import order_node
from renewals.api.quotes.queries import quote_node
from renewals.api.subscriptions.queries import subscription_node

NODES: dict[str, Callable[[Context, int], Awaitable[Any]]] = {
    "Subscription": subscription_node,
    "Quote": quote_node,
    "Order": order_node,
    "Customer": customer_node,
    "Partner": partner_node,
}


async def resolve_node(
    info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]
) -> Node | None:
    context = ctx(info)
    await context.visibility()  # unauthenticated first, whatever the id
    decoded = from_global_id(id)
    if decoded is None or decoded[0] not in NODES:
        return None
    kind, pk = decoded
    return await NODES[kind](context, pk)
