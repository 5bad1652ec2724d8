"""createRenewalQuote: a renewal quote for a group, part of one, or one subscription (R04, R05)."""

from datetime import date
from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.enums import PaymentMethod, to_domain
from renewals.api.core.errors import UserError, user_errors
from renewals.api.core.ids import pk_of
from renewals.api.core.limits import overlong_input
from renewals.api.quotes.inputs import (
    QuoteLineChangeInput,
    RecipientInput,
    line_changes,
    recipients_of,
)
from renewals.api.quotes.reload import reloaded_quote
from renewals.api.quotes.types import Quote
from renewals.domain import enums as d
from renewals.domain.errors import DomainError
from renewals.services import quotes

INPUT_FIELDS = {
    "selection": "subscriptionIds",
    "subscription": "subscriptionIds",
    "changes": "changes",
    "change": "changes",
    "recipients": "recipients",
    "recipient": "recipients",
    "currency": "currency",
    "payment_method": "paymentMethod",
    "start_date": "startDate",
    "idempotency_key": "idempotencyKey",
}


@strawberry.input(
    description="Request a renewal quote for a group, part of one, or one subscription."
)
class CreateRenewalQuoteInput:
    subscription_ids: list[strawberry.ID] = strawberry.field(
        description="A whole group or part of one (R04, R05)."
    )
    changes: list[QuoteLineChangeInput] | None = strawberry.field(
        default=None, description="Seats or term changes per subscription."
    )
    recipients: list[RecipientInput] | None = strawberry.field(
        default=None, description="Up to four recipients besides the buyer (R03, R04)."
    )
    disable_auto_renew: bool | None = strawberry.field(
        default=False, description="R02: switch auto-renew off in the same transaction."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="The same key from the same viewer returns the first result."
    )
    currency: str | None = strawberry.field(
        default=None,
        description=(
            "A three-letter ISO 4217 code, in any case; must equal the subscriptions' currency "
            "if given (R10)."
        ),
    )
    payment_method: PaymentMethod | None = strawberry.field(
        default=None, description="Must equal the subscriptions' method if given (R10)."
    )
    draft: bool | None = strawberry.field(
        default=False,
        description=(
            "True: a DRAFT to review (priced, checked, numbered; not sent, holding no "
            "subscription); send it with finalizeQuote."
        ),
    )
    start_date: date | None = strawberry.field(
        default=None,
        description=(
            "A requested start date; if given, it must be each line's natural start, the day "
            "after its subscription's end date (R10)."
        ),
    )


@strawberry.type(description="Result of createRenewalQuote.")
class CreateRenewalQuotePayload:
    quote: Quote | None = strawberry.field(
        description="The new quote (FINALIZING, or DRAFT with `draft: true`), unless refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


def renewal_command(input: CreateRenewalQuoteInput) -> quotes.CreateQuoteCommand:
    """The input as the service's command (shared with previewQuote)."""
    return quotes.CreateQuoteCommand(
        subscription_ids=[pk_of(gid, "Subscription") for gid in input.subscription_ids],
        changes=line_changes(input.changes),
        recipients=recipients_of(input.recipients) or [],
        disable_auto_renew=bool(input.disable_auto_renew),
        idempotency_key=input.idempotency_key,
        currency=input.currency,
        payment_method=to_domain(input.payment_method, d.PaymentMethod),
        start_date=input.start_date,
        draft=bool(input.draft),
    )


async def create_renewal_quote(
    info: Info,
    input: Annotated[CreateRenewalQuoteInput, strawberry.argument(description="What to quote.")],
) -> CreateRenewalQuotePayload:
    context = ctx(info)
    viewer, visibility = context.viewer(), await context.visibility()
    if refused := overlong_input(info, input):
        return CreateRenewalQuotePayload(quote=None, user_errors=refused)
    command = renewal_command(input)
    try:
        quote_id = await quotes.create_renewal_quote(context.container, viewer, visibility, command)
    except DomainError as e:
        return CreateRenewalQuotePayload(quote=None, user_errors=user_errors(e, INPUT_FIELDS))
    return CreateRenewalQuotePayload(quote=await reloaded_quote(context, quote_id), user_errors=[])
