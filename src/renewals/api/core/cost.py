"""The calculated cost of an operation, from its document before execution (as GitHub's and
Shopify's): what it may read at most, so that a partner integration knows its price in advance.

- a field that returns an object costs 1; scalars and enums cost 0; introspection costs 0;
- a field with a `first` argument (a connection) multiplies the lists directly under it
  (`edges`, `nodes`) by its page size (`first`, default 20);
- any other list of objects counts as LIST_ESTIMATE items;
- each mutation field costs MUTATION_COST more (it writes);
- fragments count where they are spread; on an abstract type every type condition counts.
"""

import math
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import SchemaExtension

from renewals.api.core.identity_cache import IdentityLRU
from renewals.api.core.pagination import DEFAULT_PAGE, MAX_PAGE

LIST_ESTIMATE = 10
MUTATION_COST = 10


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


class _Costing:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.read_variables = False  # whether the cost depends on the variables' values

    def page_size(self, field: FieldNode, definition: Any) -> int | None:
        """A connection's page (its `first`, default 20); None for other fields."""
        if "first" not in definition.args:
            return None
        given = next((a.value for a in field.arguments or () if a.name.value == "first"), None)
        value: Any = None
        if isinstance(given, VariableNode):
            self.read_variables = True
            value = self.variables.get(given.name.value)
        elif isinstance(given, IntValueNode):
            value = int(given.value)
        if isinstance(value, int) and not isinstance(value, bool):
            return max(0, min(value, MAX_PAGE))
        return DEFAULT_PAGE  # not given, null, or not yet an int (validation refuses the rest)

    def selection(
        self, selection_set: SelectionSetNode | None, parent: Any, page: int | None, seen: frozenset
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(node, parent, page, seen)
            elif isinstance(node, InlineFragmentNode):
                condition = (
                    self.schema.get_type(node.type_condition.name.value)
                    if node.type_condition
                    else parent
                )
                total += self.selection(node.selection_set, condition or parent, page, seen)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:  # validation refuses both
                    continue
                condition = self.schema.get_type(fragment.type_condition.name.value)
                total += self.selection(
                    fragment.selection_set, condition or parent, page, seen | {name}
                )
        return total

    def field(self, node: FieldNode, parent: Any, page: int | None, seen: frozenset) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return 0
        definition = parent.fields.get(name)
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            return 0
        one = 1 + self.selection(node.selection_set, named, self.page_size(node, definition), seen)
        if not _is_list(definition.type):
            return one
        return one * (page if page is not None else LIST_ESTIMATE)


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> int:
    """The calculated cost of the operation that will run (0 if there is none to run)."""
    return _operation_cost(schema, document, operation_name, variables)[0]


def _operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> tuple[int, bool]:
    """The cost, and whether it read a variable (a page size given as `first: $n`)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return 0, False
    operation = operations[0]
    root = schema.get_root_type(operation.operation)
    costing = _Costing(schema, fragments, variables or {})
    cost = costing.selection(operation.selection_set, root, None, frozenset())
    if operation.operation == OperationType.MUTATION:
        cost += MUTATION_COST * sum(
            1 for s in operation.selection_set.selections if isinstance(s, FieldNode)
        )
    return cost, costing.read_variables


class CostCache:
    """Costs by document (identity: the parser cache hands back the same document for the same
    text) and operation name, for the operations whose cost reads no variable; least recently
    used out."""

    def __init__(self, maxsize: int = 256) -> None:
        self.entries: IdentityLRU[int] = IdentityLRU(maxsize)

    def cost(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: dict[str, Any] | None,
    ) -> int:
        hit = self.entries.get((schema, document), operation_name)
        if hit is not None:
            return hit
        cost, read_variables = _operation_cost(schema, document, operation_name, variables)
        if not read_variables:
            self.entries.put((schema, document), operation_name, cost)
        return cost


def budget_key(context: Any) -> str:
    """Whose budget pays: the token's viewer, else the client's address."""
    try:
        viewer = context.optional_viewer()
    except GraphQLError:  # a bad token: refused later, charged to the address meanwhile
        viewer = None
    if viewer is not None:
        return f"viewer:{viewer.scope}"
    request = getattr(context, "request", None)
    client = getattr(request, "client", None)
    return f"address:{client.host if client else 'unknown'}"


class QueryCost(SchemaExtension):
    """Prices each operation before it runs: above RENEWALS_MAX_QUERY_COST it is refused
    (MAX_COST_EXCEEDED); otherwise the cost is taken from the viewer's budget, or refused with
    when to retry (THROTTLED). `extensions.cost` tells both on every executed response, in the
    shape of Shopify's `cost.throttleStatus`."""

    #: Shared by the operations of one schema (build_schema gives each schema its own).
    costs: ClassVar[CostCache] = CostCache()

    def __init__(self, *, execution_context: Any = None) -> None:
        super().__init__(execution_context=execution_context)
        self.report: dict[str, Any] | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        context = ec.context
        settings = context.container.settings
        document = ec.graphql_document
        cost = (
            self.costs.cost(ec.schema._schema, document, ec.operation_name, ec.variables)  # noqa: SLF001
            if document is not None
            else 0
        )
        self.report = {"requestedQueryCost": cost, "maximumQueryCost": settings.max_query_cost}
        if cost > settings.max_query_cost:
            raise GraphQLError(
                f"The query costs {cost} points, more than the {settings.max_query_cost} one "
                "query may cost: ask for smaller pages (`first`) or fewer nested lists.",
                extensions={"code": "MAX_COST_EXCEEDED", "cost": cost},
            )
        if settings.cost_budget > 0:
            taken = await context.container.budgets.take(
                budget_key(context),
                cost,
                maximum=settings.cost_budget,
                restore_rate=settings.cost_restore_rate,
            )
            self.report["throttleStatus"] = {
                "maximumAvailable": settings.cost_budget,
                "currentlyAvailable": int(taken.bucket.available),
                "restoreRate": settings.cost_restore_rate,
            }
            if not taken.allowed:
                retry = max(1, math.ceil(taken.retry_after))
                raise GraphQLError(
                    f"Throttled: the query costs {cost} points and "
                    f"{int(taken.bucket.available)} are available; retry in {retry} s.",
                    extensions={"code": "THROTTLED", "cost": cost, "retryAfterSeconds": retry},
                )
        yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.report} if self.report is not None else {}
