"""redeliverWebhook: one delivery due again now, with the same delivery id."""

from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.errors import UserError, user_errors
from renewals.api.core.limits import overlong_input
from renewals.api.webhooks.mutations.common import INPUT_FIELDS
from renewals.api.webhooks.owner import owner_or_refusal
from renewals.api.webhooks.types import WebhookDelivery
from renewals.domain.errors import DomainError
from renewals.persistence.repositories import webhooks as reads
from renewals.services import webhooks


@strawberry.input(description="The delivery to send again.")
class RedeliverWebhookInput:
    delivery_id: strawberry.ID = strawberry.field(
        description="The delivery id (`WebhookDelivery.id`, the `Renewals-Delivery-Id` header)."
    )


@strawberry.type(description="Result of redeliverWebhook.")
class RedeliverWebhookPayload:
    delivery: WebhookDelivery | None = strawberry.field(
        description="The delivery, PENDING and due now in a new retry window."
    )
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


async def redeliver_webhook(
    info: Info,
    input: Annotated[RedeliverWebhookInput, strawberry.argument(description="Which delivery.")],
) -> RedeliverWebhookPayload:
    context = ctx(info)
    if refused := overlong_input(info, input):
        return RedeliverWebhookPayload(delivery=None, user_errors=refused)
    try:
        owner = await owner_or_refusal(context)
        uid = await webhooks.redeliver(context.container, owner, str(input.delivery_id)[:40])
    except DomainError as e:
        return RedeliverWebhookPayload(delivery=None, user_errors=user_errors(e, INPUT_FIELDS))
    async with context.container.db.read_engine.connect() as conn:
        row = await reads.delivery_by_uid(conn, uid, owner)
        attempts = await reads.attempts_of(conn, [row.id]) if row else {}
    delivery = WebhookDelivery.of(row, attempts[row.id]) if row else None
    return RedeliverWebhookPayload(delivery=delivery, user_errors=[])
