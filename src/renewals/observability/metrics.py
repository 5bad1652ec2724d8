"""Prometheus metrics at /metrics (docs/operating.md).

Two kinds:
- counters, histograms and live gauges kept by each process. `renewals serve --workers N` sets
  PROMETHEUS_MULTIPROC_DIR (a fresh directory) before the workers start, so prometheus-client
  keeps them in shared files and any worker answers for all of them;
- gauges read from the database at scrape time (outbox depth and age, quotes by status): the
  same answer from every worker, whatever it holds in memory.

Labels carry no personal data: operation names are bounded (`operation_label`), mutation names
and codes come from the schema.
"""

import os
import re
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
disable_created_metrics()  # no `_created` series: a start time per label set helps nobody here
REGISTRY = CollectorRegistry(auto_describe=True)

OPERATIONS = Counter(
    "renewals_graphql_operations_total",
    "GraphQL operations by operation name, type and outcome (ok, user_error, error, refused).",
    ["operation", "type", "outcome"],
    registry=REGISTRY,
)
DURATION = Histogram(
    "renewals_graphql_operation_duration_seconds",
    "Time from parsing to the result of a GraphQL operation, by operation name and type.",
    ["operation", "type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
REFUSALS = Counter(
    "renewals_graphql_refusals_total",
    "Refusals by root field (mutation) and code: `userErrors[].code` (kind=user_error) and "
    "`errors[].extensions.code` (kind=error).",
    ["field", "kind", "code"],
    registry=REGISTRY,
)
WS_CONNECTIONS = Gauge(
    "renewals_websocket_connections",
    "Open WebSocket connections on /graphql.",
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
SUBSCRIPTIONS = Gauge(
    "renewals_graphql_active_subscriptions",
    "Subscriptions running now.",
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
EVENTS_PUBLISHED = Counter(
    "renewals_events_published_total",
    "Status events fanned out to this process's subscribers (once per process that has them).",
    registry=REGISTRY,
)
EVENTS_DELIVERED = Counter(
    "renewals_events_delivered_total",
    "Subscription results sent to clients.",
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "renewals_job_runs_total",
    "Outbox jobs and scheduled job rounds run, by kind and outcome (ok, error).",
    ["kind", "outcome"],
    registry=REGISTRY,
)
JOB_DURATION = Histogram(
    "renewals_job_duration_seconds",
    "Duration of outbox jobs and scheduled job rounds, by kind.",
    ["kind"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
    registry=REGISTRY,
)
POOL_IN_USE = Gauge(
    "renewals_db_pool_connections_in_use",
    "Database connections checked out of the pools, by engine (read, write).",
    ["engine"],
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
POOL_CAPACITY = Gauge(
    "renewals_db_pool_capacity",
    "Connections the pools may open (pool size plus overflow), by engine.",
    ["engine"],
    multiprocess_mode="livesum",
    registry=REGISTRY,
)

# --- operation names: client-chosen strings, so bounded -------------------------------------

MAX_NAME = 64
MAX_NAMES = 200  # distinct names per process; later ones count as "other"
_SAFE = re.compile(r"[^A-Za-z0-9_]")
_names: set[str] = set()


def operation_label(name: str | None, *, validated: bool) -> str:
    """The label for an operation name: only names of operations that passed validation, cut to
    64 characters of [A-Za-z0-9_], at most 200 distinct per process, else "other"."""
    if not validated:
        return "(refused)"
    if not name:
        return "(anonymous)"
    label = _SAFE.sub("_", name[:MAX_NAME])
    if label in _names:
        return label
    if len(_names) >= MAX_NAMES:
        return "other"
    _names.add(label)
    return label


def observe_operation(name: str, kind: str, outcome: str, seconds: float) -> None:
    OPERATIONS.labels(name, kind, outcome).inc()
    DURATION.labels(name, kind).observe(seconds)


def refusal(field: str, kind: str, code: str) -> None:
    REFUSALS.labels(field, kind, code[:MAX_NAME]).inc()


def ws_connected() -> None:
    WS_CONNECTIONS.inc()


def ws_disconnected() -> None:
    WS_CONNECTIONS.dec()


def subscription_started() -> None:
    SUBSCRIPTIONS.inc()


def subscription_ended() -> None:
    SUBSCRIPTIONS.dec()


def events_published(count: int) -> None:
    EVENTS_PUBLISHED.inc(count)


def event_delivered() -> None:
    EVENTS_DELIVERED.inc()


def job_ran(kind: str, outcome: str, seconds: float) -> None:
    JOB_RUNS.labels(kind, outcome).inc()
    JOB_DURATION.labels(kind).observe(seconds)


Handler = Callable[..., Awaitable[None]]


def timed_job(kind: str, handler: Handler, traceparent: str | None = None) -> Handler:
    """The outbox job handler, counted and timed, and traced when traces are on (continuing the
    trace of the request that wrote the job: `traceparent`, kept on the row)."""
    from renewals.observability import tracing

    async def run(*args: Any) -> None:
        start = time.perf_counter()
        outcome = "error"
        try:
            await handler(*args)
            outcome = "ok"
        finally:
            job_ran(kind, outcome, time.perf_counter() - start)

    return tracing.traced_job(kind, run, traceparent)


def watch_pool(engine: AsyncEngine, name: str, capacity: int) -> None:
    """Counts checkouts and checkins of an engine's pool (cheap: one shared-memory add)."""
    from sqlalchemy import event

    gauge = POOL_IN_USE.labels(name)
    POOL_CAPACITY.labels(name).set(capacity)
    event.listen(engine.sync_engine, "checkout", lambda *_: gauge.inc())
    event.listen(engine.sync_engine, "checkin", lambda *_: gauge.dec())


# --- gauges read from the database at scrape time -------------------------------------------


@dataclass(frozen=True)
class Outbox:
    """An outbox table: rows still to be handled and the creation time of the oldest."""

    name: str
    query: str  # selects (count, oldest created_at) of the rows not yet handled


#: One line per outbox; another table (webhook deliveries) adds its own.
OUTBOXES: list[Outbox] = [
    Outbox("jobs", "SELECT count(*), min(created_at) FROM outbox_jobs WHERE status = 'PENDING'"),
    Outbox(
        "emails",
        "SELECT count(*), min(created_at) FROM emails WHERE status IN ('PENDING', 'SENDING')",
    ),
    Outbox(
        "webhooks",
        "SELECT count(*), min(created_at) FROM webhook_deliveries WHERE status = 'PENDING'",
    ),
]
QUOTES_BY_STATUS = "SELECT status, count(*) FROM quotes GROUP BY status"


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))  # SQLite's min() gives text


async def database_families(engine: AsyncEngine, now: datetime) -> list[Metric]:
    """Outbox depth and oldest age, quotes by status: as the database says now."""
    depth = GaugeMetricFamily(
        "renewals_outbox_depth", "Outbox rows not yet handled, by outbox.", labels=["outbox"]
    )
    age = GaugeMetricFamily(
        "renewals_outbox_oldest_age_seconds",
        "Age of the oldest outbox row not yet handled (0 when none), by outbox.",
        labels=["outbox"],
    )
    quotes = GaugeMetricFamily(
        "renewals_quotes",
        "Quotes by status (FINALIZING ones are waiting for the worker).",
        labels=["status"],
    )
    async with engine.connect() as conn:
        for box in OUTBOXES:
            count, oldest = (await conn.execute(text(box.query))).one()
            oldest = _as_datetime(oldest)
            depth.add_metric([box.name], count or 0)
            age.add_metric([box.name], max((now - oldest).total_seconds(), 0) if oldest else 0)
        for status, count in (await conn.execute(text(QUOTES_BY_STATUS))).all():
            quotes.add_metric([str(status)], count)
    return [depth, age, quotes]


class _Families:
    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        yield from self.families


def render(families: list[Metric]) -> tuple[bytes, str]:
    """The exposition: this process's metrics, or every worker's in multiprocess mode, plus the
    families read from the database."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry) + generate_latest(_registry_of(families))
    return body, CONTENT_TYPE_LATEST


def _registry_of(families: list[Metric]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(families))
    return registry


def prepare_multiprocess_dir(path: Path) -> None:
    """Before the workers start: an empty directory for their shared metric files."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(path)


def process_exiting() -> None:
    """A worker stops: its live gauges (connections, subscriptions, pool) stop counting."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(os.getpid())
