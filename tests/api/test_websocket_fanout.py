"""Fan-out: one execution per status event for every subscriber that would get the same answer,
never shared across visibilities; each subscriber still gets its own operation id, exactly once.
Raw frames, both subprotocols."""

import asyncio
import json
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any, cast

import pytest
from strawberry.types.execution import ExecutionResult
from websockets.asyncio.client import connect

from renewals.api.core import fanout
from renewals.api.core.fanout import FanOut, Member, share_key
from renewals.api.core.socket_limits import (
    SLOW_CONSUMER,
    SLOW_CONSUMER_REASON,
    Outbox,
    outbox_stats,
)
from renewals.api.core.websocket import frame_prefix
from renewals.auth import Viewer
from renewals.domain.enums import Role
from renewals.domain.visibility import Visibility
from tests.api.live_stack import STATUS_SUBSCRIPTION, TIMEOUT, receive, running_stack, send
from tests.api.test_e2e import CREATE
from tests.helpers import token

PROTOCOLS = ["graphql-transport-ws", "graphql-ws"]
START = {"graphql-transport-ws": "subscribe", "graphql-ws": "start"}
NEXT = {"graphql-transport-ws": "next", "graphql-ws": "data"}


async def initialised(ws, bearer: str) -> None:
    await send(ws, {"type": "connection_init", "payload": {"Authorization": f"Bearer {bearer}"}})
    assert (await receive(ws))["type"] == "connection_ack"


async def subscribe(
    ws, protocol: str, op_id: str, variables: dict | None = None, query: str = STATUS_SUBSCRIPTION
) -> None:
    payload = {"query": query, "variables": variables or {}}
    await send(ws, {"id": op_id, "type": START[protocol], "payload": payload})


async def create_quote(stack) -> str:
    data = await stack.gql(
        CREATE,
        {"input": {"subscriptionIds": [await stack.subscription_id("SUB-1")]}},
        auth=token(),
    )
    return data["createRenewalQuote"]["quote"]["number"]


async def events(ws, count: int) -> list[dict]:
    return [await receive(ws) for _ in range(count)]


async def nothing_more(ws, seconds: float = 0.3) -> None:
    try:
        frame = await asyncio.wait_for(ws.recv(), seconds)
    except TimeoutError:
        return
    assert json.loads(frame)["type"] in ("ping", "pong", "ka"), frame


def changes(messages: list[dict], kind: str, op_id: str) -> list[tuple[str, str]]:
    out = []
    for message in messages:
        assert (message["type"], message["id"]) == (kind, op_id), message
        event = message["payload"]["data"]["quoteStatusChanged"]
        out.append((event["status"], event["quote"]["number"]))
    return out


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_subscribers_with_the_same_document_share_one_execution(database_url, protocol):
    sales = token("sales", None)
    async with (
        running_stack(database_url) as stack,
        connect(stack.ws_url, subprotocols=[protocol]) as a,
        connect(stack.ws_url, subprotocols=[protocol]) as b,
    ):
        await initialised(a, sales)
        await initialised(b, sales)
        await subscribe(a, protocol, "a1")
        await subscribe(a, protocol, "a2")
        await subscribe(b, protocol, 'b "7"')  # an id that needs JSON escaping
        await stack.listeners(3)
        assert stack.container.bus.queue_count == 1  # type: ignore[attr-defined]
        before = fanout.stats.executions
        number = await create_quote(stack)
        expected = [("FINALIZING", number), ("QUOTED", number)]
        got_a = await events(a, 4)
        by_id = {
            op: changes([m for m in got_a if m["id"] == op], NEXT[protocol], op)
            for op in ("a1", "a2")
        }
        assert by_id == {"a1": expected, "a2": expected}
        assert changes(await events(b, 2), NEXT[protocol], 'b "7"') == expected
        assert fanout.stats.executions - before == 2  # one per event, not one per subscriber
        await nothing_more(a)  # exactly once
        await nothing_more(b)


async def test_different_visibilities_never_share(database_url):
    protocol = "graphql-transport-ws"
    async with (
        running_stack(database_url) as stack,
        connect(stack.ws_url, subprotocols=[protocol]) as sales,
        connect(stack.ws_url, subprotocols=[protocol]) as buyer,
        connect(stack.ws_url, subprotocols=[protocol]) as other_buyer,
        connect(stack.ws_url, subprotocols=[protocol]) as partner,
    ):
        await initialised(sales, token("sales", None))
        await initialised(buyer, token())
        await initialised(other_buyer, token("buyer", "5100000002"))
        await initialised(partner, token("partner", "5200000009"))
        groups = fanout.stats.groups_started
        for ws in (sales, buyer, other_buyer, partner):
            await subscribe(ws, protocol, "1")
        await stack.listeners(4)
        assert stack.container.bus.queue_count == 4  # type: ignore[attr-defined]
        assert fanout.stats.groups_started - groups == 4
        number = await create_quote(stack)
        expected = [("FINALIZING", number), ("QUOTED", number)]
        assert changes(await events(sales, 2), "next", "1") == expected
        assert changes(await events(buyer, 2), "next", "1") == expected
        await nothing_more(other_buyer)
        await nothing_more(partner)


def test_the_share_key_holds_the_visibility_and_leaves_quote_id_per_subscriber():
    sales = Viewer(Role.SALES, subject="s")
    buyer = Viewer(Role.BUYER, customer_csn="1")
    everything, one_customer = Visibility(), Visibility(customer_id=1)
    key = share_key(STATUS_SUBSCRIPTION, None, {}, sales, everything)
    assert key is not None
    assert share_key(STATUS_SUBSCRIPTION, None, {"quoteId": None}, sales, everything) is not None
    assert key != share_key(STATUS_SUBSCRIPTION, None, {}, buyer, one_customer)
    assert key != share_key(STATUS_SUBSCRIPTION, None, {}, sales, one_customer)
    assert (
        share_key(STATUS_SUBSCRIPTION, None, {"quoteId": "UXVvdGU6MQ=="}, sales, everything) is None
    )
    literal = 'subscription { quoteStatusChanged(quoteId: "x") { status } }'
    assert share_key(literal, None, {}, sales, everything) is None
    assert share_key("{ viewer { role } }", None, {}, sales, everything) is None
    assert share_key("subscription {", None, {}, sales, everything) is None


class Reader:
    """A socket whose client reads everything at once."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, str]] = []

    async def send_text(self, text: str) -> None:
        self.sent.append((time.monotonic(), text))


class StoppedReading:
    """A socket whose client stopped reading: a send never finishes (its buffers are full)."""

    def __init__(self) -> None:
        self.closed_with: tuple[int, str] | None = None

    async def send_text(self, text: str) -> None:
        await asyncio.Event().wait()

    async def close(self, code: int, reason: str) -> None:
        self.closed_with = (code, reason)


async def test_a_client_that_stops_reading_is_closed_and_never_delays_the_others():
    results: asyncio.Queue[ExecutionResult] = asyncio.Queue()

    async def stream() -> AsyncIterator[ExecutionResult]:
        while True:
            yield await results.get()

    async def begin(_context: object) -> AsyncIterator[ExecutionResult]:
        return stream()

    hub = FanOut()
    key = share_key(STATUS_SUBSCRIPTION, None, {}, Viewer(Role.SALES), Visibility())
    assert key is not None
    reader, stopped = Reader(), StoppedReading()
    fast = Member(frame_prefix("next", "f"), Outbox(reader, limit=5))
    slow = Member(frame_prefix("next", "s"), Outbox(stopped, limit=5))
    closed_before, executions = outbox_stats.slow_consumers_closed, fanout.stats.executions
    runs = [
        asyncio.create_task(hub.run(key, member, lambda: cast(Any, SimpleNamespace()), begin))
        for member in (fast, slow)
    ]
    await asyncio.sleep(0.01)
    assert len(hub.groups) == 1
    delays = []
    for n in range(50):
        published = time.monotonic()
        results.put_nowait(ExecutionResult(data={"n": n}, errors=None))

        async def delivered(count: int) -> None:
            while len(reader.sent) < count:
                await asyncio.sleep(0)

        await asyncio.wait_for(delivered(n + 1), TIMEOUT)
        delays.append(reader.sent[n][0] - published)
    assert max(delays) < 0.5, delays
    assert [json.loads(text) for _, text in reader.sent] == [
        {"id": "f", "type": "next", "payload": {"data": {"n": n}}} for n in range(50)
    ]
    assert fanout.stats.executions - executions == 50  # once per result, whoever reads it
    # The stopped one held one message in its send, 5 queued, and the next one closed it.
    assert stopped.closed_with == (SLOW_CONSUMER, SLOW_CONSUMER_REASON)
    assert outbox_stats.slow_consumers_closed == closed_before + 1
    for run in runs:
        run.cancel()
    await asyncio.gather(*runs, return_exceptions=True)
    assert hub.groups == {}
