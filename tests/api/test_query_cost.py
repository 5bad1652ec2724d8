"""Issue 11, part 5: every operation is priced from its document before it runs; above the
maximum it is refused (MAX_COST_EXCEEDED), and each token spends a budget that refills over time
(THROTTLED with when to retry). `extensions.cost` tells the price and what is left."""

import re
from pathlib import Path

import pytest
from graphql import parse

from renewals.api.core.cost import LIST_ESTIMATE, MUTATION_COST, CostCache, operation_cost
from renewals.api.schema import build_schema
from tests.factories import document, subscription
from tests.helpers import gql, seed, token

SCHEMA = build_schema()._schema  # noqa: SLF001
SPA = Path(__file__).resolve().parents[2] / "frontend" / "app" / "src"


def cost(query: str, variables: dict | None = None, name: str | None = None) -> int:
    return operation_cost(SCHEMA, parse(query), name, variables)


def test_objects_cost_one_scalars_nothing_and_pages_multiply():
    assert cost("{ viewer { role } }") == 1
    assert cost("{ subscriptions { nodes { number } } }") == 1 + 20 * 1  # default page: 20
    assert cost("{ subscriptions(first: 5) { nodes { number customer { name } } } }") == 1 + 5 * 2
    edges = "{ quotes(first: 3) { edges { node { number } } pageInfo { hasNextPage } } }"
    assert cost(edges) == 1 + 3 * (1 + 1) + 1
    nested = "{ quotes(first: 10) { nodes { lines { subscription { number } } } } }"
    assert cost(nested) == 1 + 10 * (1 + LIST_ESTIMATE * (1 + 1))


def test_variables_fragments_aliases_and_introspection():
    query = "query($n: Int) { subscriptions(first: $n) { nodes { ...S } } } fragment S on Subscription { customer { csn } }"
    assert cost(query, {"n": 7}) == 1 + 7 * 2
    assert cost(query, {"n": 1000}) == 1 + 100 * 2  # beyond the page cap counts as the cap
    aliased = "{ a: viewer { role } b: viewer { role } }"
    assert cost(aliased) == 2
    assert cost("{ __schema { types { name fields { name } } } }") == 0
    two = "query A { viewer { role } } query B { subscriptions(first: 2) { nodes { number } } }"
    assert (cost(two, name="A"), cost(two, name="B")) == (1, 3)


def test_a_mutation_costs_more_than_a_read():
    mutation = (
        'mutation { setAutoRenew(input: {subscriptionId: "x", enabled: true}) '
        "{ subscription { number } userErrors { code } } }"
    )
    assert cost(mutation) == MUTATION_COST + 1 + 1 + LIST_ESTIMATE


async def test_every_executed_response_carries_its_cost(client):
    body = await gql(client, "{ viewer { role } }", auth=token("sales", None), cost=True)
    report = body["extensions"]["cost"]
    assert report["requestedQueryCost"] == 1
    status = report["throttleStatus"]
    assert status["maximumAvailable"] == 100_000
    assert status["currentlyAvailable"] == 100_000 - 1
    again = await gql(client, "{ viewer { role } }", auth=token("sales", None), cost=True)
    assert again["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] >= 100_000 - 2


async def test_a_query_above_the_maximum_is_refused_before_it_runs(client, container):
    await seed(container, document([subscription("SUB-1")]))
    query = "{ subscriptions(first: 100) { nodes { orders { lines { subscription { customer { name } } } } } } }"
    body = await gql(client, query, auth=token("sales", None), cost=True)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["cost"] == 1 + 100 * (1 + 10 * (1 + 10 * (1 + 1 + 1)))
    assert body["data"] is None
    assert body["extensions"]["cost"]["maximumQueryCost"] == 25_000


async def test_an_exhausted_budget_is_throttled_with_when_to_retry(client, container):
    container.settings.cost_budget = 50
    container.settings.cost_restore_rate = 1
    query = "{ subscriptions(first: 20) { nodes { customer { name } } } }"  # 41 points
    sales = token("sales", None)
    first = await gql(client, query, auth=sales, cost=True)
    assert "errors" not in first
    assert first["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 9
    second = await gql(client, query, auth=sales, cost=True)
    (error,) = second["errors"]
    assert error["extensions"]["code"] == "THROTTLED"
    assert error["extensions"]["retryAfterSeconds"] == 32  # 41 - 9 points at 1 point/s
    assert second["data"] is None
    # Another token has its own budget.
    other = await gql(client, query, auth=token("buyer"), cost=True)
    assert "errors" not in other


async def test_without_a_budget_the_cost_is_still_told(client, container):
    container.settings.cost_budget = 0
    body = await gql(client, "{ viewer { role } }", auth=token("sales", None), cost=True)
    assert body["extensions"]["cost"] == {"requestedQueryCost": 1, "maximumQueryCost": 25_000}


def spa_operations() -> list[tuple[str, str]]:
    """(name, document with every fragment) of each operation the reference SPA sends."""
    sources = "\n".join(p.read_text() for p in SPA.rglob("*.ts") if "gql" not in p.parts)
    documents = re.findall(r"graphql\(`(.*?)`\)", sources, flags=re.S)
    fragments = "\n".join(d for d in documents if d.lstrip().startswith("fragment"))
    return [
        (re.search(r"(query|mutation|subscription)\s+(\w+)", d).group(2), f"{d}\n{fragments}")
        for d in documents
        if not d.lstrip().startswith("fragment")
    ]


@pytest.mark.parametrize(("name", "source"), spa_operations())
def test_the_spa_never_comes_near_the_limits(name, source):
    """The SPA's largest page is 100; its every operation stays under a tenth of the maximum,
    so hundreds of them a minute fit in the default budget."""
    assert cost(source, {"first": 100}, name) <= 25_000 // 10


def test_cost_cache_keeps_costs_that_read_no_variable():
    costs = CostCache()
    fixed = parse("{ subscriptions(first: 5) { nodes { number customer { name } } } }")
    assert costs.cost(SCHEMA, fixed, None, None) == 11
    assert costs.cost(SCHEMA, fixed, None, {"unused": 1}) == 11
    assert len(costs.entries) == 1
    paged = parse("query($n: Int) { subscriptions(first: $n) { nodes { customer { csn } } } }")
    assert costs.cost(SCHEMA, paged, None, {"n": 7}) == 1 + 7 * 2
    assert costs.cost(SCHEMA, paged, None, {"n": 2}) == 1 + 2 * 2  # read afresh each time
    assert len(costs.entries) == 1
    two = parse(
        "query A { viewer { role } } query B { subscriptions(first: 2) { nodes { number } } }"
    )
    assert (costs.cost(SCHEMA, two, "A", None), costs.cost(SCHEMA, two, "B", None)) == (1, 3)
    assert (
        costs.cost(SCHEMA, parse("{ viewer { role } }"), None, None) == 1
    )  # equal text, new document
