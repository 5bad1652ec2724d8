"""webhookEndpoints and webhookDeliveries: the viewer's own (a partner's, or sales')."""

from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.errors import bad_input
from renewals.api.core.ids import pk_of
from renewals.api.core.limits import check_filter
from renewals.api.core.pagination import After, First
from renewals.api.webhooks.owner import viewer_owner
from renewals.api.webhooks.types import (
    WebhookDeliveryConnection,
    WebhookDeliveryFilter,
    WebhookEndpoint,
    delivery_connection,
)
from renewals.persistence.repositories import webhooks as reads


async def resolve_webhook_endpoints(info: Info) -> list[WebhookEndpoint]:
    context = ctx(info)
    owner = await viewer_owner(context)
    async with context.container.db.read_engine.connect() as conn:
        rows = await reads.endpoints_of(conn, owner)
    return [WebhookEndpoint.of(row) for row in rows]


async def resolve_webhook_deliveries(
    info: Info,
    first: First = None,
    after: After = None,
    filter: Annotated[
        WebhookDeliveryFilter | None,
        strawberry.argument(description="Conditions to narrow the list."),
    ] = None,
) -> WebhookDeliveryConnection:
    check_filter(info, filter)
    f = filter or WebhookDeliveryFilter()
    endpoint_id = None
    if f.endpoint_id is not None:
        endpoint_id = pk_of(f.endpoint_id, "WebhookEndpoint")
        if endpoint_id is None:
            raise bad_input("`filter.endpointId` is not a WebhookEndpoint ID.")
    return await delivery_connection(info, first, after, endpoint_id, f.status, f.event_type)
