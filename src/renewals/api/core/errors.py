"""The one place domain refusals and request failures become GraphQL shapes."""

import strawberry
from graphql import GraphQLError

from renewals.api.core.enums import UserErrorCode
from renewals.domain.errors import DomainError


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


def user_errors(error: DomainError) -> list[UserError]:
    return [
        UserError(
            code=UserErrorCode(p.code.value),
            field=list(p.field) if p.field else None,
            message=p.message,
        )
        for p in error.problems
    ]
