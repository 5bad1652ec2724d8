"""The WebSocket transport as real clients expect it: text frames, auth at connect, init timeout.

Raw frames are checked here (a lenient client once hid that every frame was binary); the real
clients (graphql-ws, urql, Python `gql`, GraphiQL, the SPA) are driven in tests/clients.
"""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.api.live_stack import STATUS_SUBSCRIPTION, TIMEOUT, running_stack, send
from tests.helpers import token, without_cost

PROTOCOLS = ["graphql-transport-ws", "graphql-ws"]
BAD_PAYLOADS = [
    None,
    {},
    {"Authorization": "Bearer not-a-token"},
    {"Authorization": "Basic dXNlcjpwYXNz"},
    {"Authorization": 42},
]


async def frames_until_close(ws) -> list:
    """Every frame the server sends until it closes the socket."""
    frames = []
    try:
        while True:
            frames.append(await asyncio.wait_for(ws.recv(), TIMEOUT))
    except ConnectionClosed:
        return frames


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_every_message_is_a_text_frame(database_url, protocol):
    start = "subscribe" if protocol == "graphql-transport-ws" else "start"
    async with (
        running_stack(database_url) as stack,
        connect(stack.ws_url, subprotocols=[protocol]) as ws,
    ):
        await send(
            ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {token()}"}}
        )
        ack = await asyncio.wait_for(ws.recv(), TIMEOUT)
        assert isinstance(ack, str) and json.loads(ack)["type"] == "connection_ack"
        # An operation that answers at once: a validation error, then complete.
        await send(ws, {"id": "1", "type": start, "payload": {"query": "subscription { nope }"}})
        while True:  # keep-alives ("ka", "ping") are text frames as well
            answer = await asyncio.wait_for(ws.recv(), TIMEOUT)
            assert isinstance(answer, str), f"binary frame: {answer!r}"
            if "id" in json.loads(answer):
                break
        assert json.loads(answer)["type"] in ("error", "next", "data")


async def test_transport_ws_refuses_connect_without_valid_token_with_4403(database_url):
    async with running_stack(database_url) as stack:
        for payload in BAD_PAYLOADS:
            async with connect(stack.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
                message = {"type": "connection_init"}
                if payload is not None:
                    message["payload"] = payload
                await send(ws, message)
                assert await frames_until_close(ws) == [], payload
                assert ws.close_code == 4403, (payload, ws.close_code)
                assert ws.close_reason == "Forbidden"
        assert stack.container.bus.listener_count == 0  # type: ignore[attr-defined]


async def test_legacy_graphql_ws_answers_connection_error_then_closes(database_url):
    async with running_stack(database_url) as stack:
        for payload in BAD_PAYLOADS:
            async with connect(stack.ws_url, subprotocols=["graphql-ws"]) as ws:
                message = {"type": "connection_init"}
                if payload is not None:
                    message["payload"] = payload
                await send(ws, message)
                frames = await frames_until_close(ws)
                assert all(isinstance(f, str) for f in frames)
                assert len(frames) == 1, frames
                error = json.loads(frames[0])
                assert error["type"] == "connection_error"
                assert error["payload"]["extensions"]["code"] == "UNAUTHENTICATED"
                assert error["payload"]["message"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_the_upgrade_header_alone_does_not_authenticate(database_url, protocol):
    """One rule on both subprotocols: the token is read from connection_init only."""
    async with (
        running_stack(database_url) as stack,
        connect(
            stack.ws_url,
            subprotocols=[protocol],
            additional_headers={"Authorization": f"Bearer {token()}"},
        ) as ws,
    ):
        await send(ws, {"type": "connection_init", "payload": {}})
        frames = await frames_until_close(ws)
        assert all(json.loads(f)["type"] == "connection_error" for f in frames)
        assert ws.close_code in (4403, 1011)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_socket_that_never_initialises_is_closed(database_url, protocol):
    async with (
        running_stack(database_url, ws_init_timeout_seconds=0.5) as stack,
        connect(stack.ws_url, subprotocols=[protocol]) as ws,
    ):
        started = asyncio.get_running_loop().time()
        assert await frames_until_close(ws) == []
        assert ws.close_code == 4408
        assert asyncio.get_running_loop().time() - started < 5


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_an_initialised_socket_outlives_the_init_timeout(database_url, protocol):
    start = "subscribe" if protocol == "graphql-transport-ws" else "start"
    async with (
        running_stack(database_url, ws_init_timeout_seconds=0.3) as stack,
        connect(stack.ws_url, subprotocols=[protocol]) as ws,
    ):
        await send(
            ws, {"type": "connection_init", "payload": {"Authorization": f"Bearer {token()}"}}
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await asyncio.sleep(0.8)
        await send(ws, {"id": "1", "type": start, "payload": {"query": STATUS_SUBSCRIPTION}})
        await stack.listeners(1)  # the subscription runs: the socket was not closed


async def test_legacy_graphql_ws_runs_queries_and_mutations_too(database_url):
    """The legacy protocol allows every operation type, not only subscriptions."""
    async with (
        running_stack(database_url) as stack,
        connect(stack.ws_url, subprotocols=["graphql-ws"]) as ws,
    ):
        await send(
            ws, {"type": "connection_init", "payload": {"Authorization": f"Bearer {token()}"}}
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await send(ws, {"id": "q", "type": "start", "payload": {"query": "{ viewer { role } }"}})
        mutation = 'mutation { cancelQuote(input: {quoteId: "x"}) { userErrors { code } } }'
        await send(ws, {"id": "m", "type": "start", "payload": {"query": mutation}})
        answers: dict[str, list] = {"q": [], "m": []}
        while not all(a and a[-1]["type"] == "complete" for a in answers.values()):
            message = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
            if message["type"] != "ka":
                answers[message["id"]].append(message)
        assert [m["type"] for m in answers["q"]] == ["data", "complete"]
        assert without_cost(answers["q"][0]["payload"]) == {"data": {"viewer": {"role": "BUYER"}}}
        assert [m["type"] for m in answers["m"]] == ["data", "complete"]
        assert without_cost(answers["m"][0]["payload"]) == {
            "data": {"cancelQuote": {"userErrors": [{"code": "NOT_FOUND"}]}}
        }
