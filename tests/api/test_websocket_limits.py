"""A socket runs a bounded number of operations (4400), a token opens a bounded number of
sockets (4429), a message has a bounded size (1009), on both subprotocols (W1: nothing bounded
what one token held)."""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect

from tests.api.live_stack import STATUS_SUBSCRIPTION, receive, running_stack, send
from tests.api.test_websocket_protocol import frames_until_close
from tests.helpers import token

PROTOCOLS = ["graphql-transport-ws", "graphql-ws"]
SMALL = {"ws_max_operations": 2, "ws_max_sockets_per_token": 2, "ws_max_message_bytes": 2048}
START = {"graphql-transport-ws": "subscribe", "graphql-ws": "start"}
STOP = {"graphql-transport-ws": "complete", "graphql-ws": "stop"}


async def initialised(ws, bearer: str | None = None) -> None:
    payload = {"Authorization": f"Bearer {bearer or token()}"}
    await send(ws, {"type": "connection_init", "payload": payload})
    assert (await receive(ws))["type"] == "connection_ack"


async def subscribe(ws, protocol: str, op_id: str) -> None:
    message = {"id": op_id, "type": START[protocol], "payload": {"query": STATUS_SUBSCRIPTION}}
    await send(ws, message)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_an_operation_past_the_cap_closes_the_socket_with_4400(database_url, protocol):
    async with (
        running_stack(database_url, **SMALL) as stack,
        connect(stack.ws_url, subprotocols=[protocol]) as ws,
    ):
        await initialised(ws)
        await subscribe(ws, protocol, "1")
        await subscribe(ws, protocol, "2")
        await stack.listeners(2)
        await subscribe(ws, protocol, "3")
        await frames_until_close(ws)
        assert (ws.close_code, ws.close_reason) == (4400, "Too many operations")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_finished_operation_frees_its_place(database_url, protocol):
    async with (
        running_stack(database_url, **SMALL) as stack,
        connect(stack.ws_url, subprotocols=[protocol]) as ws,
    ):
        await initialised(ws)
        await subscribe(ws, protocol, "1")
        await subscribe(ws, protocol, "2")
        await stack.listeners(2)
        await send(ws, {"id": "1", "type": STOP[protocol]})
        await stack.listeners(1)
        await subscribe(ws, protocol, "3")
        await stack.listeners(2)  # runs: the socket is still open
        assert ws.close_code is None


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_socket_past_the_tokens_share_is_refused_with_4429(database_url, protocol):
    async with running_stack(database_url, **SMALL) as stack:
        async with (
            connect(stack.ws_url, subprotocols=[protocol]) as first,
            connect(stack.ws_url, subprotocols=[protocol]) as second,
            connect(stack.ws_url, subprotocols=[protocol]) as third,
            connect(stack.ws_url, subprotocols=[protocol]) as other_token,
        ):
            await initialised(first)
            await initialised(second)
            await send(
                third,
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {token()}"}},
            )
            frames = [json.loads(f) for f in await frames_until_close(third)]
            assert (third.close_code, third.close_reason) == (4429, "Too many sockets")
            if protocol == "graphql-ws":
                assert [f["type"] for f in frames] == ["connection_error"]
                assert frames[0]["payload"]["extensions"] == {"code": "TOO_MANY_SOCKETS"}
            else:
                assert frames == []
            await initialised(other_token, token("sales", None))  # each token has its share
        # Closed sockets no longer count: the token connects again.
        async with connect(stack.ws_url, subprotocols=[protocol]) as again:
            await asyncio.sleep(0.2)
            await initialised(again)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_message_over_the_size_limit_closes_with_1009(database_url, protocol):
    async with (
        running_stack(database_url, **SMALL) as stack,
        connect(stack.ws_url, subprotocols=[protocol]) as ws,
    ):
        await initialised(ws)
        padding = "#" + "x" * 2100 + "\n"
        message = {
            "id": "1",
            "type": START[protocol],
            "payload": {"query": padding + STATUS_SUBSCRIPTION},
        }
        await send(ws, message)
        await frames_until_close(ws)
        assert (ws.close_code, ws.close_reason) == (1009, "Message too big")


async def test_a_message_under_the_size_limit_runs(database_url):
    async with (
        running_stack(database_url, **SMALL) as stack,
        connect(stack.ws_url, subprotocols=["graphql-transport-ws"]) as ws,
    ):
        await initialised(ws)
        padding = "#" + "x" * 1500 + "\n"
        await send(
            ws,
            {"id": "1", "type": "subscribe", "payload": {"query": padding + STATUS_SUBSCRIPTION}},
        )
        await stack.listeners(1)
