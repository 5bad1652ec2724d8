"""What the webhook mutations share: their input fields and reading the endpoint back."""

from renewals.api.core.context import Context
from renewals.api.core.errors import InputFields
from renewals.api.webhooks.types import WebhookEndpoint
from renewals.persistence.repositories import webhooks as reads

INPUT_FIELDS: InputFields = {
    "url": "url",
    "events": "events",
    "endpoint": "endpointId",
    "delivery": "deliveryId",
}


async def endpoint_by_id(context: Context, owner: int | None, pk: int) -> WebhookEndpoint | None:
    async with context.container.db.read_engine.connect() as conn:
        rows = await reads.endpoints_of(conn, owner)
    return next((WebhookEndpoint.of(r) for r in rows if r.id == pk), None)
