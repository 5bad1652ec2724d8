"""createWebhookEndpoint: a partner (its customers' quotes) or sales (all) registers a URL."""

from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.errors import UserError, user_errors
from renewals.api.core.limits import overlong_input
from renewals.api.webhooks.mutations.common import INPUT_FIELDS, endpoint_by_id
from renewals.api.webhooks.owner import owner_or_refusal
from renewals.api.webhooks.types import WebhookEndpoint
from renewals.domain.errors import DomainError
from renewals.services import webhooks


@strawberry.input(description="A new webhook endpoint.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(
        description="An http(s) URL on a public address (private, loopback and link-local "
        "addresses are refused)."
    )
    events: list[str] = strawberry.field(
        description="Event types to receive, e.g. `quote.quoted`, `quote.expiring`, or `*` for all."
    )
    active: bool = strawberry.field(default=True, description="False: registered, nothing sent.")


@strawberry.type(description="Result of createWebhookEndpoint.")
class CreateWebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(description="The new endpoint.")
    secret: str | None = strawberry.field(
        description="The signing secret, shown this once: keep it to verify `Renewals-Signature`."
    )
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


async def create_webhook_endpoint(
    info: Info,
    input: Annotated[
        CreateWebhookEndpointInput, strawberry.argument(description="The URL and its events.")
    ],
) -> CreateWebhookEndpointPayload:
    context = ctx(info)
    if refused := overlong_input(info, input):
        return CreateWebhookEndpointPayload(endpoint=None, secret=None, user_errors=refused)
    try:
        owner = await owner_or_refusal(context)
        pk, secret = await webhooks.create_endpoint(
            context.container, owner, input.url, input.events, input.active
        )
    except DomainError as e:
        return CreateWebhookEndpointPayload(
            endpoint=None, secret=None, user_errors=user_errors(e, INPUT_FIELDS)
        )
    endpoint = await endpoint_by_id(context, owner, pk)
    return CreateWebhookEndpointPayload(endpoint=endpoint, secret=secret, user_errors=[])
