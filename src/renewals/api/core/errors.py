"""The one place domain refusals and request failures become GraphQL shapes."""

from collections.abc import Mapping

import strawberry
from graphql import GraphQLError

from renewals.api.core.enums import UserErrorCode
from renewals.domain.errors import DomainError, Subject


def unauthenticated(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "UNAUTHENTICATED"})


def bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


@strawberry.type(description="A refusal: a stable code, the offending input path, and a message.")
class UserError:
    code: UserErrorCode = strawberry.field(description="Stable, machine-readable reason.")
    field: list[str] | None = strawberry.field(
        description='Path of the offending input, e.g. ["input", "subscriptionIds", "1"].'
    )
    message: str = strawberry.field(description="Human-readable explanation.")


InputFields = Mapping[str, str | tuple[str, ...]]
"""A mutation's input: the domain's name of each part of the request → its input field; a tuple
is the whole path, for a part the input names only as a whole (a draft's subscriptions are its
`quoteId`)."""

ATTRIBUTES = {"subscription": "subscriptionId"}


def field_path(about: Subject | None, inputs: InputFields) -> list[str] | None:
    """("change", 0, "seats") → ["input", "changes", "0", "seats"]; None for what the input does
    not name (a problem found later, by the worker)."""
    if about is None or str(about[0]) not in inputs:
        return None
    part, *rest = about
    target = inputs[str(part)]
    if isinstance(target, tuple):
        return ["input", *target]
    path = ["input", target] if target else ["input"]
    for step in rest:
        path.append(str(step) if isinstance(step, int) else ATTRIBUTES.get(step, camel(step)))
    return path


def camel(name: str) -> str:
    head, *tail = name.split("_")
    return head + "".join(word.title() for word in tail)


def user_errors(error: DomainError, inputs: InputFields) -> list[UserError]:
    """The one mapping of domain refusals to `userErrors`."""
    return [
        UserError(
            code=UserErrorCode(p.code.value),
            field=field_path(p.about, inputs),
            message=p.message,
        )
        for p in error.problems
    ]
