"""Inputs that several quote mutations share."""

import strawberry

from renewals.api.core.enums import QuoteType, Term


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
