"""OpenTelemetry traces, off unless OTEL_TRACES_EXPORTER names an exporter (docs/operating.md).

Off, nothing is set up and every hook is a constant: `span()` hands back one shared no-op
context manager, `current_traceparent()` is None, and the GraphQL and SQL hooks are not even
installed. On, spans cover GraphQL operations (named by operation, never with the document or
variables), SQL statements (the statement text with placeholders, never parameters), outbox
jobs (continuing the trace of the request that wrote them, via a W3C traceparent kept on the
row), SMTP sends and webhook sends (`span("webhook.send", ...)`).
"""

import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, Iterator
from importlib.metadata import entry_points
from typing import Any

log = logging.getLogger("renewals.tracing")

_tracer: Any = None  # an opentelemetry Tracer once enabled
_NOOP = contextlib.nullcontext()


def enabled() -> bool:
    return _tracer is not None


def setup_from_environment() -> bool:
    """Turns traces on if OTEL_TRACES_EXPORTER names an installed exporter (console, otlp, …)
    and OTEL_SDK_DISABLED is not true; the other OTEL_* variables configure it as usual."""
    names = [
        n.strip()
        for n in os.environ.get("OTEL_TRACES_EXPORTER", "none").split(",")
        if n.strip() and n.strip() != "none"
    ]
    if not names or os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true" or enabled():
        return enabled()
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider()  # resource from OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES
    for name in names:
        found = entry_points(group="opentelemetry_traces_exporter", name=name)
        if not found:
            log.warning(
                "OTEL_TRACES_EXPORTER=%s: no such exporter is installed (for otlp: "
                "pip install opentelemetry-exporter-otlp-proto-http)",
                name,
            )
            continue
        exporter = next(iter(found)).load()()
        provider.add_span_processor(BatchSpanProcessor(exporter))
    enable(provider)
    return True


def enable(provider: Any) -> None:
    """Traces on, into `provider` (tests pass one with an in-memory exporter)."""
    global _tracer
    from opentelemetry import trace

    if not isinstance(trace.get_tracer_provider(), type(provider)):
        with contextlib.suppress(Exception):
            trace.set_tracer_provider(provider)
    _tracer = provider.get_tracer("renewals")


def disable() -> None:
    global _tracer
    _tracer = None


def tracer() -> Any:
    return _tracer


def span(name: str, **attributes: Any) -> contextlib.AbstractContextManager[Any]:
    """A span around a block (`with tracing.span("webhook.send", url_host=...)`); a shared no-op
    when traces are off. Attributes must carry no personal data (no addresses, no bodies)."""
    if _tracer is None:
        return _NOOP
    return _tracer.start_as_current_span(name, attributes=attributes or None)


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span, to keep on an outbox row; None when off."""
    if _tracer is None:
        return None
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    return carrier.get("traceparent")


@contextlib.contextmanager
def _continued(name: str, traceparent: str | None, attributes: dict[str, Any]) -> Iterator[Any]:
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    parent = (
        TraceContextTextMapPropagator().extract({"traceparent": traceparent})
        if traceparent
        else None
    )
    with _tracer.start_as_current_span(name, context=parent, attributes=attributes) as s:
        yield s


Handler = Callable[..., Awaitable[None]]


def traced_job(kind: str, handler: Handler, traceparent: str | None) -> Handler:
    """An outbox job handler that, when traces are on, runs in a span continuing the trace of
    the request that wrote the job (the W3C traceparent kept on the job row)."""
    if _tracer is None:
        return handler

    async def run(*args: Any) -> None:
        with _continued(f"job {kind}", traceparent, {"job.kind": kind}):
            await handler(*args)

    return run


def instrument_engine(engine: Any) -> None:
    """A span per SQL statement inside an operation's or a job's span (the statement with its
    placeholders; never the parameters)."""
    if _tracer is None:
        return
    from opentelemetry.trace import get_current_span
    from sqlalchemy import event

    sync = engine.sync_engine
    dialect = sync.dialect.name

    @event.listens_for(sync, "before_cursor_execute")
    def before(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: Any
    ) -> None:
        if _tracer is None or not get_current_span().get_span_context().is_valid:
            return  # off since (tests), or outside any operation or job: the worker's polling
        s = _tracer.start_span(
            statement.split(None, 1)[0].upper() if statement else "SQL",
            attributes={"db.system": dialect, "db.statement": statement[:2000]},
        )
        conn.info.setdefault("renewals_spans", []).append(s)

    @event.listens_for(sync, "after_cursor_execute")
    def after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: Any) -> None:
        spans = conn.info.get("renewals_spans")
        if spans:
            spans.pop().end()

    @event.listens_for(sync, "handle_error")
    def failed(context: Any) -> None:
        spans = context.connection.info.get("renewals_spans") if context.connection else None
        if spans:
            s = spans.pop()
            s.set_attribute("error", True)
            s.end()
