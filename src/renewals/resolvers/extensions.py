"""Every error leaves with `extensions.code`; unexpected ones are logged and masked."""

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

log = logging.getLogger("renewals.graphql")

LIMIT_CODES = (
    ("exceeds maximum operation depth", "QUERY_TOO_DEEP"),
    ("aliases found", "TOO_MANY_ALIASES"),
    ("maximum number of aliases", "TOO_MANY_ALIASES"),
    ("token limit", "TOO_MANY_TOKENS"),
    ("tokens", "TOO_MANY_TOKENS"),
)


def code_for(error: GraphQLError) -> str:
    """The code of an error that has none yet."""
    if error.original_error is not None and not isinstance(error.original_error, GraphQLError):
        return "INTERNAL_SERVER_ERROR"
    message = error.message.lower()
    for needle, code in LIMIT_CODES:
        if needle in message:
            return code
    if message.startswith("syntax error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.path is None:
        return "GRAPHQL_VALIDATION_FAILED"
    return "BAD_USER_INPUT"


def coded(error: GraphQLError) -> GraphQLError:
    if error.extensions and "code" in error.extensions:
        return error
    code = code_for(error)
    if code == "INTERNAL_SERVER_ERROR":
        log.error("unexpected error at %s", error.path, exc_info=error.original_error)
        return GraphQLError(
            "Internal server error.",
            nodes=error.nodes,
            positions=error.positions,
            path=error.path,
            extensions={"code": code},
        )
    error.extensions = {**(error.extensions or {}), "code": code}
    return error


class ErrorCodes(SchemaExtension):
    """Adds `extensions.code` to every error and masks unexpected exceptions."""

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as error:
            # A parse error raised in another extension's hook (ParserCache) leaves the operation
            # as an exception; strawberry then returns it unchanged, so it is coded here.
            raise coded(error) from error.original_error
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [coded(e) for e in result.errors]
        pre = getattr(self.execution_context, "pre_execution_errors", None)
        if pre:
            self.execution_context.pre_execution_errors = [coded(e) for e in pre]
