"""deleteWebhookEndpoint: the endpoint and its deliveries go; nothing more is sent to it."""

from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.errors import UserError, user_errors
from renewals.api.core.ids import pk_of
from renewals.api.core.limits import overlong_input
from renewals.api.webhooks.mutations.common import INPUT_FIELDS
from renewals.api.webhooks.owner import owner_or_refusal
from renewals.domain.errors import DomainError
from renewals.services import webhooks


@strawberry.input(description="The webhook endpoint to delete.")
class DeleteWebhookEndpointInput:
    endpoint_id: strawberry.ID = strawberry.field(description="The endpoint's ID.")


@strawberry.type(description="Result of deleteWebhookEndpoint.")
class DeleteWebhookEndpointPayload:
    deleted_endpoint_id: strawberry.ID | None = strawberry.field(
        description="The deleted endpoint's ID."
    )
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


async def delete_webhook_endpoint(
    info: Info,
    input: Annotated[DeleteWebhookEndpointInput, strawberry.argument(description="Which one.")],
) -> DeleteWebhookEndpointPayload:
    context = ctx(info)
    if refused := overlong_input(info, input):
        return DeleteWebhookEndpointPayload(deleted_endpoint_id=None, user_errors=refused)
    try:
        owner = await owner_or_refusal(context)
        await webhooks.delete_endpoint(
            context.container, owner, pk_of(input.endpoint_id, "WebhookEndpoint")
        )
    except DomainError as e:
        return DeleteWebhookEndpointPayload(
            deleted_endpoint_id=None, user_errors=user_errors(e, INPUT_FIELDS)
        )
    return DeleteWebhookEndpointPayload(deleted_endpoint_id=input.endpoint_id, user_errors=[])
