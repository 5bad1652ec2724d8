"""Compiled execution: each validated query document becomes a cached plan, run without
graphql-core's per-field machinery (as graphql-jit does in JavaScript).

graphql-core executes every field through the same generic steps: look the field up, build a
`GraphQLResolveInfo`, wrap the resolver (Strawberry builds an `Info`, converts arguments, chains
field extensions), then complete the value by dispatching on its type. The plan does those
look-ups once per (document, operation, values of the variables that `@include`/`@skip` read):
for each object type and field group it keeps the collected fields (graphql-core's own
`collect_fields`, so merging, fragments and directives are the spec's), how each field resolves
and how its value completes. Running it:

- a field Strawberry resolves by attribute access is read with `getattr`;
- `__typename` is the parent type's name;
- a Strawberry resolver without arguments, field extensions or exception handlers is called
  directly with what Strawberry would pass (self / root / parent / `Info`);
- any other field (arguments, extensions, permission classes) goes through its graphql-core
  resolver with a real `GraphQLResolveInfo` and graphql-core's argument coercion;
- leaves are serialised by the type's `coerce_output_value` (a shortcut for `str`, `bool` and
  32-bit `int` values of the built-in scalars, which return them unchanged);
- errors are located, collected and propagated with graphql-core's own `handle_field_error`;
  awaitables are gathered in the same places and the same order as graphql-core does, so
  DataLoader batches form in the same ticks.

Mutations, subscriptions, introspection (`__schema`, `__type`), middleware, abort signals,
`@experimental_disableErrorPropagation` and fragment variables fall back to graphql-core, as
does completing an async iterable, an awaitable `is_type_of` or `resolve_type` (graphql-core's
completion is called for that value). `RENEWALS_COMPILED_EXECUTION` switches it: `on`, `off`,
or `differential` (every compiled query also runs through graphql-core; a difference fails the
request and is logged with both results).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from copy import copy
from typing import Any, ClassVar, Literal

import orjson
from graphql import (
    GraphQLBoolean,
    GraphQLError,
    GraphQLID,
    GraphQLInt,
    GraphQLString,
    OperationType,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import collect_fields, collect_subfields
from graphql.execution.executor import CollectedErrors, invalid_return_type_error
from graphql.execution.types import ExecutionResult
from graphql.execution.values import get_argument_values
from graphql.language import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.pyutils import Path, RefMap, Undefined, gather_with_cancel, inspect, is_iterable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from renewals.api.core.identity_cache import IdentityLRU

log = logging.getLogger("renewals.graphql.compiled")

Mode = Literal["on", "off", "differential"]

MAX_INT = 2_147_483_647
MIN_INT = -2_147_483_648
PLAN_CACHE_SIZE = 256
PLANS_PER_DOCUMENT = 16

#: Types whose values are never awaitable: checked before calling `is_awaitable` (most values).
PLAIN = frozenset({str, int, bool, float, type(None), dict, list})

# Field kinds
ATTR, TYPENAME, METHOD, GENERIC = range(4)
# Type kinds
NONNULL, LIST, LEAF, OBJECT, ABSTRACT = range(5)

#: Mismatches seen in differential mode (tests assert it stays empty).
MISMATCHES: list[dict[str, Any]] = []
#: Operations run from a plan, and by graphql-core (so tests can tell which path ran).
RUNS = {"compiled": 0, "graphql_core": 0}


class Unsupported(Exception):  # noqa: N818
    """The plan does not cover this operation: graphql-core runs it."""


class TypePlan:
    """How a value of one output type completes."""

    __slots__ = ("fast", "inner", "is_type_of", "kind", "objects", "type", "type_of_uses_info")

    def __init__(self, type_: Any) -> None:
        self.type = type_
        self.inner: TypePlan | None = None
        self.fast: Any = None
        self.is_type_of: Any = None
        self.type_of_uses_info = True
        self.objects: dict[str, ObjectPlan] = {}  # by runtime type name (abstract: several)
        if is_non_null_type(type_):
            self.kind = NONNULL
            self.inner = TypePlan(type_.of_type)
        elif is_list_type(type_):
            self.kind = LIST
            self.inner = TypePlan(type_.of_type)
        elif is_leaf_type(type_):
            self.kind = LEAF
            if type_ is GraphQLString or type_ is GraphQLID:
                self.fast = str
            elif type_ is GraphQLBoolean:
                self.fast = bool
            elif type_ is GraphQLInt:
                self.fast = int
        elif is_abstract_type(type_):
            self.kind = ABSTRACT
        elif is_object_type(type_):
            self.kind = OBJECT
            self.is_type_of = type_.is_type_of
            self.type_of_uses_info = _type_of_uses_info(type_)
        else:  # pragma: no cover - every output type is one of the above
            raise Unsupported(f"output type {type_}")


def _type_of_uses_info(type_: Any) -> bool:
    """False for Strawberry's own is_type_of (types with interfaces), which ignores its info."""
    qualname = getattr(type_.is_type_of, "__qualname__", "")
    return not qualname.endswith("_get_is_type_of.<locals>.is_type_of")


class FieldPlan:
    """One response key of a selection: how it resolves and completes."""

    __slots__ = (
        "args",
        "details",
        "field",
        "field_def",
        "first_node",
        "func",
        "info_class",
        "info_param",
        "kind",
        "leaf_fast",
        "leaf_only",
        "leaf_plan",
        "name",
        "nodes",
        "null_message",
        "parent_params",
        "python_name",
        "resolve",
        "return_type",
        "self_param",
        "type_plan",
    )

    def __init__(
        self, name: str, details: list, parent_type: Any, field_def: Any, info_class: Any
    ) -> None:
        self.name = name
        self.details = details
        self.nodes = [d.node for d in details]
        self.first_node: FieldNode = details[0].node
        self.field_def = field_def
        self.return_type = field_def.type
        self.type_plan = TypePlan(field_def.type)
        # A leaf (or non-null leaf) field completes synchronously; `leaf_fast` is the Python type
        # whose values the built-in scalar returns unchanged (see TypePlan.fast).
        leaf = self.type_plan.inner if self.type_plan.kind == NONNULL else self.type_plan
        self.leaf_only = leaf is not None and leaf.kind == LEAF
        self.leaf_plan: TypePlan = leaf if self.leaf_only else self.type_plan  # type: ignore[assignment]
        self.leaf_fast = leaf.fast if leaf is not None and leaf.kind == LEAF else None
        field_name = self.first_node.name.value
        self.null_message = f"Cannot return null for non-nullable field {parent_type}.{field_name}."
        self.args = bool(field_def.args or self.first_node.arguments)
        self.resolve = field_def.resolve
        self.info_class = info_class
        self.field = None
        self.func: Any = None
        self.python_name = ""
        self.self_param = False
        self.parent_params: tuple[str, ...] = ()
        self.info_param: str | None = None
        self.kind = GENERIC
        if field_name == "__typename":
            self.kind = TYPENAME
            return
        strawberry_field = (field_def.extensions or {}).get("strawberry-definition")
        resolve = field_def.resolve
        if (
            strawberry_field is None
            or resolve is None
            or self.args
            or type(strawberry_field).get_result is not StrawberryField.get_result
        ):
            return
        self.field = strawberry_field
        if getattr(resolve, "__name__", "") == "_get_basic_result":
            if strawberry_field.default_resolver is getattr:
                self.kind = ATTR
                self.python_name = strawberry_field.python_name
            return
        resolver = strawberry_field.base_resolver
        if resolver is None or strawberry_field.extensions or _has_exception_handlers(resolve):
            return
        if resolver.arguments:
            return
        self.kind = METHOD
        self.func = resolver.wrapped_func
        self.self_param = resolver.self_parameter is not None
        self.parent_params = tuple(
            p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None
        )
        self.info_param = resolver.info_parameter.name if resolver.info_parameter else None


def _has_exception_handlers(resolve: Any) -> bool:
    """Whether Strawberry's wrapper for this field may turn exceptions into results."""
    closure = getattr(resolve, "__closure__", None) or ()
    names = getattr(getattr(resolve, "__code__", None), "co_freevars", ())
    for name, cell in zip(names, closure, strict=False):
        if name == "field_exception_handlers":
            return bool(cell.cell_contents)
    return True  # not the wrapper we know: be safe


class ObjectPlan:
    """The collected fields of one selection on one object type."""

    __slots__ = ("fields", "type", "type_name")

    def __init__(self, type_: Any, fields: list[FieldPlan]) -> None:
        self.type = type_
        self.type_name = type_.name
        self.fields = fields


class OperationPlan:
    __slots__ = ("document", "root")

    def __init__(self, document: DocumentNode, root: ObjectPlan) -> None:
        self.document = document
        self.root = root


class _DocumentEntry:
    __slots__ = ("directive_variables", "document", "plans")

    def __init__(self, document: DocumentNode) -> None:
        self.document = document
        self.directive_variables = _directive_variables(document)
        self.plans: OrderedDict[tuple, OperationPlan | None] = OrderedDict()


def _directive_variables(document: DocumentNode) -> tuple[str, ...]:
    """Names of the variables that `@include`/`@skip` read anywhere in the document."""
    names: set[str] = set()

    def walk(selection_set: SelectionSetNode | None) -> None:
        if selection_set is None:
            return
        for node in selection_set.selections:
            for directive in node.directives or ():
                for argument in directive.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        names.add(argument.value.name.value)
            if isinstance(node, FieldNode | InlineFragmentNode):
                walk(node.selection_set)

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            walk(definition.selection_set)
    return tuple(sorted(names))


class PlanCache:
    """Plans by document (identity: the parser cache hands back the same document for the same
    text), operation name and the values of the directive variables; least recently used out."""

    def __init__(self, maxsize: int = PLAN_CACHE_SIZE) -> None:
        self.entries: IdentityLRU[_DocumentEntry] = IdentityLRU(maxsize)

    def entry(self, document: DocumentNode, operation_name: str | None) -> _DocumentEntry:
        entry = self.entries.get((document,), operation_name)
        if entry is None:
            entry = self.entries.put((document,), operation_name, _DocumentEntry(document))
        return entry


class CompiledExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, running queries from a cached plan (see the module docstring)."""

    mode: ClassVar[Mode] = "on"
    plans: ClassVar[PlanCache] = PlanCache()
    document: DocumentNode | None = None

    # -- entry ---------------------------------------------------------------------------------

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan = None if self.mode == "off" else self.plan(serially)
        if plan is None:
            RUNS["graphql_core"] += 1
            return super().execute_operation(serially)
        RUNS["compiled"] += 1
        if self.mode == "differential":
            return self.differential(plan, serially)
        return self.run_plan(plan)

    def plan(self, serially: bool | None) -> OperationPlan | None:
        """This operation's plan, or None when graphql-core must run it."""
        operation = self.operation
        if (
            operation.operation != OperationType.QUERY
            or serially
            or self.abort_signal is not None
            or not self.error_propagation
            or (self.middleware_manager is not None and self.middleware_manager.middlewares)
        ):
            return None
        document = _document_of(self)
        if document is None:
            return None
        name = operation.name.value if operation.name else None
        entry = self.plans.entry(document, name)
        coerced = self.variable_values.coerced
        key = tuple(coerced.get(v, Undefined) for v in entry.directive_variables)
        try:
            hash(key)
        except TypeError:
            return None
        if key in entry.plans:
            entry.plans.move_to_end(key)
            return entry.plans[key]
        try:
            plan: OperationPlan | None = self.build_plan(document)
        except Unsupported:
            plan = None
        entry.plans[key] = plan
        if len(entry.plans) > PLANS_PER_DOCUMENT:
            entry.plans.popitem(last=False)
        return plan

    def build_plan(self, document: DocumentNode) -> OperationPlan:
        root_type = self.schema.get_root_type(OperationType.QUERY)
        if root_type is None:
            raise Unsupported("no query type")
        collected = collect_fields(
            self.schema,
            self.fragments,
            self.variable_values,
            root_type,
            self.operation,
            self.hide_suggestions,
        )
        return OperationPlan(document, self.object_plan(root_type, collected))

    def object_plan(self, type_: Any, collected: Any) -> ObjectPlan:
        grouped, defer_usages, _forbidden = collected
        if defer_usages:
            raise Unsupported("@defer")
        info_class = self.schema._strawberry_schema.config.info_class  # type: ignore[attr-defined]  # noqa: SLF001
        fields = []
        for name, details in grouped.items():
            field_name = details[0].node.name.value
            if field_name.startswith("__") and field_name != "__typename":
                raise Unsupported("introspection")
            if any(d.fragment_variable_values is not None for d in details):
                raise Unsupported("fragment variables")
            field_def = self.schema.get_field(type_, field_name)
            if field_def is None:
                continue  # graphql-core skips it too (validation refuses it anyway)
            fields.append(FieldPlan(name, details, type_, field_def, info_class))
        return ObjectPlan(type_, fields)

    def sub_plan(self, tp: TypePlan, runtime_type: Any, fp: FieldPlan) -> ObjectPlan:
        plan = tp.objects.get(runtime_type.name)
        if plan is None:
            collected = collect_subfields(
                self.schema,
                self.fragments,
                self.variable_values,
                self.operation,
                runtime_type,
                fp.details,
                self.hide_suggestions,
            )
            plan = tp.objects[runtime_type.name] = self.object_plan(runtime_type, collected)
        return plan

    # -- running -------------------------------------------------------------------------------

    def run_plan(self, plan: OperationPlan) -> Any:
        """graphql-core's execute_operation, with the plan's fields."""
        try:
            result = self.execute_plan_fields(plan.root, self.root_value, None)
            if self.is_awaitable(result):

                async def await_result() -> ExecutionResult:
                    try:
                        data = await result
                    except GraphQLError as error:
                        self.collected_errors.add(error, None)
                        return self.build_response(None)  # type: ignore[return-value]
                    except Exception:
                        self.run_async_work_finished_hook()
                        raise
                    return self.build_response(data)  # type: ignore[return-value]

                return await_result()
            data = result
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.build_response(None)
        return self.build_response(data)

    def execute_plan_fields(self, op: ObjectPlan, source: Any, path: Path | None) -> Any:
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        type_name = op.type_name
        try:
            for fp in op.fields:
                if fp.kind == ATTR and fp.leaf_only:
                    # The commonest field: an attribute holding a str / bool / int. Its path is
                    # built only if it is needed (an error, or a value to coerce).
                    try:
                        result = getattr(source, fp.python_name)
                        fast = fp.leaf_fast
                        if not (
                            fast is not None
                            and type(result) is fast
                            and (fast is not int or MIN_INT <= result <= MAX_INT)
                        ):
                            result = self.complete_plan_field(
                                op, fp, Path(path, fp.name, type_name), result, None
                            )
                    except Exception as raw_error:
                        self.handle_field_error(
                            raw_error, fp.return_type, fp.details, Path(path, fp.name, type_name)
                        )
                        result = None
                else:
                    result = self.execute_plan_field(op, fp, source, Path(path, fp.name, type_name))
                results[fp.name] = result
                if type(result) not in PLAIN and is_awaitable(result):
                    awaitable_fields.append(fp.name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[f] for f in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def info_for(self, fp: FieldPlan, op: ObjectPlan, path: Path) -> Any:
        return self.build_resolve_info(fp.field_def, fp.nodes, op.type, path)

    def execute_plan_field(self, op: ObjectPlan, fp: FieldPlan, source: Any, path: Path) -> Any:
        info = None
        try:
            kind = fp.kind
            if kind == ATTR:
                result = getattr(source, fp.python_name)
            elif kind == TYPENAME:
                result = op.type_name
            elif kind == METHOD:
                info = self.info_for(fp, op, path)
                kwargs: dict[str, Any] = {}
                for name in fp.parent_params:
                    kwargs[name] = source
                if fp.info_param is not None:
                    kwargs[fp.info_param] = fp.info_class(_raw_info=info, _field=fp.field)
                result = fp.func(source, **kwargs) if fp.self_param else fp.func(**kwargs)
            else:
                info = self.info_for(fp, op, path)
                resolve = fp.resolve or self.field_resolver
                first = fp.details[0]
                args = (
                    get_argument_values(
                        fp.field_def,
                        first.node,
                        self.variable_values,
                        first.fragment_variable_values,
                        self.hide_suggestions,
                    )
                    if fp.args
                    else {}
                )
                result = resolve(source, info, **args)
            return self.complete_plan_field(op, fp, path, result, info)
        except Exception as raw_error:
            self.handle_field_error(raw_error, fp.return_type, fp.details, path)
            return None

    def complete_plan_field(
        self, op: ObjectPlan, fp: FieldPlan, path: Path, result: Any, info: Any
    ) -> Any:
        """A field's resolved value, completed; errors are the caller's to handle."""
        if fp.leaf_only:
            fast = fp.leaf_fast
            if (
                fast is not None
                and type(result) is fast
                and (fast is not int or MIN_INT <= result <= MAX_INT)
            ):
                return result  # a str, bool or int: never awaitable
        if type(result) not in PLAIN and self.is_awaitable(result):
            return self.complete_plan_awaitable(fp, op, path, result, info)
        if fp.leaf_only:
            if result is None or result is Undefined or isinstance(result, Exception):
                return self.complete_plan_value(fp.type_plan, fp, op, path, path, result, info)
            return coerce_leaf(fp.leaf_plan, result)  # what complete_plan_value does for it
        completed = self.complete_plan_value(fp.type_plan, fp, op, path, path, result, info)
        if type(completed) not in PLAIN and self.is_awaitable(completed):

            async def await_completed() -> Any:
                try:
                    return await completed
                except Exception as raw_error:
                    self.handle_field_error(raw_error, fp.return_type, fp.details, path)
                    return None

            return await_completed()
        return completed

    async def complete_plan_awaitable(
        self, fp: FieldPlan, op: ObjectPlan, path: Path, result: Any, info: Any
    ) -> Any:
        try:
            resolved = await result
            completed = self.complete_plan_value(fp.type_plan, fp, op, path, path, resolved, info)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, fp.return_type, fp.details, path)
            completed = None
        return completed

    def complete_plan_value(  # noqa: PLR0911, PLR0912
        self,
        tp: TypePlan,
        fp: FieldPlan,
        op: ObjectPlan,
        field_path: Path,
        path: Path,
        result: Any,
        info: Any,
    ) -> Any:
        if isinstance(result, Exception):
            raise result
        kind = tp.kind
        if kind == NONNULL:
            completed = self.complete_plan_value(
                tp.inner,  # type: ignore[arg-type]
                fp,
                op,
                field_path,
                path,
                result,
                info,
            )
            if completed is None:
                raise TypeError(fp.null_message)
            return completed
        if result is None or result is Undefined:
            return None
        if kind == LEAF:
            fast = tp.fast
            if (
                fast is not None
                and type(result) is fast
                and (fast is not int or MIN_INT <= result <= MAX_INT)
            ):
                return result
            return coerce_leaf(tp, result)
        if kind == OBJECT:
            return self.complete_plan_object(tp, tp.type, fp, op, field_path, path, result, info)
        if kind == LIST:
            return self.complete_plan_list(tp, fp, op, field_path, path, result, info)
        # abstract
        if info is None:
            info = self.info_for(fp, op, field_path)
        return_type = tp.type
        resolve_type = return_type.resolve_type or self.type_resolver
        runtime_name = resolve_type(result, info, return_type)
        if self.is_awaitable(runtime_name):
            return self.complete_value(tp.type, fp.details, info, path, result, None)
        runtime_type = self.ensure_valid_runtime_type(
            runtime_name, return_type, fp.details, info, result
        )
        return self.complete_plan_object(tp, runtime_type, fp, op, field_path, path, result, info)

    def complete_plan_object(  # noqa: PLR0913
        self,
        tp: TypePlan,
        runtime_type: Any,
        fp: FieldPlan,
        op: ObjectPlan,
        field_path: Path,
        path: Path,
        result: Any,
        info: Any,
    ) -> Any:
        if tp.kind == OBJECT:
            is_type_of, uses_info = tp.is_type_of, tp.type_of_uses_info
        else:
            is_type_of, uses_info = runtime_type.is_type_of, _type_of_uses_info(runtime_type)
        if is_type_of is not None:
            if uses_info and info is None:
                info = self.info_for(fp, op, field_path)
            matches = is_type_of(result, info)
            if self.is_awaitable(matches):
                if info is None:
                    info = self.info_for(fp, op, field_path)
                return self.complete_object_value(
                    runtime_type, fp.details, info, path, result, None
                )
            if not matches:
                raise invalid_return_type_error(runtime_type, result, fp.details)
        return self.execute_plan_fields(self.sub_plan(tp, runtime_type, fp), result, path)

    def complete_plan_list(
        self,
        tp: TypePlan,
        fp: FieldPlan,
        op: ObjectPlan,
        field_path: Path,
        path: Path,
        result: Any,
        info: Any,
    ) -> Any:
        if self.is_async_iterable(result):
            if info is None:
                info = self.info_for(fp, op, field_path)
            return self.complete_value(tp.type, fp.details, info, path, result, None)
        if not is_iterable(result):
            msg = (
                "Expected Iterable, but did not find one for field"
                f" '{op.type}.{fp.first_node.name.value}'."
            )
            raise GraphQLError(msg)
        item_tp: TypePlan = tp.inner  # type: ignore[assignment]
        item_type = item_tp.type
        is_awaitable = self.is_awaitable
        completed_results: list[Any] = []
        append = completed_results.append
        awaitable_indices: list[int] = []
        iterator = iter(result)
        index = 0
        try:
            while True:
                try:
                    item = next(iterator)
                except StopIteration:
                    break
                item_path = Path(path, index, None)
                if type(item) not in PLAIN and is_awaitable(item):
                    append(
                        self.complete_plan_awaitable_item(
                            item_tp, fp, op, field_path, item_path, item, info
                        )
                    )
                    awaitable_indices.append(index)
                else:
                    try:
                        completed = self.complete_plan_value(
                            item_tp, fp, op, field_path, item_path, item, info
                        )
                        if type(completed) not in PLAIN and is_awaitable(completed):
                            append(self.await_plan_item(completed, item_type, fp, item_path))
                            awaitable_indices.append(index)
                        else:
                            append(completed)
                    except Exception as raw_error:
                        self.handle_field_error(raw_error, item_type, fp.details, item_path)
                        append(None)
                index += 1
        except Exception:
            pending = [completed_results[i] for i in awaitable_indices]
            if pending:
                self.settle_in_background(pending)
            raise
        if not awaitable_indices:
            return completed_results

        async def get_completed_results() -> list[Any]:
            if len(awaitable_indices) == 1:
                i = awaitable_indices[0]
                completed_results[i] = await completed_results[i]
            else:
                awaited = await gather_with_cancel(
                    *(completed_results[i] for i in awaitable_indices)
                )
                for i, value in zip(awaitable_indices, awaited, strict=True):
                    completed_results[i] = value
            return completed_results

        return get_completed_results()

    async def await_plan_item(
        self, completed: Any, item_type: Any, fp: FieldPlan, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, item_type, fp.details, path)
            return None

    async def complete_plan_awaitable_item(
        self,
        item_tp: TypePlan,
        fp: FieldPlan,
        op: ObjectPlan,
        field_path: Path,
        path: Path,
        item: Any,
        info: Any,
    ) -> Any:
        try:
            resolved = await item
            completed = self.complete_plan_value(item_tp, fp, op, field_path, path, resolved, info)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, item_tp.type, fp.details, path)
            return None
        return completed

    # -- differential --------------------------------------------------------------------------

    def reference(self) -> CompiledExecutor:
        """A fresh copy of this executor that runs graphql-core's own path."""
        other = copy(self)
        other.collected_errors = CollectedErrors()
        other._relevant_sub_fields = {}  # noqa: SLF001
        other._stream_usages = RefMap()  # noqa: SLF001
        return other

    def differential(self, plan: OperationPlan, serially: bool | None) -> Any:
        """Run the plan, then graphql-core on a fresh copy; the results must be the same bytes."""
        reference = self.reference()
        compiled = self.run_plan(plan)
        if not self.is_awaitable(compiled):
            second = super(CompiledExecutor, reference).execute_operation(serially)
            if not self.is_awaitable(second):
                return compare(compiled, second, self.operation)

            async def second_only() -> Any:
                return compare(compiled, await second, self.operation)

            return second_only()

        async def both() -> Any:
            first = await compiled
            second = super(CompiledExecutor, reference).execute_operation(serially)
            if self.is_awaitable(second):
                second = await second
            return compare(first, second, self.operation)

        return both()

    @classmethod
    def build(cls, schema: Any, document: DocumentNode, *args: Any, **kwargs: Any) -> Any:
        executor = super().build(schema, document, *args, **kwargs)
        if isinstance(executor, CompiledExecutor):
            executor.document = document
        return executor


def coerce_leaf(tp: TypePlan, result: Any) -> Any:
    """A leaf value (not None) serialised by its type, as graphql-core's complete_leaf_value."""
    coerced = tp.type.coerce_output_value(result)
    if coerced is Undefined or coerced is None:
        msg = (
            f"Expected `{inspect(tp.type)}.coerce_output_value("
            f"{inspect(result)})` to return non-nullable value, returned:"
            f" {inspect(coerced)}"
        )
        raise TypeError(msg)
    return coerced


def _document_of(executor: CompiledExecutor) -> DocumentNode | None:
    """The document the operation belongs to (graphql-core keeps the operation only)."""
    return getattr(executor, "document", None)


def formatted(result: Any) -> bytes:
    errors = [
        {
            **error.formatted,
            "original": type(error.original_error).__name__ if error.original_error else None,
        }
        for error in result.errors or ()
    ]
    return orjson.dumps({"data": result.data, "errors": errors})


def compare(compiled: Any, reference: Any, operation: OperationDefinitionNode) -> Any:
    """The compiled result when it equals graphql-core's; otherwise a loud internal error."""
    a, b = formatted(compiled), formatted(reference)
    if a == b:
        return compiled
    name = operation.name.value if operation.name else None
    MISMATCHES.append({"operation": name, "compiled": a, "graphql_core": b})
    log.error(
        "compiled execution differs from graphql-core in %s:\ncompiled: %s\ngraphql-core: %s",
        name,
        a.decode(),
        b.decode(),
    )
    return ExecutionResult(
        None,
        [
            GraphQLError(
                "Compiled execution differs from graphql-core "
                "(RENEWALS_COMPILED_EXECUTION=differential); see the log.",
                extensions={"code": "INTERNAL_SERVER_ERROR"},
            )
        ],
    )


def executor_class(mode: Mode) -> type[CompiledExecutor]:
    """An executor class for one schema: its mode and its own plan cache."""
    return type("CompiledExecutor", (CompiledExecutor,), {"mode": mode, "plans": PlanCache()})


__all__ = ["MISMATCHES", "RUNS", "CompiledExecutor", "PlanCache", "executor_class"]
