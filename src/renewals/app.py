"""The ASGI app: GraphQL (HTTP + WebSocket) and GraphiQL on /graphql, /checkout, /healthz,
/quotes/<number>.pdf."""

import asyncio
import contextlib
import hmac
import logging
import os
import re
import time as clock
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.types.execution import ExecutionResult, PreExecutionError

from renewals.api.core.context import ApiCaches, Context
from renewals.api.core.socket_limits import SocketLimits
from renewals.api.core.websocket import (
    LegacyGraphQLWSHandler,
    TextFrameWebSocket,
    TransportWSHandler,
    admit_connection,
    release_socket,
)
from renewals.api.schema import build_schema
from renewals.config import Settings
from renewals.container import Container, build_container
from renewals.observability import logs, metrics, tracing
from renewals.observability.graphql import Observe
from renewals.services.health import check_health
from renewals.services.jobs import run_scheduled_jobs
from renewals.services.pg_listener import PgListener
from renewals.services.webhook_delivery import webhook_loop
from renewals.services.worker import worker_loop
from renewals.web import checkout, quote_pdf, spa
from renewals.web.graphiql import graphiql_html
from renewals.web.persisted import PersistedQueries, PersistedQueryError
from renewals.web.request_limits import BodyLimit

log = logging.getLogger("renewals.app")


class RedactTokens(logging.Filter):
    """The access log never shows checkout tokens (they are in the link's query string)."""

    pattern = re.compile(r"(token=)[^&\s]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self.pattern.sub(r"\1[redacted]", a) if isinstance(a, str) else a
                for a in record.args
            )
        return True


def redact_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactTokens) for f in access.filters):
        access.addFilter(RedactTokens())


def error_response(message: str, code: str, status: int) -> Response:
    body = {"errors": [{"message": message, "extensions": with_request_id({"code": code})}]}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def with_request_id(extensions: dict[str, Any]) -> dict[str, Any]:
    """An error's extensions with the request's id (the X-Request-Id header) added."""
    request_id = logs.current_request_id()
    return {**extensions, "requestId": request_id} if request_id else extensions


class RenewalsGraphQL(GraphQL):
    """Strawberry's ASGI view with our context, orjson and GraphiQL."""

    websocket_adapter_class = TextFrameWebSocket
    graphql_ws_handler_class = LegacyGraphQLWSHandler
    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(self, container: Container, **kwargs: Any) -> None:
        settings = container.settings
        # Our caps replace Strawberry's per-socket one (an error per operation, no close code).
        super().__init__(build_schema(settings), max_subscriptions_per_connection=None, **kwargs)
        if settings.metrics or settings.log_format == "json" or tracing.enabled():
            # Outermost, so it sees the codes ErrorCodes gives on the way out.
            self.schema.extensions = (Observe, *self.schema.extensions)  # type: ignore[attr-defined]
        self.count_sockets = settings.metrics
        self.container = container
        self.socket_limits = SocketLimits.of(settings)
        self.persisted = PersistedQueries(
            max_bytes=settings.persisted_max_bytes,
            max_document_bytes=settings.persisted_max_document_bytes,
        )
        self.caches = ApiCaches()
        self._ide = graphiql_html()

    async def get_context(  # type: ignore[override]  # Strawberry's base types the context loosely
        self, request: Request | WebSocket, response: Any
    ) -> Context:
        # WebSocket: the token comes from connection_init only (see api/core/websocket.py).
        return Context(
            self.container,
            self.caches,
            request=request,
            response=response,
            authorization=None
            if isinstance(request, WebSocket)
            else request.headers.get("authorization"),
        )

    async def on_ws_connect(  # type: ignore[override]  # the base returns an ack payload or UNSET
        self, context: Context
    ) -> None:
        """Refuses a connection_init without a valid bearer token (4403 / connection_error),
        or past the token's share of sockets (4429)."""
        context.authenticated(
            admit_connection(
                self.container.secret_key,
                context.connection_params,
                self.socket_limits,
                context.request.scope,
            )
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Refusals before execution (mutation over GET, wrong content type, malformed JSON,
        a subscription over plain HTTP) answer as GraphQL errors with a code, not plain text."""
        if scope["type"] != "http":
            if self.count_sockets:
                metrics.ws_connected()
            try:
                await super().__call__(scope, receive, send)
            finally:  # the socket no longer counts against its token
                release_socket(self.socket_limits, scope)
                if self.count_sockets:
                    metrics.ws_disconnected()
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as e:
            response = error_response(e.reason, "BAD_REQUEST", e.status_code)
        except PersistedQueryError as e:
            response = error_response(str(e), e.code, 200)  # Apollo clients expect 200 here
        await response(scope, receive, send)

    def should_render_graphql_ide(self, request: Any) -> bool:
        """A GET carrying only a persisted-query hash is an operation, not a visit to GraphiQL."""
        return "extensions" not in request.query_params and super().should_render_graphql_ide(
            request
        )

    async def parse_http_body(self, request: Any) -> Any:
        """Refuses a JSON body that is not an object; fills in the document of an automatic
        persisted query (APQ)."""
        # `null`, `"text"` or `[...]` once raised inside Strawberry (HTTP 500, a traceback).
        json_post = request.method == "POST" and "application/json" in (request.content_type or "")
        if json_post and (await request.get_body()).lstrip()[:1] != b"{":
            raise HTTPException(400, "The request body must be a JSON object.")
        data = await super().parse_http_body(request)
        if isinstance(data, list):
            for item in data:
                item.query = self.persisted.resolve(item.query, item.extensions)
        else:
            data.query = self.persisted.resolve(data.query, data.extensions)
        return data

    async def execute_operation(
        self, request: Any, request_adapter: Any, request_data: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """Runs the operation; an APQ document is stored only once it passed parsing,
        validation and the limits (a refused one never takes room in the store)."""
        result = await super().execute_operation(
            request, request_adapter, request_data, *args, **kwargs
        )
        if isinstance(result, ExecutionResult) and not isinstance(result, PreExecutionError):
            self.persisted.register(request_data.query, request_data.extensions)
        return result

    async def process_result(self, request: Any, result: ExecutionResult) -> Any:
        """Each error carries the request id in `extensions.requestId` (not userErrors)."""
        response: dict[str, Any] = dict(await super().process_result(request, result))
        if response.get("errors") and logs.current_request_id():
            response["errors"] = [
                {**error, "extensions": with_request_id(error.get("extensions") or {})}
                for error in response["errors"]
            ]
        return response

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._ide)


async def healthz(request: Request) -> JSONResponse:
    """Liveness and readiness: the database accepts a write and, on PostgreSQL, the listener
    listens; the mail backlog is reported (it does not make the process unready)."""
    container: Container = request.app.state.container
    health = await check_health(container)
    listener = getattr(request.app.state, "listener", None)
    if container.db.feed.polls_history:
        listener_state = "not used (SQLite: in-process events)"
    else:
        listener_state = "not started" if listener is None else listener.state
    listening = container.db.feed.polls_history or listener_state == "listening"
    ready = health.ok and listening
    body = {
        "status": "ok" if ready else "unavailable",
        "database": health.database,
        "listener": listener_state,
        "mail": {
            "unsent": health.unsent_emails,
            "oldest_unsent_age_seconds": health.oldest_unsent_age_seconds,
        },
    }
    return JSONResponse(body, status_code=200 if ready else 503)


async def metrics_page(request: Request) -> Response:
    """Prometheus text format (docs/operating.md); a bearer token if RENEWALS_METRICS_TOKEN."""
    container: Container = request.app.state.container
    expected = container.settings.metrics_token
    if expected:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
            return Response(
                "a bearer token is needed\n",
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
                media_type="text/plain",
            )
    families = await metrics.database_families(
        container.db.read_engine, container.clock.now().replace(tzinfo=None)
    )
    body, content_type = metrics.render(families)
    return Response(body, media_type=content_type)


def seconds_until(at: time, now: datetime) -> float:
    """Seconds from `now` (UTC) to the next `at` o'clock UTC."""
    target = datetime.combine(now.date(), at, tzinfo=UTC)
    if target <= now:
        target += timedelta(days=1)
    return (target - now).total_seconds()


async def scheduler(container: Container, stop: asyncio.Event) -> None:
    """Runs the date-driven jobs once per business date: as soon as the business date changes
    while serving (00:00 UTC with the real clock), daily at RENEWALS_JOBS_AT (UTC) for a server
    that was down when the date changed, and at start-up if RENEWALS_JOBS_ON_START.

    Not at start-up by default: a restart must not surprise clients with automatic quotes. The
    jobs are idempotent and claimed once per business date across servers, so `renewals jobs
    run` can always be run by hand as well.
    """
    settings = container.settings
    seen = container.clock.today()
    next_at = datetime.now(UTC) + timedelta(
        seconds=seconds_until(settings.jobs_at, datetime.now(UTC))
    )
    due = settings.jobs_on_start
    while not stop.is_set():
        if not due:
            wait = min(settings.jobs_check_seconds, (next_at - datetime.now(UTC)).total_seconds())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=max(wait, 0))
            if stop.is_set():
                return
            if datetime.now(UTC) >= next_at:
                due = True
                next_at += timedelta(days=1)
            if container.clock.today() != seen:
                due = True
            if not due:
                continue
        due, seen = False, container.clock.today()
        start, outcome = clock.perf_counter(), "error"
        try:
            with tracing.span("jobs.scheduled"):
                report = await run_scheduled_jobs(container, runner=f"serve:{os.getpid()}")
            container.wake_worker()
            outcome = "ok"
            log.info("jobs for %s: %s", seen, report or "already run for this business date")
        except Exception:  # noqa: BLE001
            log.exception("scheduled jobs failed")
        finally:
            metrics.job_ran("scheduled_jobs", outcome, clock.perf_counter() - start)


def create_app(
    settings: Settings | None = None,
    *,
    container: Container | None = None,
    background: bool = True,
) -> Starlette:
    """`background=False` leaves the worker and scheduler to the caller (tests drive them)."""
    settings = settings or (container.settings if container else Settings())
    container = container or build_container(settings)
    observe(container)
    graphql = RenewalsGraphQL(
        container,
        keep_alive=True,
        keep_alive_interval=15,
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks = []
        if not container.db.feed.polls_history:
            app.state.listener = PgListener(container)
            tasks.append(asyncio.create_task(app.state.listener.run(stop)))
        if background:
            tasks += [
                asyncio.create_task(worker_loop(container, stop)),
                asyncio.create_task(scheduler(container, stop)),
                asyncio.create_task(webhook_loop(container, stop)),
            ]
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await container.close()
            metrics.process_exiting()

    metrics_routes = [Route("/metrics", metrics_page, methods=["GET"])] if settings.metrics else []
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            *metrics_routes,
            Route("/checkout", checkout.show, methods=["GET"]),
            Route("/checkout", checkout.accept, methods=["POST"]),
            Route("/checkout/done", checkout.done, methods=["GET"]),
            Route("/quotes/{number}.pdf", quote_pdf.download, methods=["GET"]),
            Route("/app", spa.index, methods=["GET", "HEAD"]),
            Mount("/app", app=spa.AppFiles()),
            Mount("/static", app=StaticFiles(directory=spa.STATIC, check_dir=False), name="static"),
        ],
        middleware=[
            Middleware(logs.RequestIds, log_requests=settings.log_format == "json"),
            Middleware(BodyLimit, limit=settings.max_body_bytes),
        ],
        lifespan=lifespan,
    )
    app.state.container = container
    app.state.listener = None
    redact_access_log()
    return app


def observe(container: Container) -> None:
    """Traces (if OTEL_TRACES_EXPORTER says so) and pool metrics for this container's engines."""
    settings = container.settings
    tracing.setup_from_environment()
    db = container.db
    engines = {"read": db.read_engine, "write": db.write_engine}
    for name, engine in engines.items():
        if name == "write" and engine is db.read_engine:
            continue
        tracing.instrument_engine(engine)
        if settings.metrics:
            pool = engine.pool
            size = getattr(pool, "size", lambda: 0)() + max(getattr(pool, "_max_overflow", 0), 0)
            metrics.watch_pool(engine, name, size)


def app_from_environment() -> Starlette:
    """The factory each `renewals serve --workers N` process calls (settings from RENEWALS_*)."""
    settings = Settings()
    logs.configure(settings.log_level, json=settings.log_format == "json")
    return create_app(settings)
