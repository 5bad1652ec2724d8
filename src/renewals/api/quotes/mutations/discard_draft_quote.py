"""discardDraftQuote: delete a DRAFT (it was never sent; buyers may discard their own)."""

from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.errors import UserError, user_errors
from renewals.api.core.ids import pk_of, to_global_id
from renewals.domain.errors import DomainError
from renewals.services import drafts

INPUT_FIELDS = {"quote": "quoteId"}


@strawberry.input(description="Delete a DRAFT quote.")
class DiscardDraftQuoteInput:
    quote_id: strawberry.ID = strawberry.field(description="The DRAFT quote's ID.")


@strawberry.type(description="Result of discardDraftQuote.")
class DiscardDraftQuotePayload:
    discarded_quote_id: strawberry.ID | None = strawberry.field(
        description="The deleted draft's ID (`node` answers null for it from now on)."
    )
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


async def discard_draft_quote(
    info: Info,
    input: Annotated[
        DiscardDraftQuoteInput, strawberry.argument(description="Which draft to delete.")
    ],
) -> DiscardDraftQuotePayload:
    context = ctx(info)
    context.viewer()
    visibility = await context.visibility()
    try:
        quote_id = await drafts.discard_draft(
            context.container, visibility, pk_of(input.quote_id, "Quote")
        )
    except DomainError as e:
        return DiscardDraftQuotePayload(
            discarded_quote_id=None, user_errors=user_errors(e, INPUT_FIELDS)
        )
    return DiscardDraftQuotePayload(
        discarded_quote_id=strawberry.ID(to_global_id("Quote", quote_id)), user_errors=[]
    )
