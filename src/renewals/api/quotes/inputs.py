"""Inputs that several quote mutations share, and their conversion to the domain's values."""

import strawberry

from renewals.api.core.enums import QuoteType, Term, to_domain
from renewals.api.core.ids import pk_of
from renewals.domain import enums as d
from renewals.domain.quotes import LineChange, Recipient


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


@strawberry.input(description="A billing address (R10).")
class AddressInput:
    line1: str = strawberry.field(description="Street and number.")
    line2: str | None = strawberry.field(default=None, description="Further address line.")
    city: str = strawberry.field(description="City.")
    postal_code: str = strawberry.field(description="Postal code.")
    country: str = strawberry.field(description="Two-letter ISO 3166 country code, e.g. DE.")


def line_changes(changes: list[QuoteLineChangeInput] | None) -> list[LineChange]:
    """The changes as the domain's; an id that is not a Subscription's names no subscription."""
    return [
        LineChange(
            subscription_id=pk_of(c.subscription_id, "Subscription") or -1,
            seats=c.seats,
            term=to_domain(c.term, d.Term),
            type=to_domain(c.type, d.QuoteType),
        )
        for c in changes or []
    ]


def recipients_of(recipients: list[RecipientInput] | None) -> list[Recipient] | None:
    """The recipients as the domain's; None when none were given (so: kept as they are)."""
    if recipients is None:
        return None
    return [Recipient(email=r.email, name=r.name) for r in recipients]
