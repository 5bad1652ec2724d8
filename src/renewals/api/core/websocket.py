"""GraphQL over WebSocket as real clients expect it: JSON text frames, authentication at
`connection_init`, and an init timeout on both subprotocols.

- Every message is a JSON *text* frame (graphql-transport-ws and graphql-ws both say so; Apollo,
  urql, graphql-ws and Python `gql` reject binary frames).
- One token rule on both subprotocols: the `connection_init` payload
  `{"Authorization": "Bearer <token>"}` (key matched case-insensitively). The upgrade request's
  headers are not used (browsers cannot set them). Without a valid token the connection is
  refused at once: graphql-transport-ws closes with 4403 Forbidden; legacy graphql-ws sends
  `connection_error` (with a coded payload) and closes.
- A socket that never sends `connection_init` is closed after `RENEWALS_WS_INIT_TIMEOUT_SECONDS`
  (graphql-transport-ws: 4408, as its protocol says; legacy graphql-ws: 4408 as well).
- Operations per socket, sockets per token and message size are bounded (api/core/socket_limits.py).
- Every message goes through the socket's bounded `Outbox` (one writer task); a client that stops
  reading is closed with 1013 and never delays the other sockets.
- `quoteStatusChanged` without `quoteId` is executed once per event for all the subscribers that
  would get the same answer (api/core/fanout.py); each still gets its own operation id.
"""

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Mapping
from typing import Any, cast

import orjson
from graphql import GraphQLFormattedError
from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage
from strawberry.types.execution import ExecutionResult, PreExecutionError

from renewals.api.core.fanout import Member, hub_of, key_for, shared_context
from renewals.api.core.socket_limits import (
    CLOSE_WITH,
    MESSAGE_TOO_BIG,
    SOCKET_KEY,
    TOO_MANY_OPERATIONS,
    TOO_MANY_SOCKETS,
    Outbox,
    SocketLimits,
)
from renewals.auth import AuthError, parse_authorization, read_bearer


def limits_of(view: object) -> SocketLimits:
    limits = getattr(view, "socket_limits", None)
    assert isinstance(limits, SocketLimits), "the view holds the socket limits"
    return limits


class TextFrameWebSocket(ASGIWebSocketAdapter):
    """Sends every message as one JSON text frame (orjson, decoded once to str) through the
    socket's bounded outbox; reads messages up to the size limit (1009 past it); closes with the
    code a refusal asked for, after what is queued has been sent."""

    _outbox: Outbox | None = None

    @property
    def outbox(self) -> Outbox:
        if self._outbox is None:
            self._outbox = Outbox(self.ws, limits_of(self.view).max_queued_messages)
        return self._outbox

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        limits = limits_of(self.view)
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                if limits.too_big(text):
                    await self.ws.close(MESSAGE_TOO_BIG, "Message too big")
                    return
                try:
                    yield self.view.decode_json(text)
                except ValueError as e:  # orjson.JSONDecodeError is one
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from e
        except KeyError as e:  # a binary frame has no "text"
            raise NonTextMessageReceived from e
        except WebSocketDisconnect:
            return

    async def close(self, code: int, reason: str) -> None:
        code, reason = self.ws.scope.pop(CLOSE_WITH, (code, reason))
        outbox = self.outbox
        if outbox.closed:  # already closed (slow consumer) or gone
            return
        await outbox.flush()
        outbox.stop()
        with contextlib.suppress(RuntimeError):  # closed meanwhile
            await self.ws.close(code=code, reason=reason)

    async def send_json(self, message: Mapping[str, object]) -> None:
        if self.ws.application_state == WebSocketState.DISCONNECTED:
            raise WebSocketDisconnected
        self.outbox.put(orjson.dumps(message).decode())

    def done(self) -> None:
        """The handler is finished: nothing more is sent."""
        if self._outbox is not None:
            self._outbox.stop()


async def run_shared(
    handler: Any, prefix: str, query: object, operation_name: object, variables: object
) -> tuple[bool, list[GraphQLFormattedError] | None]:
    """Runs a shareable operation through the view's FanOut: (False, None) when it is not
    shareable, else (True, the errors to answer with or None to complete)."""
    context = handler.context
    key = await key_for(context, query, operation_name, variables)
    if key is None:
        return False, None
    websocket = handler.websocket
    assert isinstance(websocket, TextFrameWebSocket)
    schema, root_value = handler.schema, handler.root_value

    async def begin(group_context: Any) -> Any:
        return await schema.stream(
            query,
            variable_values=variables,
            context_value=group_context,
            root_value=root_value,
            operation_name=operation_name,
        )

    member = Member(prefix, websocket.outbox)
    errors = await hub_of(handler.view).run(
        key, member, lambda: shared_context(context, context.viewer(), key.visibility), begin
    )
    return True, errors


def frame_prefix(kind: str, operation_id: str) -> str:
    """The start of a next/data frame up to its payload: `{"id":<id>,"type":<kind>,"payload":`."""
    return '{"id":' + orjson.dumps(operation_id).decode() + ',"type":"' + kind + '","payload":'


class LegacyGraphQLWSHandler(BaseGraphQLWSHandler):
    """Legacy graphql-ws with the same init timeout graphql-transport-ws has, and queries and
    mutations as well as subscriptions (the protocol allows all three; Strawberry's handler
    streams every operation through `schema.subscribe`, which refuses the first two)."""

    async def handle_async_results(
        self,
        operation_id: str,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
    ) -> None:
        try:
            shared, errors = await run_shared(
                self, frame_prefix("data", operation_id), query, operation_name, variables
            )
            if shared:
                if errors:
                    error_message = {"type": "error", "id": operation_id, "payload": errors[0]}
                    await self.send_message(cast("Any", error_message))
                else:
                    await self.send_message({"type": "complete", "id": operation_id})
                return
            results = await self.schema.stream(
                query,
                variable_values=variables,
                context_value=self.context,
                root_value=self.root_value,
                operation_name=operation_name,
            )
            self.subscriptions[operation_id] = results
            first = True
            async for result in results:
                if first and isinstance(result, PreExecutionError):
                    error = result.errors[0].formatted if result.errors else {"message": "error"}
                    await self.send_message({"type": "error", "id": operation_id, "payload": error})
                    return
                first = False
                if isinstance(result, ExecutionResult):  # no incremental delivery (@defer) here
                    await self.send_data_message(result, operation_id)
            await self.send_message({"type": "complete", "id": operation_id})
        except asyncio.CancelledError:
            await self.send_message({"type": "complete", "id": operation_id})
        finally:
            self.subscriptions.pop(operation_id, None)
            self.tasks.pop(operation_id, None)

    async def handle_start(self, message: StartMessage) -> None:
        limit = limits_of(self.view).max_operations
        if self.connection_acknowledged and len(self.tasks) >= limit:
            await self.websocket.close(TOO_MANY_OPERATIONS, "Too many operations")
            return
        await super().handle_start(message)

    async def handle(self) -> None:
        timer = asyncio.create_task(self._close_if_not_initialised())
        try:
            await super().handle()
        finally:
            done_with(self.websocket)
            timer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await timer

    async def _close_if_not_initialised(self) -> None:
        timeout = getattr(self.view, "connection_init_wait_timeout", None)
        await asyncio.sleep(timeout.total_seconds() if timeout else 60)
        if not self.connection_acknowledged:
            with contextlib.suppress(Exception):
                await self.websocket.close(code=4408, reason="Connection initialisation timeout")


def done_with(websocket: object) -> None:
    if isinstance(websocket, TextFrameWebSocket):
        websocket.done()


class TransportWSHandler(BaseGraphQLTransportWSHandler):
    """graphql-transport-ws with a cap on the operations one socket runs at once, and shared
    execution of shareable subscriptions."""

    async def handle(self) -> None:
        try:
            await super().handle()
        finally:
            done_with(self.websocket)

    async def run_operation(self, operation: Operation[Any, Any]) -> None:
        shared, errors = await run_shared(
            self,
            frame_prefix("next", operation.id),
            operation.query,
            operation.operation_name,
            operation.variables,
        )
        if not shared:
            await super().run_operation(operation)
            return
        if errors:
            await operation.send_operation_message(
                cast("Any", {"id": operation.id, "type": "error", "payload": errors})
            )
        else:
            await operation.send_operation_message({"id": operation.id, "type": "complete"})

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        limit = limits_of(self.view).max_operations
        if self.connection_acknowledged and len(self.operations) >= limit:
            await self.websocket.close(TOO_MANY_OPERATIONS, "Too many operations")
            return
        await super().handle_subscribe(message)


def count_socket(limits: SocketLimits, scope: dict[str, Any], token: str) -> None:
    """Counts an authenticated socket against its token's share, or refuses it (4429)."""
    if SOCKET_KEY in scope:  # legacy graphql-ws may send connection_init again
        return
    key = limits.acquire(token)
    if key is None:
        scope[CLOSE_WITH] = (TOO_MANY_SOCKETS, "Too many sockets")
        raise ConnectionRejectionError(
            {
                "message": f"At most {limits.max_sockets_per_token} sockets per token.",
                "extensions": {"code": "TOO_MANY_SOCKETS"},
            }
        )
    scope[SOCKET_KEY] = key


def release_socket(limits: SocketLimits, scope: dict[str, Any]) -> None:
    key = scope.pop(SOCKET_KEY, None)
    if key is not None:
        limits.release(key)


def authorization_of(params: object) -> str | None:
    """The `Authorization` value of a connection_init payload (key case-insensitive)."""
    if isinstance(params, Mapping):
        for key, value in params.items():
            if isinstance(key, str) and key.lower() == "authorization" and isinstance(value, str):
                return value
    return None


def refusal(message: str) -> ConnectionRejectionError:
    return ConnectionRejectionError({"message": message, "extensions": {"code": "UNAUTHENTICATED"}})


def authenticate_connection(secret_key: str, params: object) -> Any:
    """The viewer of a connection_init payload, or the refusal to raise."""
    try:
        token = parse_authorization(authorization_of(params))
    except AuthError as e:
        raise refusal("The bearer token is invalid or expired.") from e
    if token is None:
        raise refusal(
            'Send {"Authorization": "Bearer <token>"} as the connection_init payload '
            "(see `renewals token`)."
        )
    try:
        return read_bearer(secret_key, token)
    except AuthError as e:
        raise refusal("The bearer token is invalid or expired.") from e


def admit_connection(
    secret_key: str, params: object, limits: SocketLimits, scope: dict[str, Any]
) -> Any:
    """The viewer of a connection_init payload, counted against its token's share of sockets;
    or the refusal to raise (4403 / 4429)."""
    viewer = authenticate_connection(secret_key, params)
    count_socket(limits, scope, parse_authorization(authorization_of(params)) or "")
    return viewer
