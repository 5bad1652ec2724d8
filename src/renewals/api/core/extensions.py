"""Every error leaves with `extensions.code`; unexpected ones are logged and masked."""

import logging
import re
from collections.abc import AsyncIterator, Iterator

from graphql import GraphQLError, OperationDefinitionNode
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from renewals.api.core.input_rules import check_variables

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


SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class ErrorCodes(SchemaExtension):
    """Adds `extensions.code` to every error and masks unexpected exceptions."""

    #: Outside dev mode, no "Did you mean ...?" hints (fields, arguments, types, enum values).
    suggestions = False

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as error:
            # A parse error raised in another extension's hook (ParserCache) leaves the operation
            # as an exception; strawberry then returns it unchanged, so it is coded here.
            raise coded(error) from error.original_error
        done: dict[int, GraphQLError] = {}  # the two lists may share errors: code (and log) once

        def once(error: GraphQLError) -> GraphQLError:
            if id(error) not in done:
                done[id(error)] = coded(error)
                if not self.suggestions and error.path is None:
                    done[id(error)].message = SUGGESTION.sub("", done[id(error)].message)
            return done[id(error)]

        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [once(e) for e in result.errors]
        pre = getattr(self.execution_context, "pre_execution_errors", None)
        if pre:
            self.execution_context.pre_execution_errors = [once(e) for e in pre]


class OperationRules(SchemaExtension):
    """A document with several operations must name the one to run (GraphQL spec 6.1); no
    variable holds text a column cannot store (api/core/input_rules.py)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        check_variables(context.variables)
        document = context.graphql_document
        if context._provided_operation_name is None and document is not None:  # noqa: SLF001
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > 1:
                raise GraphQLError(
                    "The document holds several operations: say which to run with `operationName`.",
                    extensions={"code": "BAD_USER_INPUT"},
                )
        request = getattr(context.context, "request", None)
        if context.operation_type == OperationType.SUBSCRIPTION and not isinstance(
            request, WebSocket
        ):
            raise GraphQLError(
                "Subscriptions run over WebSocket (graphql-transport-ws) on /graphql.",
                extensions={"code": "BAD_REQUEST"},
            )
        yield


class ReleaseReads(SchemaExtension):
    """Gives the request's read connection back when the operation ends (a subscription: when it
    ends), instead of after the idle countdown of `persistence/db.SharedReadConnection`."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        close = getattr(self.execution_context.context, "close", None)
        if close is not None:
            await close()
