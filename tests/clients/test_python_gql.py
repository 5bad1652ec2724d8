"""Python `gql` 4 (what partner integrations and scripts use) against a real `renewals serve`.

HTTP through `HTTPXAsyncTransport`; WebSocket through `WebsocketsTransport` on both
subprotocols it speaks: graphql-transport-ws and the legacy (Apollo) graphql-ws. The token
goes in the `connection_init` payload, as the contract says.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
import websockets
from gql import Client, GraphQLRequest
from gql.client import AsyncClientSession
from gql.transport.exceptions import (
    TransportConnectionFailed,
    TransportQueryError,
    TransportServerError,
)
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

from renewals.auth import mint_token
from renewals.domain.enums import Role
from tests.clients.live import TIMEOUT, LiveServer
from tests.factories import SECRET

TRANSPORT_WS = WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL  # "graphql-transport-ws"
LEGACY_WS = WebsocketsTransport.APOLLO_SUBPROTOCOL  # "graphql-ws"
assert (TRANSPORT_WS, LEGACY_WS) == ("graphql-transport-ws", "graphql-ws")

VIEWER = "{ viewer { role customer { csn name } } }"
GROUPS = "{ eligibleRenewalGroups { key currency subscriptions { id number } } }"
CREATE = """mutation ($ids: [ID!]!) { createRenewalQuote(input: {subscriptionIds: $ids}) {
  quote { id number status type origin total { amount currency } } userErrors { code message } } }"""
EVENT = "status previousStatus occurredAt quote { number status }"
ALL_CHANGES = f"subscription {{ quoteStatusChanged {{ {EVENT} }} }}"
ONE_QUOTE = f"subscription ($id: ID!) {{ quoteStatusChanged(quoteId: $id) {{ {EVENT} }} }}"


def request(source: str, **variables: Any) -> GraphQLRequest:
    return GraphQLRequest(source, variable_values=variables or None)


def ws_transport(live: LiveServer, subprotocol: str, payload: dict | None) -> WebsocketsTransport:
    return WebsocketsTransport(
        url=live.ws_url,
        subprotocols=[subprotocol],
        init_payload=payload,
        connect_timeout=TIMEOUT,
        ack_timeout=TIMEOUT,
        close_timeout=TIMEOUT,
    )


@asynccontextmanager
async def ws_session(
    live: LiveServer, subprotocol: str, token: str
) -> AsyncIterator[tuple[AsyncClientSession, WebsocketsTransport]]:
    transport = ws_transport(live, subprotocol, {"Authorization": f"Bearer {token}"})
    async with Client(transport=transport, execute_timeout=TIMEOUT) as session:
        yield session, transport


class Collector:
    """Runs one subscription in a task and hands its events over through a queue."""

    def __init__(self, session: AsyncClientSession, req: GraphQLRequest) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.task = asyncio.create_task(self._run(session, req))

    async def _run(self, session: AsyncClientSession, req: GraphQLRequest) -> None:
        async for data in session.subscribe(req):
            await self.queue.put(data["quoteStatusChanged"])

    async def until(self, number: str, status: str) -> list[dict[str, Any]]:
        """The events of quote `number` up to and including `status` (others are dropped)."""
        events: list[dict[str, Any]] = []
        async with asyncio.timeout(TIMEOUT):
            while not events or events[-1]["status"] != status:
                getter = asyncio.ensure_future(self.queue.get())
                try:
                    await asyncio.wait({getter, self.task}, return_when="FIRST_COMPLETED")
                finally:
                    getter.cancel()
                if not getter.done() or getter.cancelled():
                    self.task.result()  # raises what ended the subscription
                    pytest.fail(f"subscription ended after {events}")
                event = getter.result()
                if event["quote"]["number"] == number:
                    events.append(event)
        return events

    async def stop(self) -> None:
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task


async def wait_until_sent(transport: WebsocketsTransport, listeners: int) -> None:
    """gql registers an operation's listener right after sending its message."""
    async with asyncio.timeout(TIMEOUT):
        while len(transport.listeners) < listeners:
            await asyncio.sleep(0.005)


def group_ids(live: LiveServer, token: str) -> list[str]:
    groups = live.query(GROUPS, auth=token)["eligibleRenewalGroups"]
    assert groups, "the demo buyer has no eligible renewal group"
    return [s["id"] for s in groups[0]["subscriptions"]]


async def test_http_transport_query_and_mutation(live: LiveServer):
    buyer = live.token()
    transport = HTTPXAsyncTransport(
        url=live.graphql_url, headers={"Authorization": f"Bearer {buyer}"}, timeout=TIMEOUT
    )
    # fetch_schema_from_transport: gql introspects the server and validates every request
    # against the schema before sending it, as careful integrations do.
    client = Client(transport=transport, fetch_schema_from_transport=True, execute_timeout=TIMEOUT)
    async with client as session:
        assert client.schema is not None and client.schema.subscription_type is not None
        assert client.schema.subscription_type.name == "SubscriptionRoot"

        viewer = await session.execute(request(VIEWER))
        assert viewer == {
            "viewer": {"role": "BUYER", "customer": {"csn": "5100000001", "name": "Acme Bau AG"}}
        }
        groups = (await session.execute(request(GROUPS)))["eligibleRenewalGroups"]
        ids = [s["id"] for s in groups[0]["subscriptions"]]
        created = (await session.execute(request(CREATE, ids=ids)))["createRenewalQuote"]
        assert created["userErrors"] == []
        quote = created["quote"]
        assert (quote["status"], quote["type"], quote["origin"]) == (
            "FINALIZING",
            "RENEWAL",
            "SELF_SERVICE",
        )
        assert isinstance(quote["total"]["amount"], str)  # Decimal serialises as a string
        # The same subscriptions again: a business refusal, as userErrors, not an exception.
        again = (await session.execute(request(CREATE, ids=ids)))["createRenewalQuote"]
        assert again["quote"] is None
        assert {e["code"] for e in again["userErrors"]} == {"ALREADY_ON_OPEN_QUOTE"}

    # Without a token: a top-level error coded UNAUTHENTICATED, raised by gql as a query error.
    anonymous = HTTPXAsyncTransport(url=live.graphql_url, timeout=TIMEOUT)
    async with Client(transport=anonymous, execute_timeout=TIMEOUT) as session:
        with pytest.raises(TransportQueryError) as refused:
            await session.execute(request(GROUPS))
    assert refused.value.errors, refused.value
    assert refused.value.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("subprotocol", [TRANSPORT_WS, LEGACY_WS])
async def test_websocket_query_mutation_and_subscription(live: LiveServer, subprotocol: str):
    buyer = live.token()
    ids = group_ids(live, buyer)
    async with ws_session(live, subprotocol, buyer) as (session, transport):
        assert transport.subprotocol == subprotocol  # the server chose what was asked

        everything = Collector(session, request(ALL_CHANGES))
        await wait_until_sent(transport, 1)
        # A query and a mutation over the same socket (both subprotocols allow them), answered
        # after the subscription started on the server.
        viewer = await session.execute(request(VIEWER))
        assert viewer["viewer"]["customer"]["csn"] == "5100000001"
        created = (await session.execute(request(CREATE, ids=ids)))["createRenewalQuote"]
        assert created["userErrors"] == [], created
        quote = created["quote"]
        assert quote["status"] == "FINALIZING"

        # Subscribed after the mutation, by quoteId: its current state comes first.
        this_one = Collector(session, request(ONE_QUOTE, id=quote["id"]))

        events = await everything.until(quote["number"], "QUOTED")
        assert [e["status"] for e in events] == ["FINALIZING", "QUOTED"], events
        assert [e["previousStatus"] for e in events] == [None, "FINALIZING"]
        assert events[-1]["quote"]["status"] == "QUOTED"

        late = await this_one.until(quote["number"], "QUOTED")
        assert [e["status"] for e in late] in (["FINALIZING", "QUOTED"], ["QUOTED"]), late
        assert late[-1]["occurredAt"] == events[-1]["occurredAt"]

        await everything.stop()
        await this_one.stop()
        # The socket still serves a subscription after two were stopped: the current state.
        again = Collector(session, request(ONE_QUOTE, id=quote["id"]))
        assert [e["status"] for e in await again.until(quote["number"], "QUOTED")] == ["QUOTED"]
        await again.stop()


BAD_PAYLOADS: dict[str, dict[str, str] | None] = {
    "no token": None,
    "malformed": {"Authorization": "Bearer not-a-token"},
    "forged": {
        "Authorization": "Bearer " + mint_token("another-secret-that-is-32-bytes-long", Role.SALES)
    },
    "expired": {
        "authorization": "Bearer "
        + mint_token(SECRET, Role.BUYER, customer_csn="5100000001", ttl=timedelta(minutes=-1))
    },
}


async def test_graphql_transport_ws_refuses_a_bad_token_with_4403(live: LiveServer):
    for name, payload in BAD_PAYLOADS.items():
        transport = ws_transport(live, TRANSPORT_WS, payload)
        with pytest.raises(TransportConnectionFailed) as refused:
            async with Client(transport=transport, execute_timeout=TIMEOUT) as session:
                await session.execute(request(VIEWER))
        # gql raises from the close it received while waiting for connection_ack.
        closed = refused.value.__cause__
        assert isinstance(closed, websockets.ConnectionClosedError), (name, repr(closed))
        assert closed.rcvd is not None and closed.rcvd.code == 4403, (name, closed)


async def test_legacy_graphql_ws_answers_connection_error_and_closes(live: LiveServer):
    for name, payload in BAD_PAYLOADS.items():
        transport = ws_transport(live, LEGACY_WS, payload)
        with pytest.raises(TransportServerError) as refused:
            async with Client(transport=transport, execute_timeout=TIMEOUT) as session:
                await session.execute(request(VIEWER))
        assert str(refused.value).startswith("Server error: "), (name, refused.value)
        assert "UNAUTHENTICATED" in str(refused.value), (name, refused.value)

        # What gql read, frame by frame: one JSON text frame `connection_error`, then the close.
        init = {"type": "connection_init", "payload": payload or {}}
        async with asyncio.timeout(TIMEOUT):
            async with websockets.connect(live.ws_url, subprotocols=[LEGACY_WS]) as ws:  # type: ignore[list-item]
                await ws.send(json.dumps(init))
                frame = await ws.recv()
                assert isinstance(frame, str), (name, frame)  # a text frame
                message = json.loads(frame)
                assert message["type"] == "connection_error", (name, message)
                assert message["payload"]["extensions"]["code"] == "UNAUTHENTICATED", message
                with pytest.raises(websockets.ConnectionClosed):
                    await ws.recv()
