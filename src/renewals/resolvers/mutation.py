"""Mutation resolvers: decode input, call one service, map DomainError to userErrors."""

from typing import Annotated

import strawberry
from strawberry import Info

from renewals.domain.enums import PaymentMethod, QuoteType, Term
from renewals.domain.errors import DomainError
from renewals.domain.quotes import LineChange, Recipient
from renewals.resolvers.context import Context
from renewals.resolvers.errors import user_errors
from renewals.schema.enums import to_domain
from renewals.schema.ids import pk_of
from renewals.schema.payloads import (
    AcceptQuoteInput,
    AcceptQuotePayload,
    CancelQuoteInput,
    CancelQuotePayload,
    CreateRenewalQuoteInput,
    CreateRenewalQuotePayload,
    SetAutoRenewInput,
    SetAutoRenewPayload,
)
from renewals.schema.quote_types import Order, Quote
from renewals.schema.types import Subscription
from renewals.services import orders
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote


async def _quote(context: Context, quote_id: int) -> Quote | None:
    context.refresh()
    return Quote.of(await context.loaders.quote_by_id.load(quote_id))


async def create_quote(
    info: Info,
    input: Annotated[CreateRenewalQuoteInput, strawberry.argument(description="What to quote.")],
) -> CreateRenewalQuotePayload:
    context: Context = info.context
    viewer, visibility = context.viewer(), await context.visibility()
    command = CreateQuoteCommand(
        subscription_ids=[pk_of(gid, "Subscription") for gid in input.subscription_ids],
        changes=[
            LineChange(
                subscription_id=pk_of(c.subscription_id, "Subscription") or -1,
                seats=c.seats,
                term=to_domain(c.term, Term),
                type=to_domain(c.type, QuoteType),
            )
            for c in input.changes or []
        ],
        recipients=[Recipient(email=r.email, name=r.name) for r in input.recipients or []],
        disable_auto_renew=bool(input.disable_auto_renew),
        idempotency_key=input.idempotency_key,
        currency=input.currency,
        payment_method=to_domain(input.payment_method, PaymentMethod),
        start_date=input.start_date,
    )
    try:
        quote_id = await create_renewal_quote(context.container, viewer, visibility, command)
    except DomainError as e:
        return CreateRenewalQuotePayload(quote=None, user_errors=user_errors(e))
    return CreateRenewalQuotePayload(quote=await _quote(context, quote_id), user_errors=[])


async def accept_quote(
    info: Info,
    input: Annotated[AcceptQuoteInput, strawberry.argument(description="Which quote to accept.")],
) -> AcceptQuotePayload:
    context: Context = info.context
    viewer = context.optional_viewer() if input.checkout_token is None else None
    if input.checkout_token is None:
        viewer = context.viewer()
    visibility = await context.visibility() if viewer else None
    command = orders.AcceptCommand(
        quote_id=pk_of(input.quote_id, "Quote") if input.quote_id is not None else None,
        quote_id_given=input.quote_id is not None,
        checkout_token=input.checkout_token,
        idempotency_key=input.idempotency_key,
    )
    try:
        quote_id = await orders.accept_quote(context.container, viewer, visibility, command)
    except DomainError as e:
        return AcceptQuotePayload(quote=None, order=None, user_errors=user_errors(e))
    quote = await _quote(context, quote_id)
    order = Order.of(await context.loaders.order_by_quote_id.load(quote_id))
    return AcceptQuotePayload(quote=quote, order=order, user_errors=[])


async def cancel_quote(
    info: Info,
    input: Annotated[
        CancelQuoteInput, strawberry.argument(description="Which quote to cancel, and why.")
    ],
) -> CancelQuotePayload:
    context: Context = info.context
    viewer, visibility = context.viewer(), await context.visibility()
    try:
        quote_id = await orders.cancel_quote(
            context.container, viewer, visibility, pk_of(input.quote_id, "Quote"), input.reason
        )
    except DomainError as e:
        return CancelQuotePayload(quote=None, user_errors=user_errors(e))
    return CancelQuotePayload(quote=await _quote(context, quote_id), user_errors=[])


async def set_auto_renew(
    info: Info,
    input: Annotated[
        SetAutoRenewInput, strawberry.argument(description="Which subscription, and the new value.")
    ],
) -> SetAutoRenewPayload:
    context: Context = info.context
    visibility = await context.visibility()
    try:
        sub_id = await orders.set_auto_renew(
            context.container,
            visibility,
            pk_of(input.subscription_id, "Subscription"),
            input.enabled,
        )
    except DomainError as e:
        return SetAutoRenewPayload(subscription=None, user_errors=user_errors(e))
    context.refresh()
    record = await context.loaders.subscription_by_id.load(sub_id)
    return SetAutoRenewPayload(subscription=Subscription.of(record), user_errors=[])  # type: ignore[arg-type]
