"""previewQuote: what a quote would be, priced and checked at the business date, writing nothing
(R04's review step: cheap enough for a SPA to call on every click)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.enums import QuoteType, Term
from renewals.api.core.errors import UserError, user_errors
from renewals.api.core.limits import overlong_input
from renewals.api.core.types import Money
from renewals.api.quotes.mutations.create_co_term_quote import (
    CreateCoTermQuoteInput,
    co_term_command,
)
from renewals.api.quotes.mutations.create_renewal_quote import (
    INPUT_FIELDS,
    CreateRenewalQuoteInput,
    renewal_command,
)
from renewals.api.quotes.types import AppliedPromotion
from renewals.api.subscriptions.types import Subscription
from renewals.domain.errors import DomainError
from renewals.services import coterm, quotes


@strawberry.input(
    one_of=True,
    description="Exactly one kind of quote to preview, with the input its create mutation takes.",
)
class PreviewQuoteInput:
    renewal: CreateRenewalQuoteInput | None = strawberry.field(
        default=strawberry.UNSET, description="A renewal quote (createRenewalQuote's input)."
    )
    co_term: CreateCoTermQuoteInput | None = strawberry.field(
        default=strawberry.UNSET, description="A co-term quote (createCoTermQuote's input, R06)."
    )


@strawberry.type(description="One line of a previewed quote, priced at the business date.")
class QuotePreviewLine:
    subscription: Subscription = strawberry.field(description="The subscription it renews.")
    seats: int = strawberry.field(description="Seats for the new term.")
    term: Term = strawberry.field(description="The new term's length.")
    start_date: date = strawberry.field(description="First day of the new term.")
    end_date: date = strawberry.field(description="Last day of the new term.")
    unit_price: Money = strawberry.field(description="Price-list unit price.")
    subtotal: Money = strawberry.field(description="Unit price × seats.")
    discount: Money = strawberry.field(description="Promotions' discount on this line (R11).")
    total: Money = strawberry.field(description="Subtotal minus discount.")


@strawberry.type(description="What the quote would be, priced at the business date.")
class QuotePreview:
    type: QuoteType = strawberry.field(description="The quote's type (R06).")
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    lines: list[QuotePreviewLine] = strawberry.field(description="The lines, in input order.")
    promotions: list[AppliedPromotion] = strawberry.field(description="Promotions that apply.")
    subtotal: Money = strawberry.field(description="Sum of line subtotals.")
    discount_total: Money = strawberry.field(description="Sum of promotion discounts (R11).")
    total: Money = strawberry.field(description="Subtotal minus discounts.")
    expires_on: date = strawberry.field(
        description="The expiry it would have if created now (a draft's is set when finalized)."
    )


@strawberry.type(description="Result of previewQuote.")
class QuotePreviewPayload:
    preview: QuotePreview | None = strawberry.field(description="The priced quote, unless refused.")
    user_errors: list[UserError] = strawberry.field(
        description="Every refusal creation would give; empty when it would be created."
    )


def shape(preview: quotes.Preview, today: date) -> QuotePreview:
    money = lambda amount: Money(amount=amount, currency=preview.currency)  # noqa: E731
    lines = []
    for line, priced in zip(preview.lines, preview.priced.lines, strict=True):
        start, end = line.start_date, line.end_date
        lines.append(
            QuotePreviewLine(
                subscription=Subscription.of(line.subscription, today),  # type: ignore[arg-type]
                seats=line.seats,
                term=line.term,
                start_date=start,
                end_date=end,
                unit_price=money(priced.unit_price),
                subtotal=money(priced.subtotal),
                discount=money(priced.discount),
                total=money(priced.total),
            )
        )
    return QuotePreview(
        type=preview.type,
        currency=preview.currency,
        lines=lines,
        promotions=[
            AppliedPromotion(code=p.code, description=p.description, discount=money(p.discount))
            for p in preview.priced.promotions
        ],
        subtotal=money(preview.priced.subtotal),
        discount_total=money(preview.priced.discount_total),
        total=money(preview.priced.total),
        expires_on=preview.expires_on,
    )


async def preview_quote(
    info: Info,
    input: Annotated[PreviewQuoteInput, strawberry.argument(description="The quote to preview.")],
) -> QuotePreviewPayload:
    context = ctx(info)
    viewer, visibility = context.viewer(), await context.visibility()
    if refused := overlong_input(info, input):
        return QuotePreviewPayload(preview=None, user_errors=refused)
    try:
        if input.co_term:
            command, fields = co_term_command(input.co_term)
            member = "coTerm"
            preview = await coterm.preview_co_term_quote(
                context.container, viewer, visibility, command
            )
        else:
            assert input.renewal is not None  # @oneOf: exactly one is given
            fields, member = INPUT_FIELDS, "renewal"
            preview = await quotes.preview_renewal_quote(
                context.container, viewer, visibility, renewal_command(input.renewal)
            )
    except DomainError as e:
        errors = user_errors(e, fields)
        for error in errors:  # the path starts at the chosen member of the @oneOf input
            if error.field:
                error.field = ["input", member, *error.field[1:]]
        return QuotePreviewPayload(preview=None, user_errors=errors)
    return QuotePreviewPayload(preview=shape(preview, context.today), user_errors=[])
