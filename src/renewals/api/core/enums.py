"""GraphQL enums mirroring the domain's, each value described for GraphiQL."""

from enum import Enum
from typing import Any

import strawberry

from renewals.domain import enums as d


def _described(
    domain: type[Enum], description: str, docs: dict[str, str], name: str | None = None
) -> Any:
    missing = {m.name for m in domain} - docs.keys()
    assert not missing, f"{domain.__name__} values without a description: {missing}"
    members = {m.name: strawberry.enum_value(m.value, description=docs[m.name]) for m in domain}
    graphql_enum: Any = Enum(name or domain.__name__, members)  # type: ignore[misc]  # the functional API takes a computed name
    return strawberry.enum(graphql_enum, description=description)


Term = _described(
    d.Term,
    "How long one term of a subscription runs.",
    {"MONTHLY": "One month.", "ANNUAL": "One year.", "THREE_YEAR": "Three years."},
)
OfferingType = _described(
    d.OfferingType,
    "The kind of offering; only STANDARD can be renewed by quote (R10).",
    {
        "STANDARD": "A standard subscription.",
        "SUCCESS_PLAN": "A success plan (not renewable by quote).",
        "FLEX": "A value-based (Flex) purchase option (not renewable by quote).",
    },
)
PaymentMethod = _described(
    d.PaymentMethod,
    "How the customer pays.",
    {
        "CREDIT_CARD": "Credit card.",
        "PAYPAL": "PayPal.",
        "DIRECT_DEBIT": "Direct debit from a bank account.",
        "INVOICE": "Invoice on a credit line.",
    },
)
ContactRole = _described(
    d.ContactRole,
    "A customer contact's role.",
    {"BUYER": "Buys, and receives quotes by email.", "EMPLOYEE": "Another employee."},
)
SubscriptionStatus = _described(
    d.SubscriptionStatus,
    "Whether the current term still runs on the business date.",
    {"ACTIVE": "The end date is today or later.", "EXPIRED": "The end date has passed."},
)
QuoteStatus = _described(
    d.QuoteStatus,
    "Where a quote stands. Open means FINALIZING or QUOTED.",
    {
        "DRAFT": (
            "Priced, checked and numbered, not sent and holding no subscription: reviewed with "
            "updateDraftQuote, then sent with finalizeQuote or deleted with discardDraftQuote."
        ),
        "FINALIZING": "Requested; being priced, numbered and emailed.",
        "QUOTED": "Sent and open: it can be bought until it expires.",
        "ORDER_SUBMITTED": "Accepted; the order is being fulfilled.",
        "ORDERED": "Fulfilled: the subscriptions moved one term on.",
        "EXPIRED": "Not bought before its expiry date.",
        "CANCELLED": "Cancelled by a partner or the sales team.",
        "FAILED": "Could not be finalized or fulfilled; see the status history for why.",
    },
)
QuoteType = _described(
    d.QuoteType,
    "What a quote is for (R06); one quote has one type (R07).",
    {
        "RENEWAL": "Renews subscriptions for one more term.",
        "NEW_PURCHASE": "Buys a new subscription.",
        "CO_TERM": "Aligns renewal dates (co-term).",
    },
)
QuoteOrigin = _described(
    d.QuoteOrigin,
    "Who created a quote.",
    {
        "SELF_SERVICE": "The customer's buyer.",
        "PARTNER": "The reseller of record.",
        "SALES": "The vendor's sales team.",
        "AUTOMATIC": "The automatic-quote job, 30 days before expiry (R12).",
    },
)
OrderOrigin = _described(
    d.OrderOrigin,
    "What made an order.",
    {
        "QUOTE": "A quote was accepted (its `quote` is set).",
        "AUTO_RENEWAL": "An auto-renewing subscription renewed by itself (R02); no quote.",
    },
)
OrderStatus = _described(
    d.OrderStatus,
    "Where an order stands.",
    {
        "PENDING": "Placed; the charge or fulfilment has not completed yet.",
        "COMPLETED": "Charged, and the subscriptions moved one term on.",
        "PAYMENT_DECLINED": (
            "AUTO_RENEWAL only: the last charge was declined; the subscription is not renewed. "
            "The charge is tried again on later business days while the renewal window is open."
        ),
        "FAILED": "Could not be charged or fulfilled; see the status history for why.",
    },
)
ViewerRole = _described(
    d.Role,
    "The role a bearer token carries.",
    {
        "BUYER": "A customer's buyer: sees its own customer.",
        "PARTNER": "A reseller: sees the subscriptions it is reseller of record for.",
        "SALES": "The vendor's sales team: sees everything.",
    },
    name="ViewerRole",
)
UserErrorCode = _described(
    d.ErrorCode,
    "Why a mutation was refused. Each refusal of the business rules has its own code.",
    {
        "NOT_FOUND": "The object does not exist or is not visible to you.",
        "FORBIDDEN": "Your role may not do this.",
        "INVALID_INPUT": "An input value is malformed or out of range.",
        "EMPTY_SELECTION": "No subscription was selected.",
        "OUTSIDE_RENEWAL_WINDOW": "Outside 90 days before to 45 days after the end date (R01).",
        "MIXED_CUSTOMERS": "The subscriptions belong to different customers (R09).",
        "MIXED_CURRENCIES": "The subscriptions have different currencies (R09).",
        "MIXED_PAYMENT_METHODS": "The subscriptions have different payment methods (R04).",
        "RESELLER_MISMATCH": "The subscriptions have different resellers of record (R08).",
        "MIXED_QUOTE_TYPES": "Renewals cannot be combined with new purchases or co-terms (R07).",
        "OFFERING_NOT_ELIGIBLE": "Success plans and Flex cannot be renewed by quote (R10).",
        "SEAT_INCREASE_NOT_ALLOWED": "A renewal quote cannot add seats (R10).",
        "CURRENCY_CHANGE_NOT_ALLOWED": "A renewal quote cannot change the currency (R10).",
        "NEW_CREDIT_LINE_NOT_ALLOWED": "A renewal quote cannot open a new credit line (R10).",
        "FUTURE_START_DATE_NOT_ALLOWED": (
            "A requested start date after a line's natural start, the day after its end date (R10)."
        ),
        "ADDRESS_LOCKED": (
            "A sent quote keeps its billing address; make a new quote with reviseQuote (R10)."
        ),
        "CANCEL_NOT_ALLOWED": "Buyers cannot cancel quotes; partners and sales can (R10).",
        "TOO_MANY_RECIPIENTS": "More than four recipients (R03, R04).",
        "INVALID_EMAIL": "A recipient's email address is not valid.",
        "AUTO_RENEW_ENABLED": "Auto-renew is on while the quote changes term or seats (R02).",
        "ALREADY_ON_OPEN_QUOTE": "The subscription is already on an open quote.",
        "PRICE_UNAVAILABLE": "The price list has no price for the product, term and currency.",
        "QUOTE_NOT_OPEN": "The quote is not open (already accepted, cancelled, failed...).",
        "QUOTE_EXPIRED": "The quote has expired.",
        "INVALID_CHECKOUT_TOKEN": "The checkout token is malformed, forged or replaced.",
        "IDEMPOTENCY_KEY_REUSED": "The idempotency key was used before with a different input.",
        "SUBSCRIPTION_LAPSED": (
            "The renewal window has closed (45 days after the end date): auto-renew cannot be "
            "switched on (R01, R02)."
        ),
        "QUOTE_REVISED": (
            "The quote was replaced by a revision (reviseQuote); the message names the new quote."
        ),
        "QUOTE_NOT_DRAFT": (
            "Only a DRAFT quote can be updated, finalized or discarded; a sent quote is changed "
            "with reviseQuote."
        ),
        "INVALID_ALIGNMENT_DATE": (
            "A co-term cannot align this subscription: it has ended or has a monthly term, or "
            "the aligned date is not after its end date or not less than one term after it (R06)."
        ),
        "INVALID_WEBHOOK_URL": (
            "A webhook URL that is not http(s), holds credentials, or names a non-public address."
        ),
        "UNKNOWN_EVENT_TYPE": "An event type webhooks do not have (see docs/webhooks.md).",
        "TOO_MANY_WEBHOOK_ENDPOINTS": "The owner already has the most webhook endpoints allowed.",
    },
    name="UserErrorCode",
)


def to_domain(value: Any, domain: type[Enum]) -> Any:
    """A GraphQL enum member (or None) as the domain's member."""
    return None if value is None else domain(value.value)
