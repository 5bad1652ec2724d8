"""A request body (or query string) over the limit is refused before it is read.

With a `Content-Length` over the limit nothing of the body is read; without one (chunked), the
read stops at the first chunk that passes the limit. Either way the client gets HTTP 413 with a
GraphQL-shaped JSON body and the code `REQUEST_TOO_LARGE`, and the server's memory stays flat.
"""

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CODE = "REQUEST_TOO_LARGE"


class BodyTooLarge(Exception):
    """The body read so far passed the limit."""


def declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def refuse(send: Send, status: int, message: str) -> None:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": CODE}}]})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),  # the unread rest of the body is not waited for
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: at most `limit` bytes of body and of query string per HTTP request."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = f"The request body is larger than {self.limit} bytes."
        if len(scope.get("query_string", b"")) > self.limit:
            await refuse(send, 414, f"The query string is longer than {self.limit} bytes.")
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.limit:
            await refuse(send, 413, too_big)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await refuse(send, 413, too_big)
