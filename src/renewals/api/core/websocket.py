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
"""

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types.execution import ExecutionResult, PreExecutionError

from renewals.auth import AuthError, parse_authorization, read_bearer


class TextFrameWebSocket(ASGIWebSocketAdapter):
    """Sends every message as one JSON text frame (orjson, decoded once to str)."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


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

    async def handle(self) -> None:
        timer = asyncio.create_task(self._close_if_not_initialised())
        try:
            await super().handle()
        finally:
            timer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await timer

    async def _close_if_not_initialised(self) -> None:
        timeout = getattr(self.view, "connection_init_wait_timeout", None)
        await asyncio.sleep(timeout.total_seconds() if timeout else 60)
        if not self.connection_acknowledged:
            with contextlib.suppress(Exception):
                await self.websocket.close(code=4408, reason="Connection initialisation timeout")


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
