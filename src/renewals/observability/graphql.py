"""The Strawberry extension that feeds metrics, the request log line and (when on) traces.

It is the outermost extension (first in the list), so on the way out it sees the codes
ErrorCodes gave. It records bounded operation names only (metrics.operation_label), never the
document, its literals or the variables.
"""

import time
from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension

from renewals.observability import logs, metrics, tracing


class Observe(SchemaExtension):
    """Operations by name and outcome, their latency, refusal codes, live subscriptions and
    delivered events; the operation's span when traces are on."""

    def on_operation(self) -> Iterator[None]:
        start = time.perf_counter()
        self._subscription = False
        span, detach = _start_span(self.execution_context) if tracing.enabled() else (None, None)
        raised: GraphQLError | None = None
        try:
            yield
        except GraphQLError as error:  # a refusal raised before execution (parse error)
            raised = error
            raise
        finally:
            if self._subscription:
                metrics.subscription_ended()
            outcome, label, kind = self._record(raised, time.perf_counter() - start)
            if span is not None:
                _end_span(span, detach, label, kind, outcome)

    def on_execute(self) -> Iterator[None]:
        if _operation_type(self.execution_context) == "subscription":
            self._subscription = True
            metrics.subscription_started()
        yield

    def on_stream_result(self, result: Any) -> Iterator[None]:
        if self._subscription and not getattr(result, "errors", None):
            metrics.event_delivered()
        yield

    def _record(self, raised: GraphQLError | None, seconds: float) -> tuple[str, str, str]:
        context = self.execution_context
        pre = getattr(context, "pre_execution_errors", None)
        validated = raised is None and context.graphql_document is not None and not pre
        kind = _operation_type(context) if validated else "unknown"
        label = metrics.operation_label(_operation_name(context), validated=validated)
        result = context.result
        errors = (
            [raised] if raised else list(pre or ()) or list(getattr(result, "errors", None) or ())
        )
        fields = _root_fields(context) if validated else {}
        user_errors = (
            _user_error_codes(context, getattr(result, "data", None)) if kind == "mutation" else []
        )
        for field, code in user_errors:
            metrics.refusal(field, "user_error", code)
        for error in errors:
            root = error.path[0] if error.path else None
            code = str((error.extensions or {}).get("code", "UNKNOWN"))
            metrics.refusal(fields.get(str(root), "(operation)"), "error", code)
        if not validated:
            outcome = "refused"
        elif errors:
            outcome = "error"
        elif user_errors:
            outcome = "user_error"
        else:
            outcome = "ok"
        if not self._subscription:  # a subscription's lifetime is no latency
            metrics.observe_operation(label, kind, outcome, seconds)
        else:
            metrics.OPERATIONS.labels(label, kind, outcome).inc()
        info = logs.current()
        if info is not None:
            info.operation, info.outcome = label, outcome
            viewer = getattr(context.context, "_viewer", None)  # set once the token was read
            info.role = getattr(viewer.role, "value", str(viewer.role)) if viewer else None
        return outcome, label, kind


def _operation_type(context: Any) -> str:
    try:
        return str(context.operation_type.value)
    except Exception:  # noqa: BLE001 - no document, or no such operation
        return "unknown"


def _operation_name(context: Any) -> str | None:
    try:
        return context.operation_name
    except Exception:  # noqa: BLE001
        return None


def _operation(context: Any) -> OperationDefinitionNode | None:
    document = context.graphql_document
    if document is None:
        return None
    name = _operation_name(context)
    for d in document.definitions:
        if isinstance(d, OperationDefinitionNode) and (
            name is None or (d.name and d.name.value == name)
        ):
            return d
    return None


def _fields(
    selection_set: SelectionSetNode | None, fragments: dict[str, Any]
) -> Iterator[FieldNode]:
    """The fields of a selection set, through inline fragments and fragment spreads."""
    if selection_set is None:
        return
    for s in selection_set.selections:
        if isinstance(s, FieldNode):
            yield s
        elif isinstance(s, InlineFragmentNode):
            yield from _fields(s.selection_set, fragments)
        elif isinstance(s, FragmentSpreadNode) and s.name.value in fragments:
            yield from _fields(fragments[s.name.value].selection_set, fragments)


def _fragments(context: Any) -> dict[str, FragmentDefinitionNode]:
    return {
        d.name.value: d
        for d in context.graphql_document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }


def _root_fields(context: Any) -> dict[str, str]:
    """Response key (alias or name) → schema field name of the operation's root fields."""
    operation = _operation(context)
    if operation is None:
        return {}
    return {
        (f.alias or f.name).value: f.name.value
        for f in _fields(operation.selection_set, _fragments(context))
    }


def _user_error_codes(context: Any, data: Any) -> list[tuple[str, str]]:
    """(mutation, code) of every `userErrors` item in a mutation's answer; "UNSELECTED" when
    the client did not ask for `code`."""
    operation = _operation(context)
    if operation is None or not isinstance(data, dict):
        return []
    fragments = _fragments(context)
    found = []
    for root in _fields(operation.selection_set, fragments):
        payload = data.get((root.alias or root.name).value)
        if not isinstance(payload, dict):
            continue
        for sub in _fields(root.selection_set, fragments):
            if sub.name.value != "userErrors":
                continue
            code_keys = [
                (c.alias or c.name).value
                for c in _fields(sub.selection_set, fragments)
                if c.name.value == "code"
            ]
            for item in payload.get((sub.alias or sub.name).value) or ():
                code = item.get(code_keys[0]) if code_keys and isinstance(item, dict) else None
                found.append((root.name.value, str(code or "UNSELECTED")))
    return found


def _start_span(context: Any) -> tuple[Any, Any]:
    from opentelemetry import context as otel_context
    from opentelemetry import trace
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    request = getattr(context.context, "request", None)
    headers = getattr(request, "headers", None)
    parent = None
    if headers is not None and headers.get("traceparent"):
        parent = TraceContextTextMapPropagator().extract({"traceparent": headers["traceparent"]})
    span = tracing.tracer().start_span("graphql", context=parent, kind=trace.SpanKind.SERVER)
    request_id = logs.current_request_id()
    if request_id:
        span.set_attribute("renewals.request_id", request_id)
    token = otel_context.attach(trace.set_span_in_context(span))
    return span, token


def _end_span(span: Any, token: Any, label: str, kind: str, outcome: str) -> None:
    from opentelemetry import context as otel_context
    from opentelemetry.trace import Status, StatusCode

    span.update_name(f"graphql {kind} {label}")
    span.set_attribute("graphql.operation.name", label)
    span.set_attribute("graphql.operation.type", kind)
    span.set_attribute("renewals.outcome", outcome)
    if outcome in ("error", "refused"):
        span.set_status(Status(StatusCode.ERROR))
    otel_context.detach(token)
    span.end()
