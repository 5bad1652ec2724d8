"""createCoTermQuote: a CO_TERM quote that aligns subscriptions' end dates (R06)."""

from datetime import date
from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.errors import UserError, user_errors
from renewals.api.core.ids import pk_of
from renewals.api.core.limits import overlong_input
from renewals.api.quotes.inputs import RecipientInput, recipients_of
from renewals.api.quotes.reload import reloaded_quote
from renewals.api.quotes.types import Quote
from renewals.domain.errors import DomainError
from renewals.services import coterm

INPUT_FIELDS = {
    "selection": "subscriptionIds",
    "subscription": "subscriptionIds",
    "recipients": "recipients",
    "recipient": "recipients",
    "align_to": "alignTo",
    "anchor": "alignToSubscriptionId",
    "draft": "draft",
    "idempotency_key": "idempotencyKey",
}


@strawberry.input(
    description="Request a co-term quote: move subscriptions' end dates to one common date (R06)."
)
class CreateCoTermQuoteInput:
    subscription_ids: list[strawberry.ID] = strawberry.field(
        description=(
            "The subscriptions whose end dates move (the anchor is not one of them): one "
            "customer, currency, payment method and reseller (R04), active, not monthly."
        )
    )
    align_to: date | None = strawberry.field(
        default=None,
        description=(
            "The common end date: after each subscription's end date and less than one term "
            "after it. Give this or alignToSubscriptionId."
        ),
    )
    align_to_subscription_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "Align to this subscription's end date (a visible subscription of the same "
            "customer, not itself moved). Give this or alignTo."
        ),
    )
    recipients: list[RecipientInput] | None = strawberry.field(
        default=None, description="Up to four recipients besides the buyer (R03, R04)."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="The same key from the same viewer returns the first result."
    )
    draft: bool | None = strawberry.field(
        default=False,
        description="Reserved for draft quotes; `true` is refused (INVALID_INPUT) for now.",
    )


@strawberry.type(description="Result of createCoTermQuote.")
class CreateCoTermQuotePayload:
    quote: Quote | None = strawberry.field(
        description="The new CO_TERM quote (FINALIZING), unless refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


def co_term_command(
    input: CreateCoTermQuoteInput,
) -> tuple[coterm.CreateCoTermCommand, dict[str, str]]:
    """The input as the service's command, and its field map (shared with previewQuote)."""
    anchor = input.align_to_subscription_id
    command = coterm.CreateCoTermCommand(
        subscription_ids=[pk_of(gid, "Subscription") for gid in input.subscription_ids],
        align_to=input.align_to,
        anchor_requested=anchor is not None,
        anchor_id=pk_of(anchor, "Subscription") if anchor is not None else None,
        recipients=recipients_of(input.recipients) or [],
        idempotency_key=input.idempotency_key,
        draft=bool(input.draft),
    )
    # A date problem is about the field that gave the date.
    return command, {**INPUT_FIELDS, "alignment": "alignToSubscriptionId" if anchor else "alignTo"}


async def create_co_term_quote(
    info: Info,
    input: Annotated[CreateCoTermQuoteInput, strawberry.argument(description="What to align.")],
) -> CreateCoTermQuotePayload:
    context = ctx(info)
    viewer, visibility = context.viewer(), await context.visibility()
    if refused := overlong_input(info, input):
        return CreateCoTermQuotePayload(quote=None, user_errors=refused)
    command, fields = co_term_command(input)
    try:
        quote_id = await coterm.create_co_term_quote(context.container, viewer, visibility, command)
    except DomainError as e:
        return CreateCoTermQuotePayload(quote=None, user_errors=user_errors(e, fields))
    return CreateCoTermQuotePayload(quote=await reloaded_quote(context, quote_id), user_errors=[])
