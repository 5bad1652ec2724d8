"""End to end with real servers on loopback: uvicorn (HTTP + WebSocket), aiosmtpd, the worker.

Every wait is bounded (10 s) so a failure never hangs CI; servers stop in `finally` blocks.
"""

import asyncio
import contextlib
import email
import email.policy
import json
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import uvicorn
from aiosmtpd.controller import Controller
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect

from renewals.api.core.ids import to_global_id
from renewals.app import create_app
from renewals.config import Settings
from renewals.container import Container, build_container
from renewals.domain.enums import Term
from renewals.domain.windows import next_term
from renewals.persistence import models as m
from tests.factories import SECRET, TODAY, document, subscription
from tests.helpers import seed, token

TIMEOUT = 10.0
END = TODAY + timedelta(days=60)  # outside the R12 30-day mark: the scheduler stays quiet

STATUS_SUBSCRIPTION = """subscription($quoteId: ID) {
  quoteStatusChanged(quoteId: $quoteId) { status previousStatus quote { number } } }"""
CREATE = """mutation($input: CreateRenewalQuoteInput!) { createRenewalQuote(input: $input) {
  quote { id number status } userErrors { code field message } } }"""
SUBSCRIPTION = """query($id: ID!) { node(id: $id) { ... on Subscription {
  seats term startDate endDate openQuote { number } } } }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@dataclass
class Stack:
    container: Container
    inbox: Inbox
    http: httpx.AsyncClient
    base: str
    ws_url: str

    async def gql(self, query: str, variables: dict | None = None, auth: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {auth}"} if auth else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    async def subscription_id(self, number: str) -> str:
        async with self.container.db.read_engine.connect() as conn:
            pk = (
                await conn.execute(select(m.Subscription.id).where(m.Subscription.number == number))
            ).scalar_one()
        return to_global_id("Subscription", pk)

    async def listeners(self, count: int) -> None:
        """Waits until `count` subscriptions listen on the bus (so no event is missed)."""

        async def wait() -> None:
            while self.container.bus.listener_count < count:  # type: ignore[attr-defined]
                await asyncio.sleep(0.02)

        await asyncio.wait_for(wait(), TIMEOUT)

    async def email(self, count: int = 1) -> EmailMessage:
        async def wait() -> None:
            while len(self.inbox.messages) < count:
                await asyncio.sleep(0.05)

        await asyncio.wait_for(wait(), TIMEOUT)
        return self.inbox.messages[count - 1]


@contextlib.asynccontextmanager
async def running_stack(url: str, **overrides: Any) -> AsyncIterator[Stack]:
    smtp_port, http_port = free_port(), free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    await asyncio.to_thread(controller.start)
    try:
        base = f"http://127.0.0.1:{http_port}"
        settings = Settings(
            database_url=url,
            secret_key=SECRET,
            today=TODAY,
            smtp_url=f"smtp://127.0.0.1:{smtp_port}",
            public_url=base,
            worker_interval_seconds=0.2,
            **overrides,
        )
        container = build_container(settings)
        await seed(
            container,
            document(
                [
                    subscription("SUB-1", ends_in_days=60),
                    subscription("SUB-2", ends_in_days=60, seats=2),
                ]
            ),
        )
        app = create_app(container=container)  # background worker and scheduler ON
        config = uvicorn.Config(
            app, host="127.0.0.1", port=http_port, lifespan="on", log_level="warning"
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        try:

            async def started() -> None:
                while not server.started:
                    if task.done():
                        task.result()  # raises why it could not start
                    await asyncio.sleep(0.02)

            await asyncio.wait_for(started(), TIMEOUT)
            async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as http:
                yield Stack(container, inbox, http, base, f"ws://127.0.0.1:{http_port}/graphql")
        finally:
            server.should_exit = True
            try:
                await asyncio.wait_for(task, TIMEOUT)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    finally:
        await asyncio.to_thread(controller.stop)


async def receive(ws: ClientConnection) -> dict:
    """The next protocol message that is not a keep-alive (each one a JSON *text* frame)."""
    while True:
        frame = await asyncio.wait_for(ws.recv(), TIMEOUT)
        assert isinstance(frame, str), f"binary frame: {frame!r}"
        message = json.loads(frame)
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
            continue
        if message["type"] in ("pong", "ka"):
            continue
        return message


async def send(ws: ClientConnection, message: dict) -> None:
    await ws.send(json.dumps(message))


async def init(ws: ClientConnection, bearer: str) -> None:
    await send(ws, {"type": "connection_init", "payload": {"Authorization": f"Bearer {bearer}"}})
    assert (await receive(ws))["type"] == "connection_ack"


async def next_event(ws: ClientConnection, op_id: str, kind: str = "next") -> dict:
    message = await receive(ws)
    assert (message["type"], message.get("id")) == (kind, op_id), message
    assert "errors" not in message["payload"], message
    return message["payload"]["data"]["quoteStatusChanged"]


def plain(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


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
