"""Operation documents and calls shared by the mutation tests; readers of the rows they write."""

import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from renewals.api.core.ids import to_global_id
from renewals.persistence import models as m
from renewals.services.worker import drain
from tests.factories import TODAY, customer
from tests.helpers import gql, token

OTHER = "5100000002"
BUYER_SCOPE = "buyer:5100000001:buyer-5100000001"

QUOTE_FIELDS = """
  id number type origin status currency paymentMethod expiresOn
  subtotal { amount currency } discountTotal { amount currency } total { amount currency }
  lines { subscription { number } seats term startDate endDate
          unitPrice { amount } subtotal { amount } discount { amount } total { amount } }
  promotions { code description discount { amount currency } }
  recipients { email name }
  statusHistory { status previousStatus actor reason }
  order { number total { amount currency } }
"""
CREATE = (
    "mutation($input: CreateRenewalQuoteInput!) { createRenewalQuote(input: $input) {"
    f" quote {{ {QUOTE_FIELDS} }} userErrors {{ code field message }} }} }}"
)
ACCEPT = (
    "mutation($input: AcceptQuoteInput!) { acceptQuote(input: $input) {"
    f" quote {{ {QUOTE_FIELDS} }} order {{ number total {{ amount currency }} paymentReference }}"
    " userErrors { code field message } } }"
)
CANCEL = (
    "mutation($input: CancelQuoteInput!) { cancelQuote(input: $input) {"
    f" quote {{ {QUOTE_FIELDS} }} userErrors {{ code field message }} }} }}"
)
SET_AUTO_RENEW = """mutation($input: SetAutoRenewInput!) { setAutoRenew(input: $input) {
  subscription { number autoRenew } userErrors { code field message } } }"""
QUOTE = f"query($number: String!) {{ quote(number: $number) {{ {QUOTE_FIELDS} }} }}"
SUBSCRIPTION = """query($id: ID!) { node(id: $id) { ... on Subscription {
  number seats term startDate endDate autoRenew openQuote { number } } } }"""

TABLES = (
    m.Quote,
    m.QuoteLine,
    m.OutboxJob,
    m.Email,
    m.IdempotencyKey,
    m.QuoteStatusChange,
    m.Order,
)

TWO_CUSTOMERS = [customer(), customer(OTHER, "Other GmbH", "buyer@other.example")]


async def sub_id(container, number: str) -> str:
    async with container.db.read_engine.connect() as conn:
        pk = (
            await conn.execute(select(m.Subscription.id).where(m.Subscription.number == number))
        ).scalar_one()
    return to_global_id("Subscription", pk)


async def row_counts(container) -> dict[str, int]:
    async with container.db.read_engine.connect() as conn:
        return {
            t.__tablename__: (await conn.execute(select(func.count()).select_from(t))).scalar_one()
            for t in TABLES
        }


async def subscription_rows(container) -> list[tuple]:
    async with container.db.read_engine.connect() as conn:
        rows = await conn.execute(select(m.Subscription.__table__).order_by(m.Subscription.id))
        return [tuple(r) for r in rows]


async def create(
    client, container, numbers: list[str], auth: str | None = None, **extra: Any
) -> dict:
    ids = [await sub_id(container, n) for n in numbers]
    body = await gql(
        client, CREATE, {"input": {"subscriptionIds": ids, **extra}}, auth=auth or token()
    )
    assert "errors" not in body, body
    return body["data"]["createRenewalQuote"]


async def quoted(
    client, container, numbers: list[str], auth: str | None = None, **extra: Any
) -> dict:
    """A quote made and finalized by the worker: QUOTED."""
    payload = await create(client, container, numbers, auth, **extra)
    assert payload["userErrors"] == []
    await drain(container)
    return await read_quote(client, payload["quote"]["number"])


async def read_quote(client, number: str, auth: str | None = None) -> dict:
    body = await gql(client, QUOTE, {"number": number}, auth=auth or token("sales", None))
    return body["data"]["quote"]


async def read_sub(client, gid: str) -> dict:
    body = await gql(client, SUBSCRIPTION, {"id": gid}, auth=token("sales", None))
    return body["data"]["node"]


async def accept(client, auth: str | None = None, **input: Any) -> dict:
    body = await gql(client, ACCEPT, {"input": input}, auth=auth)
    assert "errors" not in body, body
    return body["data"]["acceptQuote"]


async def cancel(client, quote_id: str, auth: str, reason: str | None = None) -> dict:
    body = await gql(client, CANCEL, {"input": {"quoteId": quote_id, "reason": reason}}, auth=auth)
    assert "errors" not in body, body
    return body["data"]["cancelQuote"]


async def checkout_token(container, quote_number: str) -> str:
    async with container.db.read_engine.connect() as conn:
        body = (
            await conn.execute(
                select(m.Email.body)
                .join(m.Quote, m.Quote.id == m.Email.quote_id)
                .where(m.Quote.number == quote_number)
                .order_by(m.Email.id)
            )
        ).first()[0]
    return re.search(r"token=([^\s]+)", body).group(1)


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


def end(days: int) -> date:
    return TODAY + timedelta(days=days)


def history(quote: dict) -> list[tuple]:
    return [(h["status"], h["previousStatus"], h["actor"]) for h in quote["statusHistory"]]
