"""End to end with real servers on loopback: uvicorn (HTTP + WebSocket), aiosmtpd, the worker.

Every wait is bounded (10 s) so a failure never hangs CI; servers stop in `finally` blocks.
"""

import asyncio
import json
import re
from datetime import timedelta

from websockets.asyncio.client import connect

from renewals.domain.enums import Term
from renewals.domain.windows import next_term
from tests.api.live_stack import (
    STATUS_SUBSCRIPTION,
    init,
    next_event,
    plain,
    receive,
    running_stack,
    send,
)
from tests.factories import TODAY
from tests.helpers import token

END = TODAY + timedelta(days=60)  # outside the R12 30-day mark: the scheduler stays quiet

CREATE = """mutation($input: CreateRenewalQuoteInput!) { createRenewalQuote(input: $input) {
  quote { id number status } userErrors { code field message } } }"""
SUBSCRIPTION = """query($id: ID!) { node(id: $id) { ... on Subscription {
  seats term startDate endDate openQuote { number } } } }"""


async def test_quote_to_order_over_http_websocket_and_smtp(database_url):
    buyer = token()
    async with running_stack(database_url) as stack:
        async with connect(stack.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
            assert ws.subprotocol == "graphql-transport-ws"
            # The contract matches the key case-insensitively.
            await send(
                ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {buyer}"}}
            )
            assert (await receive(ws))["type"] == "connection_ack"
            await send(
                ws, {"id": "all", "type": "subscribe", "payload": {"query": STATUS_SUBSCRIPTION}}
            )
            await stack.listeners(1)

            sid = await stack.subscription_id("SUB-1")
            data = await stack.gql(
                CREATE,
                {
                    "input": {
                        "subscriptionIds": [sid, await stack.subscription_id("SUB-2")],
                        "changes": [{"subscriptionId": sid, "term": "THREE_YEAR"}],
                    }
                },
                auth=buyer,
            )
            payload = data["createRenewalQuote"]
            assert payload["userErrors"] == []
            number = payload["quote"]["number"]

            assert await next_event(ws, "all") == {
                "status": "FINALIZING",
                "previousStatus": None,
                "quote": {"number": number},
            }
            assert await next_event(ws, "all") == {
                "status": "QUOTED",
                "previousStatus": "FINALIZING",
                "quote": {"number": number},
            }

            # R13: number, expiry, total incl. discounts, and a checkout link.
            message = await stack.email()
            assert message["To"] == "buyer@acme.example"
            assert number in message["Subject"]
            body = plain(message)
            expires = (TODAY + timedelta(days=30)).isoformat()
            assert number in body
            assert f"Expires on: {expires}" in body
            # 5 × 5985 − 10 % (RENEW3Y) + 2 × 2100
            assert "Discounts: EUR 2,992.50" in body
            assert "Total (incl. discounts): EUR 31,132.50" in body
            link = re.search(r"(http://\S+/checkout\?token=\S+)", body).group(1)
            assert link.startswith(f"{stack.base}/checkout?token=")

            page = await stack.http.get(link)
            assert page.status_code == 200
            assert page.headers["content-type"].startswith("text/html")
            assert number in page.text
            assert "EUR 31,132.50" in page.text and expires in page.text
            form_token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)

            # Opening the link changed nothing; the button does.
            posted = await stack.http.post(
                "/checkout", data={"token": form_token}, follow_redirects=True
            )
            assert posted.status_code == 200, posted.text
            assert posted.url.path == "/checkout/done"
            assert "Thank you" in posted.text

            assert await next_event(ws, "all") == {
                "status": "ORDER_SUBMITTED",
                "previousStatus": "QUOTED",
                "quote": {"number": number},
            }
            assert await next_event(ws, "all") == {
                "status": "ORDERED",
                "previousStatus": "ORDER_SUBMITTED",
                "quote": {"number": number},
            }

            renewed = (await stack.gql(SUBSCRIPTION, {"id": sid}, auth=buyer))["node"]
            start, stop = next_term(END, Term.THREE_YEAR)
            assert renewed == {
                "seats": 5,
                "term": "THREE_YEAR",
                "startDate": start.isoformat(),
                "endDate": stop.isoformat(),
                "openQuote": None,
            }

            # A late subscriber with quoteId first gets the current state.
            quote_id = payload["quote"]["id"]
            await send(
                ws,
                {
                    "id": "one",
                    "type": "subscribe",
                    "payload": {"query": STATUS_SUBSCRIPTION, "variables": {"quoteId": quote_id}},
                },
            )
            current = await next_event(ws, "one")
            assert (current["status"], current["quote"]) == ("ORDERED", {"number": number})
            await send(ws, {"id": "one", "type": "complete"})
            await send(ws, {"id": "all", "type": "complete"})

        # Exactly one email was sent for the one recipient; the link is now used.
        assert len(stack.inbox.messages) == 1
        used = await stack.http.get(link)
        assert used.status_code == 409
        assert "Traceback" not in used.text


async def test_legacy_graphql_ws_protocol_receives_events(database_url):
    buyer = token()
    async with (
        running_stack(database_url) as stack,
        connect(stack.ws_url, subprotocols=["graphql-ws"]) as ws,
    ):
        assert ws.subprotocol == "graphql-ws"
        await init(ws, buyer)
        await send(ws, {"id": "1", "type": "start", "payload": {"query": STATUS_SUBSCRIPTION}})
        await stack.listeners(1)
        data = await stack.gql(
            CREATE,
            {"input": {"subscriptionIds": [await stack.subscription_id("SUB-1")]}},
            auth=buyer,
        )
        number = data["createRenewalQuote"]["quote"]["number"]
        first = await next_event(ws, "1", "data")
        second = await next_event(ws, "1", "data")
        assert [(e["status"], e["quote"]["number"]) for e in (first, second)] == [
            ("FINALIZING", number),
            ("QUOTED", number),
        ]
        await send(ws, {"id": "1", "type": "stop"})
        await send(ws, {"type": "connection_terminate"})


async def test_other_customers_events_are_not_delivered(database_url):
    async with (
        running_stack(database_url) as stack,
        connect(stack.ws_url, subprotocols=["graphql-transport-ws"]) as ws,
    ):
        await init(ws, token("buyer", "5100000002"))  # a customer without these quotes
        await send(ws, {"id": "x", "type": "subscribe", "payload": {"query": STATUS_SUBSCRIPTION}})
        await stack.listeners(1)
        await stack.gql(
            CREATE,
            {"input": {"subscriptionIds": [await stack.subscription_id("SUB-1")]}},
            auth=token(),
        )
        await stack.email()  # the quote went all the way to QUOTED meanwhile
        # Naming the quote does not help: it does not exist for this viewer.
        created = await stack.gql("{ quotes { edges { node { id } } } }", auth=token("sales", None))
        quote_id = created["quotes"]["edges"][0]["node"]["id"]
        for op_id, variables in (("q", {"quoteId": quote_id}), ("g", {"quoteId": "garbage"})):
            await send(
                ws,
                {
                    "id": op_id,
                    "type": "subscribe",
                    "payload": {"query": STATUS_SUBSCRIPTION, "variables": variables},
                },
            )
            assert await receive(ws) == {"id": op_id, "type": "complete"}
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), 0.3))
        except TimeoutError:
            message = None
        assert message is None or message["type"] in ("ping", "ka"), message


CANCEL = """mutation($input: CancelQuoteInput!) { cancelQuote(input: $input) {
  quote { status } userErrors { code } } }"""


async def test_a_cancelled_quote_reaches_the_buyer_over_smtp(database_url):
    sales = token("sales", None)
    async with running_stack(database_url) as stack:
        sid = await stack.subscription_id("SUB-1")
        data = await stack.gql(CREATE, {"input": {"subscriptionIds": [sid]}}, auth=sales)
        quote = data["createRenewalQuote"]["quote"]
        await stack.email()  # the quote itself (R13)
        data = await stack.gql(
            CANCEL, {"input": {"quoteId": quote["id"], "reason": "wrong product"}}, auth=sales
        )
        assert data["cancelQuote"] == {"quote": {"status": "CANCELLED"}, "userErrors": []}
        message = await stack.email(2)
        assert message["To"] == "buyer@acme.example"
        assert message["Subject"] == f"Your renewal quote {quote['number']} was cancelled"
        body = plain(message)
        assert "was cancelled by vendor sales." in body
        assert "Reason: wrong product" in body
