"""finalizeQuote: send a reviewed DRAFT (DRAFT → FINALIZING → QUOTED)."""

from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.errors import InputFields, UserError, user_errors
from renewals.api.core.ids import pk_of
from renewals.api.core.limits import overlong_input
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
    "changes": ("quoteId",),
    "change": ("quoteId",),
    "recipients": ("quoteId",),
    "recipient": ("quoteId",),
    "idempotency_key": "idempotencyKey",
}


@strawberry.input(description="Send a DRAFT quote.")
class FinalizeQuoteInput:
    quote_id: strawberry.ID = strawberry.field(description="The DRAFT quote's ID.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="The same key from the same viewer returns the first result."
    )


@strawberry.type(description="Result of finalizeQuote.")
class FinalizeQuotePayload:
    quote: Quote | None = strawberry.field(
        description="The quote, now FINALIZING (QUOTED once priced and emailed), unless refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


async def finalize_quote(
    info: Info,
    input: Annotated[FinalizeQuoteInput, strawberry.argument(description="Which draft to send.")],
) -> FinalizeQuotePayload:
    context = ctx(info)
    viewer, visibility = context.viewer(), await context.visibility()
    if refused := overlong_input(info, input):
        return FinalizeQuotePayload(quote=None, user_errors=refused)
    try:
        quote_id = await drafts.finalize_draft(
            context.container,
            viewer,
            visibility,
            pk_of(input.quote_id, "Quote"),
            input.idempotency_key,
        )
    except DomainError as e:
        return FinalizeQuotePayload(quote=None, user_errors=user_errors(e, INPUT_FIELDS))
    return FinalizeQuotePayload(quote=await reloaded_quote(context, quote_id), user_errors=[])
