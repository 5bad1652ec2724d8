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


InputFields = Mapping[str, str]
"""A mutation's input: the domain's name of each part of the request → its input field."""

ATTRIBUTES = {"subscription": "subscriptionId"}


def field_path(about: Subject | None, inputs: InputFields) -> list[str] | None:
    """("change", 0, "seats") → ["input", "changes", "0", "seats"]; None for what the input does
    not name (a problem found later, by the worker)."""
    if about is None or str(about[0]) not in inputs:
        return None
    part, *rest = about
    path = ["input", inputs[str(part)]] if inputs[str(part)] else ["input"]
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
