"""The one place domain refusals and request failures become GraphQL shapes."""

from graphql import GraphQLError

from renewals.domain.errors import DomainError


def unauthenticated(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "UNAUTHENTICATED"})


def bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


def user_errors(error: DomainError) -> list:  # list[UserError], typed loosely to avoid a cycle
    from renewals.schema.payloads import UserError

    return [
        UserError(code=p.code, field=list(p.field) if p.field else None, message=p.message)  # type: ignore[arg-type]
        for p in error.problems
    ]
