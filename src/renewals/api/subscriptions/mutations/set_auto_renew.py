"""setAutoRenew: switch a subscription's auto-renew on or off (R02)."""

from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.errors import UserError, user_errors
from renewals.api.core.ids import pk_of
from renewals.api.core.limits import overlong_input
from renewals.api.subscriptions.types import Subscription
from renewals.domain.errors import DomainError
from renewals.services import orders

INPUT_FIELDS = {"subscription": "subscriptionId"}


@strawberry.input(
    description=(
        "Switch a subscription's auto-renew on or off; on only until its renewal window closes "
        "(R01, R02)."
    )
)
class SetAutoRenewInput:
    subscription_id: strawberry.ID = strawberry.field(description="The subscription's ID.")
    enabled: bool = strawberry.field(description="The new value.")


@strawberry.type(description="Result of setAutoRenew.")
class SetAutoRenewPayload:
    subscription: Subscription | None = strawberry.field(description="The updated subscription.")
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


async def set_auto_renew(
    info: Info,
    input: Annotated[
        SetAutoRenewInput, strawberry.argument(description="Which subscription, and the new value.")
    ],
) -> SetAutoRenewPayload:
    context = ctx(info)
    visibility = await context.visibility()
    if refused := overlong_input(info, input):
        return SetAutoRenewPayload(subscription=None, user_errors=refused)
    try:
        sub_id = await orders.set_auto_renew(
            context.container,
            visibility,
            pk_of(input.subscription_id, "Subscription"),
            input.enabled,
        )
    except DomainError as e:
        return SetAutoRenewPayload(subscription=None, user_errors=user_errors(e, INPUT_FIELDS))
    context.refresh()
    record = await context.loaders.subscription_by_id.load(sub_id)
    assert record is not None  # the service just wrote it
    return SetAutoRenewPayload(subscription=Subscription.of(record, context.today), user_errors=[])
