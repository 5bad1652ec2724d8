"""No N+1: each list operation issues the same, pinned number of SELECTs for 5 rows and for 200."""

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event

from renewals.api.core.ids import to_global_id
from renewals.app import create_app
from renewals.config import Settings
from renewals.container import build_container
from renewals.domain.visibility import Visibility
from renewals.persistence.db import IDLE_TICKS
from renewals.persistence.reads import SubscriptionQuery, subscription_page
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from renewals.services.worker import run_one_job
from tests.dbs import Template, run_async
from tests.factories import SECRET, TODAY, document, subscription
from tests.helpers import count_sql, gql, seed, token

A, P1 = "5100000001", "P000000001"

SUBSCRIPTIONS = """
{
  subscriptions(first: 100) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id number seats term endDate status
        customer { csn name address { city } contacts { email role } }
        reseller { csn name }
        renewalWindow { opensOn closesOn isOpen }
        renewalEligibility { eligible reasons }
        openQuote { number status total { amount } customer { csn } }
      }
    }
  }
}
"""
GROUPS = """
{
  eligibleRenewalGroups {
    key currency paymentMethod
    customer { csn name contacts { email } }
    reseller { csn name }
    estimatedTotal { amount currency }
    subscriptions {
      number
      customer { csn }
      reseller { csn }
      renewalEligibility { eligible reasons }
      renewalWindow { isOpen }
    }
  }
}
"""
QUOTES = """
{
  quotes(first: 100) {
    totalCount
    edges {
      node {
        number status total { amount }
        customer { csn name contacts { email } }
        reseller { csn }
        lines {
          seats unitPrice { amount }
          subscription { number customer { csn } reseller { csn } openQuote { number } }
        }
        promotions { code discount { amount } }
        recipients { email }
        statusHistory { status actor }
        order { number }
      }
    }
  }
}
"""
OPERATIONS = {"subscriptions": SUBSCRIPTIONS, "eligibleRenewalGroups": GROUPS, "quotes": QUOTES}
VIEWERS = {
    "sales": token("sales", None),
    "buyer": token("buyer", A),
    "partner": token("partner", P1),
}
# Measured once and pinned: a change means a new query per row (N+1) or a lost batch.
# subscriptions: page, count, customers, contacts, partners, prices, open quotes.
# eligibleRenewalGroups: candidates, prices, promotions, customers, contacts, partners.
# quotes: page, count, customers, contacts, partners, lines, line subscriptions, their open
#   quotes, promotions, recipients, status history, orders.
# Buyers and partners add one: their CSN → id (cached per container; each run has a fresh one).
EXPECTED_SELECTS = {
    ("subscriptions", "sales"): 7,
    ("subscriptions", "buyer"): 8,
    ("subscriptions", "partner"): 8,
    ("eligibleRenewalGroups", "sales"): 6,
    ("eligibleRenewalGroups", "buyer"): 7,
    ("eligibleRenewalGroups", "partner"): 7,
    ("quotes", "sales"): 12,
    ("quotes", "buyer"): 13,
    ("quotes", "partner"): 13,
}


def subscription_row(i: int) -> dict:
    """Every other one is in its renewal window; some are resold by P1, some three-year terms."""
    return subscription(
        f"SUB-{i:04d}",
        customer_csn=A,
        reseller_csn=P1 if i % 4 in (0, 1) else None,
        term="THREE_YEAR" if i % 3 == 0 else "ANNUAL",
        seats=1 + i % 7,
        ends_in_days=30 + i % 50 if i % 2 == 0 else 200 + i,
    )


@dataclass(frozen=True)
class DataSet:
    url: str
    subscriptions: int
    quotes: int


async def build(url: str, size: int, quoted: list[list[int]]) -> None:
    container = build_container(Settings(database_url=url, secret_key=SECRET, today=TODAY))
    try:
        await seed(container, document([subscription_row(i) for i in range(size)]))
        async with container.db.read_engine.connect() as conn:
            records = await subscription_page(conn, Visibility(), SubscriptionQuery(), None, size)
        pk = {r.number: r.id for r in records}
        for group in quoted:
            ids = [pk[f"SUB-{i:04d}"] for i in group]
            await create_renewal_quote(
                container, None, Visibility(), CreateQuoteCommand(subscription_ids=ids)
            )
    finally:
        await container.close()


def make(root: Path, name: str, size: int, quoted: list[list[int]]) -> tuple[Template, DataSet]:
    template = Template(root, name, seed=lambda url: run_async(lambda: build(url, size, quoted)))
    return template, DataSet(template.url, size, len(quoted))


@pytest.fixture(scope="module")
def data_sets(tmp_path_factory) -> Iterator[tuple[DataSet, DataSet]]:
    """Read-only databases shared by the module: 5 subscriptions and 2 quotes; 200 and 12."""
    root = tmp_path_factory.mktemp("sql_counts")
    small_template, small = make(root, "small", 5, [[0], [2]])
    # In the large set: single and multi-line quotes, with and without reseller and promotion.
    large_quotes = [[i] for i in range(0, 40, 4)] + [[2, 6, 10], [18, 22]]
    large_template, large = make(root, "large", 200, large_quotes)
    yield small, large
    small_template.drop()
    large_template.drop()


async def measure(data: DataSet, query: str, auth: str) -> tuple[int, dict]:
    """Runs one operation against a fresh app and container; returns (SELECT count, data)."""
    # The resolvers' SQL is counted; the rate budget's own statement (one row lock per request
    # on PostgreSQL, none on SQLite: a constant, see persistence/budgets.py) is left out.
    settings = Settings(
        database_url=data.url, secret_key=SECRET, today=TODAY, smtp_url=None, cost_budget=0
    )
    container = build_container(settings)
    app = create_app(container=container, background=False)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            headers = {"Authorization": f"Bearer {auth}"}
            with count_sql(container) as counter:
                response = await client.post("/graphql", json={"query": query}, headers=headers)
    finally:
        await container.close()
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return counter.selects, body["data"]


def rows(operation: str, data: dict) -> int:
    """How many top-level rows the response holds (to show the large run is large)."""
    if operation == "eligibleRenewalGroups":
        return sum(len(g["subscriptions"]) for g in data[operation])
    return len(data[operation]["edges"])


@pytest.mark.parametrize("viewer", list(VIEWERS))
@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_select_count_does_not_grow_with_rows(data_sets, operation, viewer):
    small, large = data_sets
    small_selects, small_data = await measure(small, OPERATIONS[operation], VIEWERS[viewer])
    large_selects, large_data = await measure(large, OPERATIONS[operation], VIEWERS[viewer])
    assert rows(operation, large_data) > rows(operation, small_data) > 0
    assert small_selects == EXPECTED_SELECTS[operation, viewer]
    assert large_selects == small_selects


async def checkouts(data: DataSet, query: str, auth: str) -> tuple[int, int]:
    """Runs one operation; returns (read connections checked out, those still out after it)."""
    settings = Settings(
        database_url=data.url, secret_key=SECRET, today=TODAY, smtp_url=None, cost_budget=0
    )
    container = build_container(settings)
    app = create_app(container=container, background=False)
    pool = container.db.read_engine.sync_engine.pool
    taken: list[object] = []
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            headers = {"Authorization": f"Bearer {auth}"}
            event.listen(pool, "checkout", lambda *_: taken.append(1))
            response = await client.post("/graphql", json={"query": query}, headers=headers)
            assert response.status_code == 200 and "errors" not in response.json()
            assert pool.checkedout() == 0  # given back when the operation ended (ReleaseReads)
            for _ in range(IDLE_TICKS + 5):  # the connection goes back once idle ...
                await asyncio.sleep(0)
            for _ in range(100):  # ... on PostgreSQL after its ROLLBACK's round trip
                if not pool.checkedout():
                    break
                await asyncio.sleep(0.01)
            return len(taken), pool.checkedout()
    finally:
        await container.close()


@pytest.mark.parametrize("viewer", ["sales", "partner"])
@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_an_operation_reads_through_one_connection_and_gives_it_back(
    data_sets, operation, viewer
):
    # Its statements (page, count, every loader batch, the CSN lookup) share one connection.
    _, large = data_sets
    taken, still_out = await checkouts(large, OPERATIONS[operation], VIEWERS[viewer])
    assert (taken, still_out) == (1, 0)


async def test_concurrent_operations_each_read_on_their_own_connection(data_sets):
    # Sibling loaders of one request take turns on its connection; requests run side by side.
    _, large = data_sets
    settings = Settings(
        database_url=large.url, secret_key=SECRET, today=TODAY, smtp_url=None, cost_budget=0
    )
    container = build_container(settings)
    app = create_app(container=container, background=False)
    pool = container.db.read_engine.sync_engine.pool
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            headers = {"Authorization": f"Bearer {VIEWERS['sales']}"}
            queries = [OPERATIONS[name] for name in OPERATIONS] * 8
            responses = await asyncio.wait_for(
                asyncio.gather(
                    *(client.post("/graphql", json={"query": q}, headers=headers) for q in queries)
                ),
                timeout=120,
            )
            for _ in range(IDLE_TICKS + 5):
                await asyncio.sleep(0)
            for _ in range(100):
                if not pool.checkedout():
                    break
                await asyncio.sleep(0.01)
            assert pool.checkedout() == 0
    finally:
        await container.close()
    bodies = [r.json() for r in responses]
    assert all("errors" not in b for b in bodies), bodies[0]
    first = {name: bodies[i]["data"] for i, name in enumerate(OPERATIONS)}
    for i, body in enumerate(bodies):
        assert body["data"] == first[list(OPERATIONS)[i % len(OPERATIONS)]]


# --- Writes: createRenewalQuote and its finalize job -----------------------------------------

CREATE = """mutation($ids: [ID!]!) { createRenewalQuote(input: {subscriptionIds: $ids}) {
  quote { number status } userErrors { code message } } }"""
# Measured and pinned. SQLite: create: BEGIN, subscriptions, contacts, prices with promotions, quote (numbered in its
# INSERT), lines, recipients, claim, history (with its count of listening webhook endpoints),
# finalize job, the payload's quote. finalize: BEGIN, claim, quote, lines (with subscriptions,
# customer, reseller), prices with promotions, old promotions deleted, the move (with totals,
# address and nonce), history, the emails (read from the recipients by their INSERT), job done.
# An applied promotion adds its INSERT to each; a listening webhook endpoint adds its reads.
# PostgreSQL: no BEGIN statement, but one NOTIFY per status change and, in the request, the rate
# budget's three (persistence/budgets.py).
EXPECTED_WRITES = {"sqlite": (11, 10), "postgresql": (14, 10)}


async def create_and_finalize(client, container, ids: list[int]) -> tuple[int, int]:
    """(statements of createRenewalQuote through the API, statements of its finalize job)."""
    variables = {"ids": [to_global_id("Subscription", i) for i in ids]}
    with count_sql(container) as created:
        body = await gql(client, CREATE, variables, auth=token("sales", None))
    assert body["data"]["createRenewalQuote"]["userErrors"] == [], body
    with count_sql(container) as finalized:
        assert await run_one_job(container)
    assert not await run_one_job(container)
    return created.total, finalized.total


@pytest.mark.parametrize("size", [12, 300])
async def test_create_and_finalize_statements_do_not_grow_with_lines_or_data(
    client, container, size
):
    subs = [subscription(f"SUB-{i:04d}", ends_in_days=30 + i % 60) for i in range(size)]
    await seed(container, document(subs))
    async with container.db.read_engine.connect() as conn:
        records = await subscription_page(conn, Visibility(), SubscriptionQuery(), None, size)
    ids = sorted(r.id for r in records)
    for pk in ids[12:]:  # the larger data set also holds many quotes
        await create_renewal_quote(
            container, None, Visibility(), CreateQuoteCommand(subscription_ids=[pk])
        )
    while await run_one_job(container):
        pass
    await create_and_finalize(client, container, [ids[0]])  # warms per-process caches
    one = await create_and_finalize(client, container, [ids[1]])
    ten = await create_and_finalize(client, container, ids[2:12])
    assert one == ten == EXPECTED_WRITES[container.db.write_engine.dialect.name]
