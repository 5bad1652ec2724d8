"""acceptQuote: buy an open quote, with a bearer token or the email's checkout token."""

from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.errors import UserError, user_errors
from renewals.api.core.ids import pk_of
from renewals.api.core.limits import overlong_input
from renewals.api.orders.types import Order
from renewals.api.quotes.reload import reloaded_quote
from renewals.api.quotes.types import Quote
from renewals.domain.errors import DomainError
from renewals.services import orders

INPUT_FIELDS = {
    "request": "",
    "quote": "quoteId",
    "checkout_token": "checkoutToken",
    "idempotency_key": "idempotencyKey",
}


@strawberry.input(
    description="Accept (buy) a quote: give exactly one of quoteId and checkoutToken."
)
class AcceptQuoteInput:
    quote_id: strawberry.ID | None = strawberry.field(
        default=None, description="With a bearer token."
    )
    checkout_token: str | None = strawberry.field(
        default=None, description="The token of the email's checkout link; needs no bearer token."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Repeating the winning request's key returns the same result."
    )


@strawberry.type(description="Result of acceptQuote.")
class AcceptQuotePayload:
    quote: Quote | None = strawberry.field(description="The accepted quote (ORDER_SUBMITTED).")
    order: Order | None = strawberry.field(description="The order made.")
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


async def accept_quote(
    info: Info,
    input: Annotated[AcceptQuoteInput, strawberry.argument(description="Which quote to accept.")],
) -> AcceptQuotePayload:
    context = ctx(info)
    viewer = context.optional_viewer() if input.checkout_token is None else None
    if input.checkout_token is None:
        viewer = context.viewer()
    visibility = await context.visibility() if viewer else None
    if refused := overlong_input(info, input):
        return AcceptQuotePayload(quote=None, order=None, user_errors=refused)
    command = orders.AcceptCommand(
        quote_id=pk_of(input.quote_id, "Quote") if input.quote_id is not None else None,
        quote_id_given=input.quote_id is not None,
        checkout_token=input.checkout_token,
        idempotency_key=input.idempotency_key,
    )
    try:
        quote_id = await orders.accept_quote(context.container, viewer, visibility, command)
    except DomainError as e:
        return AcceptQuotePayload(quote=None, order=None, user_errors=user_errors(e, INPUT_FIELDS))
    quote = await reloaded_quote(context, quote_id)
    order = Order.of(await context.loaders.order_by_quote_id.load(quote_id))
    return AcceptQuotePayload(quote=quote, order=order, user_errors=[])
