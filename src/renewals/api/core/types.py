"""Types every area shares: the Relay Node interface and Money."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ForwardRef, get_args

import strawberry


def utc(moment: datetime) -> datetime:
    """A naive UTC timestamp from the database as an aware one."""
    return moment.replace(tzinfo=UTC)


@strawberry.interface(description="An object with a global, opaque ID (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(description="The global ID; opaque to clients.")


@strawberry.type(description="An exact amount of money. `amount` serialises as a string.")
class Money:
    amount: Decimal = strawberry.field(description='The amount, e.g. "1234.50".')
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. EUR.")


def lazy_class(reference: Any) -> Any:
    """The class behind `Annotated["X", strawberry.lazy("module")]`, resolved the way Strawberry
    resolves the annotation. Only for GraphQL types that refer to each other (Subscription and
    Order point at Quote, Quote at both): one side names the other lazily instead of importing."""
    found = _LAZY.get(id(reference))
    if found is None:
        name, lazy = get_args(reference)
        forward = name if isinstance(name, ForwardRef) else ForwardRef(name)
        found = _LAZY[id(reference)] = lazy.resolve_forward_ref(forward).resolve_type()
    return found


_LAZY: dict[int, Any] = {}
