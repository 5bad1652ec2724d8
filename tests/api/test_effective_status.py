"""A quote past `expiresOn` reads as EXPIRED everywhere from the next business day, before the
daily expiry job has run; a new quote may take its subscriptions; the job only makes it durable."""

from datetime import date, timedelta

from sqlalchemy import select

from renewals.domain.enums import QuoteStatus
from renewals.persistence import models as m
from renewals.services.jobs import expire_quotes
from tests.api.mutations.helpers import create, quoted, read_sub, sub_id
from tests.factories import document, subscription
from tests.helpers import gql, seed, token

QUOTE = "query($n: String!) { quote(number: $n) { status isOpen } }"
QUOTES = """query($f: QuoteFilter) { quotes(first: 10, filter: $f) {
  totalCount nodes { number status isOpen } } }"""
SUB = """query($id: ID!) { node(id: $id) { ... on Subscription {
  autoRenew openQuote { number status isOpen } renewalEligibility { eligible reasons } } } }"""
GROUPS = "{ eligibleRenewalGroups { subscriptions { number } } }"


async def stale_quote(client, container) -> dict:
    """SUB-1 (auto-renew on) on a QUOTED quote that switched auto-renew off; the business date is
    moved to the day after its `expiresOn` and the expiry job has not run."""
    await seed(container, document([subscription("SUB-1", auto_renew=True)]))
    quote = await quoted(client, container, ["SUB-1"], disableAutoRenew=True)
    assert quote["status"] == "QUOTED"
    container.clock.fixed_today = date.fromisoformat(quote["expiresOn"]) + timedelta(days=1)
    return quote


async def sub_node(client, container) -> dict:
    body = await gql(client, SUB, {"id": await sub_id(container, "SUB-1")}, auth=token())
    return body["data"]["node"]


async def quote_status(container, number: str) -> QuoteStatus:
    async with container.db.read_engine.connect() as conn:
        stmt = select(m.Quote.status).where(m.Quote.number == number)
        return (await conn.execute(stmt)).scalar_one()


async def test_quote_reads_expired_on_its_last_day_plus_one(client, container):
    quote = await stale_quote(client, container)
    container.clock.fixed_today -= timedelta(days=1)  # its last day: still open
    body = await gql(client, QUOTE, {"n": quote["number"]}, auth=token())
    assert body["data"]["quote"] == {"status": "QUOTED", "isOpen": True}

    container.clock.fixed_today += timedelta(days=1)
    body = await gql(client, QUOTE, {"n": quote["number"]}, auth=token())
    assert body["data"]["quote"] == {"status": "EXPIRED", "isOpen": False}
    assert await quote_status(container, quote["number"]) == QuoteStatus.QUOTED  # not yet written


async def test_quotes_filters_treat_it_as_expired(client, container):
    quote = await stale_quote(client, container)

    async def listed(f: dict) -> list:
        data = (await gql(client, QUOTES, {"f": f}, auth=token()))["data"]["quotes"]
        assert data["totalCount"] == len(data["nodes"])
        return [(n["number"], n["status"], n["isOpen"]) for n in data["nodes"]]

    assert await listed({"open": True}) == []
    assert await listed({"statuses": ["QUOTED"]}) == []
    expired = [(quote["number"], "EXPIRED", False)]
    assert await listed({"open": False}) == expired
    assert await listed({"statuses": ["EXPIRED"]}) == expired
    assert await listed({"statuses": ["QUOTED", "EXPIRED"], "open": False}) == expired


async def test_subscription_is_free_again(client, container):
    await stale_quote(client, container)
    container.clock.fixed_today -= timedelta(days=1)
    node = await sub_node(client, container)
    assert node["openQuote"]["isOpen"] is True
    assert "ALREADY_ON_OPEN_QUOTE" in node["renewalEligibility"]["reasons"]
    assert (await gql(client, GROUPS, auth=token()))["data"]["eligibleRenewalGroups"] == []

    container.clock.fixed_today += timedelta(days=1)
    node = await sub_node(client, container)
    assert node["openQuote"] is None
    assert node["renewalEligibility"] == {"eligible": True, "reasons": []}
    groups = (await gql(client, GROUPS, auth=token()))["data"]["eligibleRenewalGroups"]
    assert groups == [{"subscriptions": [{"number": "SUB-1"}]}]


async def test_new_quote_takes_over_the_stale_claim_as_the_sweep_would(client, container):
    old = await stale_quote(client, container)
    async with container.bus.listen() as queue:
        payload = await create(client, container, ["SUB-1"])
        assert payload["userErrors"] == []
        events = []
        while not queue.empty():
            events.append(queue.get_nowait())
    assert await quote_status(container, old["number"]) == QuoteStatus.EXPIRED
    assert [(e.status, e.previous_status) for e in events] == [
        (QuoteStatus.EXPIRED, QuoteStatus.QUOTED),
        (QuoteStatus.FINALIZING, None),
    ]
    old = await gql(
        client,
        QUOTE.replace("isOpen", "statusHistory { status }"),
        {"n": old["number"]},
        auth=token(),
    )
    assert [h["status"] for h in old["data"]["quote"]["statusHistory"]][-1] == "EXPIRED"
    sub = await read_sub(client, await sub_id(container, "SUB-1"))
    assert sub["autoRenew"] is True  # R02: given back by the expiry, kept on by the new quote
    assert sub["openQuote"] == {"number": payload["quote"]["number"]}
    assert await expire_quotes(container) == 0  # already durable: nothing left for the job


async def test_sweep_afterwards_publishes_one_expired_event(client, container):
    quote = await stale_quote(client, container)
    body = await gql(client, QUOTE, {"n": quote["number"]}, auth=token())
    assert body["data"]["quote"]["status"] == "EXPIRED"  # read as expired: nothing written
    async with container.bus.listen() as queue:
        assert await expire_quotes(container) == 1
        assert await expire_quotes(container) == 0
        events = []
        while not queue.empty():
            events.append(queue.get_nowait())
    assert [(e.status, e.previous_status) for e in events] == [
        (QuoteStatus.EXPIRED, QuoteStatus.QUOTED)
    ]
    assert (await sub_node(client, container))["autoRenew"] is True
