"""/metrics counts open WebSockets, running subscriptions and the events they deliver."""

import asyncio

from websockets.asyncio.client import connect

from tests.api.live_stack import (
    STATUS_SUBSCRIPTION,
    TIMEOUT,
    init,
    next_event,
    running_stack,
    send,
)
from tests.helpers import token
from tests.ops.helpers import value

CREATE_QUOTE = """mutation Renew($input: CreateRenewalQuoteInput!) {
  createRenewalQuote(input: $input) { quote { number } userErrors { code } } }"""


async def test_a_subscription_shows_while_it_runs(database_url):
    async with running_stack(database_url) as stack:
        before = (await stack.http.get("/metrics")).text
        async with connect(stack.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
            await init(ws, token())
            await send(
                ws, {"id": "1", "type": "subscribe", "payload": {"query": STATUS_SUBSCRIPTION}}
            )
            await stack.listeners(1)
            during = (await stack.http.get("/metrics")).text
            assert value(during, "renewals_websocket_connections") >= 1
            assert value(during, "renewals_graphql_active_subscriptions") >= 1
            sub = await stack.subscription_id("SUB-1")
            await stack.gql(CREATE_QUOTE, {"input": {"subscriptionIds": [sub]}}, auth=token())
            await next_event(ws, "1")  # FINALIZING
            await next_event(ws, "1")  # QUOTED

        async def closed() -> str:
            while True:
                text = (await stack.http.get("/metrics")).text
                if value(text, "renewals_graphql_active_subscriptions") < value(
                    during, "renewals_graphql_active_subscriptions"
                ):
                    return text
                await asyncio.sleep(0.05)

        after = await asyncio.wait_for(closed(), TIMEOUT)
        assert value(after, "renewals_websocket_connections") < value(
            during, "renewals_websocket_connections"
        )
        delivered = "renewals_events_delivered_total"
        assert value(after, delivered) - value(before, delivered) == 2
        published = "renewals_events_published_total"
        assert value(after, published) - value(before, published) >= 2
        jobs = "renewals_job_runs_total"
        assert value(after, jobs, kind="finalize_quote", outcome="ok") >= 1
