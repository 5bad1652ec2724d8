"""reviseQuote: a new quote to replace an open one (R10: "make a new quote")."""

from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.errors import InputFields, UserError, user_errors
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
from renewals.domain.errors import DomainError
from renewals.services import revisions

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
    "idempotency_key": "idempotencyKey",
}


@strawberry.input(
    description="A new quote to replace an open one; what is not given is taken from it."
)
class ReviseQuoteInput:
    quote_id: strawberry.ID = strawberry.field(description="The open quote to replace.")
    recipients: list[RecipientInput] | None = strawberry.field(
        default=None,
        description="Replaces the recipients besides the buyers; the original's if not given.",
    )
    changes: list[QuoteLineChangeInput] | None = strawberry.field(
        default=None, description="Seats or term per subscription, over the original's."
    )
    disable_auto_renew: bool | None = strawberry.field(
        default=None, description="R02 switch; the original's carries over if not given."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="The same key from the same viewer returns the first result."
    )
    draft: bool | None = strawberry.field(
        default=False,
        description=(
            "True: the revision starts as a DRAFT; the original stays open until finalizeQuote."
        ),
    )


@strawberry.type(description="Result of reviseQuote.")
class ReviseQuotePayload:
    quote: Quote | None = strawberry.field(
        description="The revision (FINALIZING, or DRAFT), unless refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


async def revise_quote(
    info: Info,
    input: Annotated[ReviseQuoteInput, strawberry.argument(description="What to revise.")],
) -> ReviseQuotePayload:
    context = ctx(info)
    viewer, visibility = context.viewer(), await context.visibility()
    if refused := overlong_input(info, input):
        return ReviseQuotePayload(quote=None, user_errors=refused)
    command = revisions.ReviseCommand(
        quote_id=pk_of(input.quote_id, "Quote"),
        recipients=recipients_of(input.recipients),
        changes=line_changes(input.changes),
        disable_auto_renew=input.disable_auto_renew,
        idempotency_key=input.idempotency_key,
        draft=bool(input.draft),
    )
    try:
        quote_id = await revisions.revise_quote(context.container, viewer, visibility, command)
    except DomainError as e:
        return ReviseQuotePayload(quote=None, user_errors=user_errors(e, INPUT_FIELDS))
    return ReviseQuotePayload(quote=await reloaded_quote(context, quote_id), user_errors=[])
