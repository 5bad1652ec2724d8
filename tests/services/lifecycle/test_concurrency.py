"""Concurrent requests: one order per quote, one open quote per subscription, one quote per key."""

import asyncio

from sqlalchemy import select

from renewals.api.core.ids import to_global_id
from renewals.domain.enums import ErrorCode, QuoteStatus
from renewals.domain.errors import DomainError
from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.services import orders
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from renewals.services.worker import drain
from tests.factories import document, subscription
from tests.helpers import gql, seed, token
from tests.services.lifecycle.helpers import BUYER, SALES, count, make_quote, sub_pk

ACCEPT = """mutation($input: AcceptQuoteInput!) { acceptQuote(input: $input) {
  quote { status } order { number } userErrors { code } } }"""


async def test_twenty_concurrent_accepts_make_exactly_one_order(container):
    await seed(container, document([subscription("SUB-1")]))
    quote_id = await make_quote(container)
    await drain(container)

    results = await asyncio.gather(
        *(
            orders.accept_quote(
                container, SALES, Visibility(), orders.AcceptCommand(quote_id, quote_id_given=True)
            )
            for _ in range(20)
        ),
        return_exceptions=True,
    )
    winners = [r for r in results if r == quote_id]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1
    assert len(losers) == 19
    assert all(e.codes == [ErrorCode.QUOTE_NOT_OPEN] for e in losers)
    assert await count(container, m.Order) == 1
    assert (
        await count(
            container,
            m.QuoteStatusChange,
            m.QuoteStatusChange.status == QuoteStatus.ORDER_SUBMITTED,
        )
        == 1
    )
    assert await count(container, m.OutboxJob, m.OutboxJob.kind == "fulfil_order") == 1


async def test_twenty_concurrent_accepts_over_graphql(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote_id = await make_quote(container)
    await drain(container)
    gid = to_global_id("Quote", quote_id)
    bodies = await asyncio.gather(
        *(gql(client, ACCEPT, {"input": {"quoteId": gid}}, auth=token()) for _ in range(20))
    )
    payloads = [b["data"]["acceptQuote"] for b in bodies]
    ok = [p for p in payloads if not p["userErrors"]]
    assert len(ok) == 1
    assert ok[0]["quote"]["status"] == "ORDER_SUBMITTED"
    assert (
        sorted(p["userErrors"][0]["code"] for p in payloads if p["userErrors"])
        == ["QUOTE_NOT_OPEN"] * 19
    )
    assert await count(container, m.Order) == 1


async def test_concurrent_quotes_for_one_subscription_make_one(container):
    await seed(container, document([subscription("SUB-1")]))
    pk = await sub_pk(container, "SUB-1")
    results = await asyncio.gather(
        *(
            create_renewal_quote(container, SALES, Visibility(), CreateQuoteCommand([pk]))
            for _ in range(10)
        ),
        return_exceptions=True,
    )
    assert len([r for r in results if isinstance(r, int)]) == 1
    assert all(
        r.codes == [ErrorCode.ALREADY_ON_OPEN_QUOTE] for r in results if not isinstance(r, int)
    )
    assert await count(container, m.Quote) == 1


async def test_concurrent_creates_with_one_idempotency_key_make_one_quote(container):
    await seed(container, document([subscription("SUB-1")]))
    pk = await sub_pk(container, "SUB-1")
    command = CreateQuoteCommand([pk], idempotency_key="retry-me")
    async with container.db.read_engine.connect() as conn:
        customer_id = (await conn.execute(select(m.Customer.id))).scalar_one()
    results = await asyncio.gather(
        *(
            create_renewal_quote(container, BUYER, Visibility(customer_id=customer_id), command)
            for _ in range(8)
        ),
        return_exceptions=True,
    )
    assert len(set(results)) == 1 and isinstance(results[0], int), results
    assert await count(container, m.Quote) == 1
    assert await count(container, m.IdempotencyKey) == 1
