"""rotateWebhookSecret: a new signing secret; the previous one signs beside it for a while."""

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


@strawberry.input(description="The webhook endpoint whose secret to replace.")
class RotateWebhookSecretInput:
    endpoint_id: strawberry.ID = strawberry.field(description="The endpoint's ID.")


@strawberry.type(description="Result of rotateWebhookSecret.")
class RotateWebhookSecretPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(
        description="The endpoint; `previousSecretValidUntil` says how long the old secret signs."
    )
    secret: str | None = strawberry.field(description="The new signing secret, shown this once.")
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


async def rotate_webhook_secret(
    info: Info,
    input: Annotated[RotateWebhookSecretInput, strawberry.argument(description="Which one.")],
) -> RotateWebhookSecretPayload:
    context = ctx(info)
    if refused := overlong_input(info, input):
        return RotateWebhookSecretPayload(endpoint=None, secret=None, user_errors=refused)
    try:
        owner = await owner_or_refusal(context)
        pk, secret = await webhooks.rotate_secret(
            context.container, owner, pk_of(input.endpoint_id, "WebhookEndpoint")
        )
    except DomainError as e:
        return RotateWebhookSecretPayload(
            endpoint=None, secret=None, user_errors=user_errors(e, INPUT_FIELDS)
        )
    endpoint = await endpoint_by_id(context, owner, pk)
    return RotateWebhookSecretPayload(endpoint=endpoint, secret=secret, user_errors=[])
