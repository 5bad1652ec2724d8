"""Logging: quiet commands, a request id per request, one JSON line per request on demand.

`RENEWALS_LOG_FORMAT=json` makes every log line a JSON object and adds one line per HTTP
request (request id, viewer role, operation name, duration, outcome, status); the default
plain text leaves the request lines to uvicorn's access log.
"""

import contextvars
import logging
import random
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

request_log = logging.getLogger("renewals.request")
HEADER = b"x-request-id"
_SANE = re.compile(r"^[A-Za-z0-9._:\-]{8,64}$")
_TOKEN = re.compile(r"(token=)[^&\s\"]+")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-]+")
# Libraries whose INFO lines tell a command's user nothing (alembic: eight lines per upgrade;
# fontTools: some 75 per quote PDF).
CHATTY = ("alembic", "fontTools")


@dataclass
class RequestInfo:
    """What the GraphQL layer learns about the request it is serving, for its log line."""

    request_id: str
    operation: str | None = None
    role: str | None = None
    outcome: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


CURRENT: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "renewals_request", default=None
)


def current() -> RequestInfo | None:
    return CURRENT.get()


def current_request_id() -> str | None:
    info = CURRENT.get()
    return info.request_id if info else None


def request_id_from(raw: bytes | None) -> str:
    """An incoming X-Request-Id if it is a sane token (8-64 of [A-Za-z0-9._:-]), else a new one."""
    if raw:
        with_text = raw.decode("latin-1")
        if _SANE.match(with_text):
            return with_text
    # 128 random bits as 32 hex digits, like uuid4().hex, from the random module: os.urandom
    # (uuid4) releases the GIL on every request, and the database threads then take it.
    return f"{random.getrandbits(128):032x}"


def redact(text: str) -> str:
    return _BEARER.sub(r"\1[redacted]", _TOKEN.sub(r"\1[redacted]", text))


class RequestIds:
    """ASGI middleware: a request id per HTTP request and WebSocket (X-Request-Id in, and out on
    every HTTP response); with `log_requests`, one log line per HTTP request when it ends."""

    def __init__(self, app: Any, log_requests: bool = False) -> None:
        self.app = app
        self.log_requests = log_requests

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = next((v for k, v in scope.get("headers", ()) if k == HEADER), None)
        info = RequestInfo(request_id_from(incoming))
        token = CURRENT.set(info)
        if scope["type"] == "websocket":
            try:
                await self.app(scope, receive, send)
            finally:
                CURRENT.reset(token)
            return
        status = 500
        header = (HEADER, info.request_id.encode())

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            CURRENT.reset(token)
            if self.log_requests:
                _log_request(scope, info, status, time.perf_counter() - start)


def _log_request(scope: Any, info: RequestInfo, status: int, seconds: float) -> None:
    fields: dict[str, Any] = {
        "request_id": info.request_id,
        "method": scope.get("method"),
        "path": scope.get("path"),  # never the query string (checkout tokens)
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
    }
    if info.operation is not None:
        fields |= {"operation": info.operation, "outcome": info.outcome, "role": info.role}
    request_log.info("request", extra={"fields": fields | info.extra})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        line |= getattr(record, "fields", None) or {}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        request_id = current_request_id()
        if request_id and "request_id" not in line:
            line["request_id"] = request_id
        return orjson.dumps(line, default=str).decode()


def configure(level: str = "INFO", *, json: bool = False) -> None:
    """The process's logging: to stderr, plain or JSON; chatty libraries only warn."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if json else logging.Formatter("%(levelname)s:%(name)s:%(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    quiet = root.level if root.level <= logging.DEBUG else max(logging.WARNING, root.level)
    for name in CHATTY:  # at DEBUG they speak again
        logging.getLogger(name).setLevel(quiet)
