"""updateWebhookEndpoint: change an endpoint's URL, events or whether it is active."""

from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.errors import UserError, user_errors
from renewals.api.core.ids import pk_of
from renewals.api.core.limits import overlong_input
from renewals.api.webhooks.mutations.common import INPUT_FIELDS, endpoint_by_id
from renewals.api.webhooks.owner import owner_or_refusal
from renewals.api.webhooks.types import WebhookEndpoint
from renewals.domain.errors import DomainError
from renewals.services import webhooks


@strawberry.input(description="What to change on a webhook endpoint; omitted fields stay.")
class UpdateWebhookEndpointInput:
    endpoint_id: strawberry.ID = strawberry.field(description="The endpoint's ID.")
    url: str | None = strawberry.field(default=None, description="A new http(s) URL.")
    events: list[str] | None = strawberry.field(default=None, description="New event types.")
    active: bool | None = strawberry.field(default=None, description="Switch sending on or off.")


@strawberry.type(description="Result of updateWebhookEndpoint.")
class UpdateWebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(description="The endpoint as changed.")
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


async def update_webhook_endpoint(
    info: Info,
    input: Annotated[
        UpdateWebhookEndpointInput, strawberry.argument(description="The endpoint and changes.")
    ],
) -> UpdateWebhookEndpointPayload:
    context = ctx(info)
    if refused := overlong_input(info, input):
        return UpdateWebhookEndpointPayload(endpoint=None, user_errors=refused)
    try:
        owner = await owner_or_refusal(context)
        pk = await webhooks.update_endpoint(
            context.container,
            owner,
            pk_of(input.endpoint_id, "WebhookEndpoint"),
            url=input.url,
            events=input.events,
            active=input.active,
        )
    except DomainError as e:
        return UpdateWebhookEndpointPayload(endpoint=None, user_errors=user_errors(e, INPUT_FIELDS))
    endpoint = await endpoint_by_id(context, owner, pk)
    return UpdateWebhookEndpointPayload(endpoint=endpoint, user_errors=[])
