"""The schema: each root field from the area that owns it, plus limits, caches and error codes.

A new operation is one module in its area (input, payload, resolver) and one line here."""

from collections.abc import AsyncGenerator

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from renewals.api.core.cost import CostCache, QueryCost
from renewals.api.core.execution import executor_class
from renewals.api.core.extensions import ErrorCodes, OperationRules, ReleaseReads
from renewals.api.core.input_rules import NoNulInStrings
from renewals.api.core.scalars import SCALAR_OVERRIDES
from renewals.api.core.types import Node
from renewals.api.customers.queries import Viewer, resolve_viewer
from renewals.api.customers.types import Customer, Partner
from renewals.api.node import resolve_node
from renewals.api.orders.queries import resolve_orders
from renewals.api.orders.types import Order, OrderConnection
from renewals.api.quotes.mutations.accept_quote import AcceptQuotePayload, accept_quote
from renewals.api.quotes.mutations.cancel_quote import CancelQuotePayload, cancel_quote
from renewals.api.quotes.mutations.create_co_term_quote import (
    CreateCoTermQuotePayload,
    create_co_term_quote,
)
from renewals.api.quotes.mutations.create_renewal_quote import (
    CreateRenewalQuotePayload,
    create_renewal_quote,
)
from renewals.api.quotes.mutations.discard_draft_quote import (
    DiscardDraftQuotePayload,
    discard_draft_quote,
)
from renewals.api.quotes.mutations.finalize_quote import FinalizeQuotePayload, finalize_quote
from renewals.api.quotes.mutations.preview_quote import QuotePreviewPayload, preview_quote
from renewals.api.quotes.mutations.revise_quote import ReviseQuotePayload, revise_quote
from renewals.api.quotes.mutations.update_draft_quote import (
    UpdateDraftQuotePayload,
    update_draft_quote,
)
from renewals.api.quotes.queries import resolve_quote, resolve_quotes
from renewals.api.quotes.status_events import QuoteStatusEvent, quote_status_changed
from renewals.api.quotes.types import Quote, QuoteConnection
from renewals.api.renewal_groups.queries import resolve_eligible_groups
from renewals.api.renewal_groups.types import RenewalGroup
from renewals.api.subscriptions.mutations.set_auto_renew import (
    SetAutoRenewPayload,
    set_auto_renew,
)
from renewals.api.subscriptions.queries import resolve_subscriptions
from renewals.api.subscriptions.types import Subscription, SubscriptionConnection
from renewals.api.webhooks.mutations.create_webhook_endpoint import (
    CreateWebhookEndpointPayload,
    create_webhook_endpoint,
)
from renewals.api.webhooks.mutations.delete_webhook_endpoint import (
    DeleteWebhookEndpointPayload,
    delete_webhook_endpoint,
)
from renewals.api.webhooks.mutations.redeliver_webhook import (
    RedeliverWebhookPayload,
    redeliver_webhook,
)
from renewals.api.webhooks.mutations.rotate_webhook_secret import (
    RotateWebhookSecretPayload,
    rotate_webhook_secret,
)
from renewals.api.webhooks.mutations.update_webhook_endpoint import (
    UpdateWebhookEndpointPayload,
    update_webhook_endpoint,
)
from renewals.api.webhooks.queries import resolve_webhook_deliveries, resolve_webhook_endpoints
from renewals.api.webhooks.types import WebhookDeliveryConnection, WebhookEndpoint
from renewals.config import Settings


@strawberry.type(description="Read the renewal data the viewer may see.")
class Query:
    node: Node | None = strawberry.field(
        resolver=resolve_node,
        description="Any Subscription, Quote, Order, Customer or Partner by its global ID; null "
        "if not visible.",
    )
    viewer: Viewer = strawberry.field(
        resolver=resolve_viewer, description="Who the bearer token says you are."
    )
    subscriptions: SubscriptionConnection = strawberry.field(
        resolver=resolve_subscriptions,
        description="The subscriptions you may see, by ID; `first` at most 100.",
    )
    eligible_renewal_groups: list[RenewalGroup] = strawberry.field(
        resolver=resolve_eligible_groups,
        description="Eligible subscriptions grouped by customer, currency, payment method and "
        "reseller (R04); only non-empty groups.",
    )
    quotes: QuoteConnection = strawberry.field(
        resolver=resolve_quotes, description="The quotes you may see, newest first (R14)."
    )
    quote: Quote | None = strawberry.field(
        resolver=resolve_quote, description="A quote by its number; null if not visible."
    )
    orders: OrderConnection = strawberry.field(
        resolver=resolve_orders,
        description="The orders you may see, newest first: accepted quotes and automatic "
        "renewals (R02).",
    )
    webhook_endpoints: list[WebhookEndpoint] = strawberry.field(
        resolver=resolve_webhook_endpoints,
        description="Your webhook endpoints (a partner's, or sales' shared ones); buyers: FORBIDDEN.",
    )
    webhook_deliveries: WebhookDeliveryConnection = strawberry.field(
        resolver=resolve_webhook_deliveries,
        description="The deliveries of your webhook endpoints, newest first.",
    )


@strawberry.type(description="Change renewal data. Refusals come back as `userErrors`.")
class Mutation:
    create_renewal_quote: CreateRenewalQuotePayload = strawberry.mutation(
        resolver=create_renewal_quote,
        description="Request a renewal quote for a group, part of one, or one subscription.",
    )
    accept_quote: AcceptQuotePayload = strawberry.mutation(
        resolver=accept_quote,
        description="Accept (buy) an open quote, with a bearer token or the email's checkout token.",
    )
    set_auto_renew: SetAutoRenewPayload = strawberry.mutation(
        resolver=set_auto_renew,
        description="Switch a subscription's auto-renew on or off.",
    )
    cancel_quote: CancelQuotePayload = strawberry.mutation(
        resolver=cancel_quote,
        description="Cancel an open quote (partners and sales, R10).",
    )
    preview_quote: QuotePreviewPayload = strawberry.mutation(
        resolver=preview_quote,
        description="What a quote would be, priced and checked at the business date; writes "
        "nothing (the review step, R04).",
    )
    update_draft_quote: UpdateDraftQuotePayload = strawberry.mutation(
        resolver=update_draft_quote,
        description="Review a DRAFT: recipients, seats and terms, billing address, auto-renew.",
    )
    finalize_quote: FinalizeQuotePayload = strawberry.mutation(
        resolver=finalize_quote,
        description="Send a DRAFT: re-checked and re-priced, DRAFT → FINALIZING → QUOTED.",
    )
    revise_quote: ReviseQuotePayload = strawberry.mutation(
        resolver=revise_quote,
        description="A new quote to replace an open one (R10); the original is CANCELLED "
        "(QUOTE_REVISED) once the revision is sent.",
    )
    discard_draft_quote: DiscardDraftQuotePayload = strawberry.mutation(
        resolver=discard_draft_quote,
        description="Delete a DRAFT (never sent, so nothing to cancel).",
    )
    create_co_term_quote: CreateCoTermQuotePayload = strawberry.mutation(
        resolver=create_co_term_quote,
        description="Request a co-term quote: align subscriptions' end dates to one date (R06).",
    )
    create_webhook_endpoint: CreateWebhookEndpointPayload = strawberry.mutation(
        resolver=create_webhook_endpoint,
        description="Register a URL for signed webhooks (partners: their customers' quotes; sales: "
        "all); the secret is in the payload, once.",
    )
    update_webhook_endpoint: UpdateWebhookEndpointPayload = strawberry.mutation(
        resolver=update_webhook_endpoint,
        description="Change a webhook endpoint's URL, events or whether it is active.",
    )
    delete_webhook_endpoint: DeleteWebhookEndpointPayload = strawberry.mutation(
        resolver=delete_webhook_endpoint,
        description="Delete a webhook endpoint and its deliveries.",
    )
    rotate_webhook_secret: RotateWebhookSecretPayload = strawberry.mutation(
        resolver=rotate_webhook_secret,
        description="Replace a webhook endpoint's signing secret (the old one signs beside it for "
        "RENEWALS_WEBHOOKS_SECRET_GRACE_HOURS).",
    )
    redeliver_webhook: RedeliverWebhookPayload = strawberry.mutation(
        resolver=redeliver_webhook,
        description="Send one webhook delivery again, due now, with the same delivery id.",
    )


@strawberry.type(name="SubscriptionRoot", description="Live updates over WebSocket.")
class SubscriptionRoot:
    quote_status_changed: AsyncGenerator[QuoteStatusEvent, None] = strawberry.subscription(
        resolver=quote_status_changed,
        description="Every status change of the quotes you may see; with quoteId the first event "
        "is the quote's current state.",
    )


class RenewalsSchema(strawberry.Schema):
    """Strawberry logs every error; here refusals are answers, and the ErrorCodes extension logs
    the unexpected ones (with their traceback) once."""

    def process_errors(self, errors: list, execution_context: object = None) -> None:
        return None


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or Settings()
    # Factories, so each operation gets fresh extension state. The limit rules are built once:
    # the validation cache is keyed by the rule classes, and a new class per request never hits.
    rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
        NoNulInStrings,
    ]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    error_codes = type("ErrorCodes", (ErrorCodes,), {"suggestions": settings.dev_mode})
    extensions: list = [
        error_codes,
        OperationRules,
        ReleaseReads,
        type("QueryCost", (QueryCost,), {"costs": CostCache()}),
        lambda: ParserCache(maxsize=256),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=256),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
    ]
    return RenewalsSchema(
        query=Query,
        mutation=Mutation,
        subscription=SubscriptionRoot,
        types=[Subscription, Quote, Order, Customer, Partner],
        extensions=extensions,
        scalar_overrides=SCALAR_OVERRIDES,  # type: ignore[arg-type]  # ScalarDefinition is accepted at run time
        config=StrawberryConfig(disable_field_suggestions=not settings.dev_mode),
        execution_context_class=executor_class(settings.compiled_execution),
    )
