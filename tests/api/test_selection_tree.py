"""The prefetch's view of a selection: names through fragments, merged, cached per field node."""

import strawberry
from graphql import execute as gql_execute
from graphql import parse
from strawberry import Info

from renewals.api.core.prefetch import selected, selection_tree

SEEN: list[dict] = []


@strawberry.type
class Leaf:
    name: str = "x"
    other: str = "y"


@strawberry.type
class Node:
    @strawberry.field
    def leaf(self) -> Leaf:
        return Leaf()

    value: int = 1


@strawberry.type
class Query:
    @strawberry.field
    def nodes(self, info: Info, n: int = 0) -> list[Node]:
        SEEN.append({"tree": selection_tree(info), "leaf": selected(info, "leaf")})
        return [Node()]


schema = strawberry.Schema(Query)
DOCUMENT = """
query Q($n: Int) { nodes(n: $n) { value ...F ... on Node { leaf { other } } } }
fragment F on Node { leaf { name } }
"""


def test_names_through_fragments_and_inline_fragments_are_merged() -> None:
    SEEN.clear()
    assert schema.execute_sync(DOCUMENT, variable_values={"n": 1}).errors is None
    assert SEEN[0]["tree"] == {"value": {}, "leaf": {"name": {}, "other": {}}}
    assert SEEN[0]["leaf"] == {"name": {}, "other": {}}


def test_a_cached_document_is_walked_once_whatever_the_variables() -> None:
    SEEN.clear()
    document = parse(DOCUMENT)  # as the parser cache hands back the same document
    for n in (1, 2):
        result = gql_execute(schema._schema, document, variable_values={"n": n})
        assert result.errors is None
    assert SEEN[0]["tree"] is SEEN[1]["tree"]
