"""Input that no column can hold is refused as BAD_USER_INPUT before anything runs.

A NUL character ("\\u0000") fits a GraphQL String but not a PostgreSQL text value: asyncpg
raised, and the operation answered INTERNAL_SERVER_ERROR. Literals are checked once per document
(a validation rule, so the validation cache keeps the verdict); variables on every request.
"""

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule

NUL = "\x00"
MESSAGE = "Text may not contain the NUL character (\\u0000)."


def nul_refusal(where: str) -> GraphQLError:
    return GraphQLError(f"{where}: {MESSAGE}", extensions={"code": "BAD_USER_INPUT"})


class NoNulInStrings(ValidationRule):
    """A string literal of the document holds no NUL."""

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if NUL in node.value:
            self.report_error(GraphQLError(MESSAGE, node, extensions={"code": "BAD_USER_INPUT"}))


def nul_path(value: object, path: str) -> str | None:
    """The path of the first string holding NUL in a JSON value (keys included), or None."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = nul_path(key, path) or nul_path(item, f"{path}.{key}")
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = nul_path(item, f"{path}[{index}]")
            if found:
                return found
    return None


def check_variables(variables: Mapping[str, object] | None) -> None:
    """Raises BAD_USER_INPUT for a variable holding NUL anywhere inside it."""
    for name, value in (variables or {}).items():
        found = nul_path(value, f"${name}")
        if found:
            raise nul_refusal(f"Variable {found}")
