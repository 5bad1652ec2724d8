"""cancelQuote: partners and sales cancel an open quote (R10)."""

from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.errors import UserError, user_errors
from renewals.api.core.ids import pk_of
from renewals.api.core.limits import overlong_input
from renewals.api.quotes.reload import reloaded_quote
from renewals.api.quotes.types import Quote
from renewals.domain.errors import DomainError
from renewals.services import orders

INPUT_FIELDS = {"quote": "quoteId", "reason": "reason"}


@strawberry.input(description="Cancel an open quote (partners and sales only, R10).")
class CancelQuoteInput:
    quote_id: strawberry.ID = strawberry.field(description="The quote's ID.")
    reason: str | None = strawberry.field(default=None, description="Kept in the status history.")


@strawberry.type(description="Result of cancelQuote.")
class CancelQuotePayload:
    quote: Quote | None = strawberry.field(description="The cancelled quote.")
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


async def cancel_quote(
    info: Info,
    input: Annotated[
        CancelQuoteInput, strawberry.argument(description="Which quote to cancel, and why.")
    ],
) -> CancelQuotePayload:
    context = ctx(info)
    viewer, visibility = context.viewer(), await context.visibility()
    if refused := overlong_input(info, input):
        return CancelQuotePayload(quote=None, user_errors=refused)
    try:
        quote_id = await orders.cancel_quote(
            context.container, viewer, visibility, pk_of(input.quote_id, "Quote"), input.reason
        )
    except DomainError as e:
        return CancelQuotePayload(quote=None, user_errors=user_errors(e, INPUT_FIELDS))
    return CancelQuotePayload(quote=await reloaded_quote(context, quote_id), user_errors=[])
