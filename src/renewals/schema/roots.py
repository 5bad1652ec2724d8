"""The root types and the schema factory (limits, caches and error codes as extensions)."""

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

from renewals.config import Settings
from renewals.resolvers import mutation, query, subscription
from renewals.resolvers.extensions import ErrorCodes, OperationRules
from renewals.schema.payloads import (
    AcceptQuotePayload,
    CancelQuotePayload,
    CreateRenewalQuotePayload,
    QuoteConnection,
    QuoteStatusEvent,
    SetAutoRenewPayload,
    SubscriptionConnection,
    Viewer,
)
from renewals.schema.quote_types import Order, Quote
from renewals.schema.scalars import SCALAR_OVERRIDES
from renewals.schema.types import Customer, Node, Partner, RenewalGroup, Subscription


@strawberry.type(description="Read the renewal data the viewer may see.")
class Query:
    node: Node | None = strawberry.field(
        resolver=query.resolve_node,
        description="Any Subscription, Quote, Order, Customer or Partner by its global ID; null "
        "if not visible.",
    )
    viewer: Viewer = strawberry.field(
        resolver=query.resolve_viewer, description="Who the bearer token says you are."
    )
    subscriptions: SubscriptionConnection = strawberry.field(
        resolver=query.resolve_subscriptions,
        description="The subscriptions you may see, by ID; `first` at most 100.",
    )
    eligible_renewal_groups: list[RenewalGroup] = strawberry.field(
        resolver=query.resolve_eligible_groups,
        description="Eligible subscriptions grouped by customer, currency, payment method and "
        "reseller (R04); only non-empty groups.",
    )
    quotes: QuoteConnection = strawberry.field(
        resolver=query.resolve_quotes, description="The quotes you may see, newest first (R14)."
    )
    quote: Quote | None = strawberry.field(
        resolver=query.resolve_quote, description="A quote by its number; null if not visible."
    )


@strawberry.type(description="Change renewal data. Refusals come back as `userErrors`.")
class Mutation:
    create_renewal_quote: CreateRenewalQuotePayload = strawberry.mutation(
        resolver=mutation.create_quote,
        description="Request a renewal quote for a group, part of one, or one subscription.",
    )
    accept_quote: AcceptQuotePayload = strawberry.mutation(
        resolver=mutation.accept_quote,
        description="Accept (buy) an open quote, with a bearer token or the email's checkout token.",
    )
    set_auto_renew: SetAutoRenewPayload = strawberry.mutation(
        resolver=mutation.set_auto_renew,
        description="Switch a subscription's auto-renew on or off.",
    )
    cancel_quote: CancelQuotePayload = strawberry.mutation(
        resolver=mutation.cancel_quote,
        description="Cancel an open quote (partners and sales, R10).",
    )


@strawberry.type(name="SubscriptionRoot", description="Live updates over WebSocket.")
class SubscriptionRoot:
    quote_status_changed: QuoteStatusEvent = strawberry.subscription(
        resolver=subscription.quote_status_changed,
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
    ]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    error_codes = type("ErrorCodes", (ErrorCodes,), {"suggestions": settings.dev_mode})
    extensions: list = [
        error_codes,
        OperationRules,
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
        scalar_overrides=SCALAR_OVERRIDES,  # type: ignore[arg-type]
        config=StrawberryConfig(disable_field_suggestions=not settings.dev_mode),
    )
