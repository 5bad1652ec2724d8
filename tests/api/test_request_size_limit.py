"""A body over RENEWALS_MAX_BODY_BYTES is refused before it is read (B3: a 20 MB body was parsed
and blocked the event loop). bench/body_limit.py measures the server's memory with real bodies."""

import logging

import httpx
import pytest

from renewals.app import create_app
from tests.helpers import without_cost

LIMIT = 256 * 1024
TOO_LARGE = {
    "errors": [
        {
            "message": f"The request body is larger than {LIMIT} bytes.",
            "extensions": {"code": "REQUEST_TOO_LARGE"},
        }
    ]
}


def comment_query(size: int) -> bytes:
    """A valid JSON operation of `size` bytes, padded with a GraphQL comment."""
    head, tail = b'{"query": "#', b'\\n{ __typename }"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


class EndlessBody:
    """An ASGI receive sending 64 KB chunks (chunked, no Content-Length) up to 4 MB, a body that
    only ends so that a server without the limit fails the test instead of reading for ever."""

    def __init__(self, chunk: int = 64 * 1024, total: int = 4 * 1024 * 1024) -> None:
        self.chunk = chunk
        self.total = total
        self.read = 0

    async def __call__(self) -> dict:
        if self.read >= self.total:
            return {"type": "http.disconnect"}
        self.read += self.chunk
        more = self.read < self.total
        return {"type": "http.request", "body": b"{" + b" " * (self.chunk - 1), "more_body": more}


async def call(app, headers: list[tuple[bytes, bytes]], receive) -> tuple[int, bytes]:
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1234),
        "state": {},
    }
    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def test_a_body_just_under_the_limit_runs(client, container):
    response = await client.post(
        "/graphql", content=comment_query(LIMIT), headers={"Content-Type": "application/json"}
    )
    assert without_cost(response.json()) == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("size", [LIMIT + 1, 20 * 1024 * 1024])
async def test_a_body_over_the_limit_is_refused(client, container, size, caplog):
    with caplog.at_level(logging.INFO):
        response = await client.post(
            "/graphql", content=comment_query(size), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert without_cost(response.json()) == TOO_LARGE
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_declared_length_over_the_limit_reads_nothing(container):
    body = EndlessBody()
    app = create_app(container=container, background=False)
    status, text = await call(app, [(b"content-length", b"20971520")], body)
    assert (status, body.read) == (413, 0)
    assert b"REQUEST_TOO_LARGE" in text


async def test_a_chunked_body_is_read_no_further_than_the_limit(container):
    body = EndlessBody()
    app = create_app(container=container, background=False)
    status, text = await call(app, [(b"transfer-encoding", b"chunked")], body)
    assert status == 413
    assert LIMIT < body.read <= LIMIT + body.chunk
    assert b"REQUEST_TOO_LARGE" in text


async def test_a_lying_content_length_is_stopped_at_the_limit(container):
    body = EndlessBody()
    app = create_app(container=container, background=False)
    status, _ = await call(app, [(b"content-length", b"100")], body)
    assert status == 413
    assert body.read <= LIMIT + body.chunk


async def test_the_checkout_form_is_limited_too(client, container):
    response = await client.post(
        "/checkout",
        content=b"token=" + b"x" * LIMIT,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


@pytest.fixture
async def small(container):
    """A client of an app whose limit is 2048 bytes."""
    settings = container.settings.model_copy(update={"max_body_bytes": 2048})
    app = create_app(settings, container=container, background=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_the_limit_is_configurable(small):
    response = await small.post(
        "/graphql", content=comment_query(4096), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert without_cost(response.json())["errors"][0]["message"] == (
        "The request body is larger than 2048 bytes."
    )


async def test_a_query_string_over_the_limit_is_refused(small):
    response = await small.get("/graphql", params={"query": "#" + "x" * 4096 + "\n{ viewer }"})
    assert response.status_code == 414
    assert without_cost(response.json()) == {
        "errors": [
            {
                "message": "The query string is longer than 2048 bytes.",
                "extensions": {"code": "REQUEST_TOO_LARGE"},
            }
        ]
    }
