"""Inputs, filters, connections, payloads and events."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry import Info, Private

from renewals.schema.enums import (
    PaymentMethod,
    QuoteStatus,
    QuoteType,
    Term,
    UserErrorCode,
    ViewerRole,
)
from renewals.schema.quote_types import Order, Quote
from renewals.schema.types import Customer, Partner, Subscription


@strawberry.type(description="A refusal: a stable code, the offending input path, and a message.")
class UserError:
    code: UserErrorCode = strawberry.field(description="Stable, machine-readable reason.")
    field: list[str] | None = strawberry.field(
        description='Path of the offending input, e.g. ["input", "subscriptionIds", "1"].'
    )
    message: str = strawberry.field(description="Human-readable explanation.")


@strawberry.type(description="Who the bearer token says you are.")
class Viewer:
    role: ViewerRole = strawberry.field(description="BUYER, PARTNER or SALES.")
    customer: Customer | None = strawberry.field(description="A buyer's own customer.")
    partner: Partner | None = strawberry.field(description="A partner's own partner account.")


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow.")
    has_previous_page: bool = strawberry.field(description="Whether items precede (with `after`).")
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge.")
    end_cursor: str | None = strawberry.field(
        description="Cursor to pass as `after` for the next page."
    )


@strawberry.type(description="A subscription in a page.")
class SubscriptionEdge:
    cursor: str = strawberry.field(description="Opaque position of this edge.")
    node: Subscription = strawberry.field(description="The subscription.")


@strawberry.type(description="A page of subscriptions (Relay cursor connection).")
class SubscriptionConnection:
    count: Private[object]
    edges: list[SubscriptionEdge] = strawberry.field(description="The page's edges.")
    page_info: PageInfo = strawberry.field(description="Where the page stands.")

    @strawberry.field(description="The page's subscriptions, without cursors (`edges { node }`).")
    def nodes(self) -> list[Subscription]:
        return [edge.node for edge in self.edges]

    @strawberry.field(
        description="How many subscriptions match the filter (costs one count query)."
    )
    async def total_count(self, info: Info) -> int:
        return await self.count()  # type: ignore[operator]


@strawberry.type(description="A quote in a page.")
class QuoteEdge:
    cursor: str = strawberry.field(description="Opaque position of this edge.")
    node: Quote = strawberry.field(description="The quote.")


@strawberry.type(description="A page of quotes, newest first (Relay cursor connection).")
class QuoteConnection:
    count: Private[object]
    edges: list[QuoteEdge] = strawberry.field(description="The page's edges.")
    page_info: PageInfo = strawberry.field(description="Where the page stands.")

    @strawberry.field(description="The page's quotes, without cursors (`edges { node }`).")
    def nodes(self) -> list[Quote]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many quotes match the filter (costs one count query).")
    async def total_count(self, info: Info) -> int:
        return await self.count()  # type: ignore[operator]


@strawberry.input(description="Narrows `subscriptions`; all given conditions must hold.")
class SubscriptionFilter:
    customer_csn: str | None = strawberry.field(default=None, description="Only this customer's.")
    reseller_csn: str | None = strawberry.field(default=None, description="Only this reseller's.")
    renewal_window_open: bool | None = strawberry.field(
        default=None, description="True: only those whose renewal window is open today (R01)."
    )
    end_date_from: date | None = strawberry.field(default=None, description="End date on or after.")
    end_date_to: date | None = strawberry.field(default=None, description="End date on or before.")
    numbers: list[str] | None = strawberry.field(default=None, description="Only these numbers.")
    auto_renew: bool | None = strawberry.field(
        default=None, description="Only with auto-renew on/off."
    )


@strawberry.input(description="Narrows `quotes`; all given conditions must hold.")
class QuoteFilter:
    customer_csn: str | None = strawberry.field(default=None, description="Only this customer's.")
    statuses: list[QuoteStatus] | None = strawberry.field(
        default=None, description="Only quotes in one of these statuses."
    )
    open: bool | None = strawberry.field(
        default=None, description="True: only open quotes (FINALIZING or QUOTED) (R14)."
    )


@strawberry.input(
    description="A change to one line of a renewal quote (R10 limits what can change)."
)
class QuoteLineChangeInput:
    subscription_id: strawberry.ID = strawberry.field(description="A selected subscription's ID.")
    seats: int | None = strawberry.field(
        default=None, description="Seats for the next term; at most the current seats (R10)."
    )
    term: Term | None = strawberry.field(default=None, description="Term for the next term.")
    type: QuoteType | None = strawberry.field(
        default=None, description="Line type; anything but RENEWAL is refused here (R07)."
    )


@strawberry.input(description="Someone to send the quote to.")
class RecipientInput:
    email: str = strawberry.field(description="Email address.")
    name: str | None = strawberry.field(default=None, description="Name.")


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
        default=None, description="Must equal the subscriptions' currency if given (R10)."
    )
    payment_method: PaymentMethod | None = strawberry.field(
        default=None, description="Must equal the subscriptions' method if given (R10)."
    )
    start_date: date | None = strawberry.field(
        default=None, description="A requested start date; never in the future (R10)."
    )


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


@strawberry.input(description="Switch a subscription's auto-renew on or off.")
class SetAutoRenewInput:
    subscription_id: strawberry.ID = strawberry.field(description="The subscription's ID.")
    enabled: bool = strawberry.field(description="The new value.")


@strawberry.input(description="Cancel an open quote (partners and sales only, R10).")
class CancelQuoteInput:
    quote_id: strawberry.ID = strawberry.field(description="The quote's ID.")
    reason: str | None = strawberry.field(default=None, description="Kept in the status history.")


@strawberry.type(description="Result of createRenewalQuote.")
class CreateRenewalQuotePayload:
    quote: Quote | None = strawberry.field(
        description="The new quote (FINALIZING), unless refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


@strawberry.type(description="Result of acceptQuote.")
class AcceptQuotePayload:
    quote: Quote | None = strawberry.field(description="The accepted quote (ORDER_SUBMITTED).")
    order: Order | None = strawberry.field(description="The order made.")
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


@strawberry.type(description="Result of setAutoRenew.")
class SetAutoRenewPayload:
    subscription: Subscription | None = strawberry.field(description="The updated subscription.")
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


@strawberry.type(description="Result of cancelQuote.")
class CancelQuotePayload:
    quote: Quote | None = strawberry.field(description="The cancelled quote.")
    user_errors: list[UserError] = strawberry.field(description="Every refusal; empty on success.")


@strawberry.type(description="A quote changed status.")
class QuoteStatusEvent:
    quote: Quote = strawberry.field(description="The quote, as it is now.")
    status: QuoteStatus = strawberry.field(description="The new status.")
    previous_status: QuoteStatus | None = strawberry.field(
        description="The status before; null for a quote's first status. The current-state event "
        "of a `quoteId` subscription repeats the quote's latest change."
    )
    occurred_at: datetime = strawberry.field(description="When it changed (UTC).")
