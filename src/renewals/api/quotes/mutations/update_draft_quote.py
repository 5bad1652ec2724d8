"""updateDraftQuote: the review step (R04) changes a DRAFT before it is sent."""

from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.errors import InputFields, UserError, user_errors
from renewals.api.core.ids import pk_of
from renewals.api.core.limits import overlong_input
from renewals.api.quotes.inputs import (
    AddressInput,
    QuoteLineChangeInput,
    RecipientInput,
    line_changes,
    recipients_of,
)
from renewals.api.quotes.reload import reloaded_quote
from renewals.api.quotes.types import Quote
from renewals.domain.errors import DomainError
from renewals.services import drafts

INPUT_FIELDS: InputFields = {
    "quote": "quoteId",
    "selection": ("quoteId",),
    "subscription": ("quoteId",),
    "alignment": ("quoteId",),
    "align_to": ("quoteId",),
    "anchor": ("quoteId",),
    "disable_auto_renew": "disableAutoRenew",
    "changes": "changes",
    "change": "changes",
    "recipients": "recipients",
    "recipient": "recipients",
    "address": "address",
}


@strawberry.input(description="Changes to a DRAFT quote; what is not given stays as it is.")
class UpdateDraftQuoteInput:
    quote_id: strawberry.ID = strawberry.field(description="The DRAFT quote's ID.")
    recipients: list[RecipientInput] | None = strawberry.field(
        default=None,
        description="Replaces the recipients besides the buyers (who always receive it).",
    )
    changes: list[QuoteLineChangeInput] | None = strawberry.field(
        default=None, description="Seats or term per subscription of the draft (R10 limits)."
    )
    address: AddressInput | None = strawberry.field(
        default=None,
        description="The billing address the quote will be sent with (ADDRESS_LOCKED once sent).",
    )
    disable_auto_renew: bool | None = strawberry.field(
        default=None, description="R02: switch auto-renew off when the quote is sent."
    )


@strawberry.type(description="Result of updateDraftQuote.")
class UpdateDraftQuotePayload:
    quote: Quote | None = strawberry.field(description="The DRAFT, re-priced, unless refused.")
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


async def update_draft_quote(
    info: Info,
    input: Annotated[UpdateDraftQuoteInput, strawberry.argument(description="What to change.")],
) -> UpdateDraftQuotePayload:
    context = ctx(info)
    viewer, visibility = context.viewer(), await context.visibility()
    if refused := overlong_input(info, input):
        return UpdateDraftQuotePayload(quote=None, user_errors=refused)
    address = input.address
    update = drafts.DraftUpdate(
        quote_id=pk_of(input.quote_id, "Quote"),
        recipients=recipients_of(input.recipients),
        changes=line_changes(input.changes),
        address=None
        if address is None
        else {
            "line1": address.line1,
            "line2": address.line2,
            "city": address.city,
            "postal_code": address.postal_code,
            "country": address.country,
        },
        disable_auto_renew=input.disable_auto_renew,
    )
    try:
        quote_id = await drafts.update_draft(context.container, viewer, visibility, update)
    except DomainError as e:
        return UpdateDraftQuotePayload(quote=None, user_errors=user_errors(e, INPUT_FIELDS))
    return UpdateDraftQuotePayload(quote=await reloaded_quote(context, quote_id), user_errors=[])
