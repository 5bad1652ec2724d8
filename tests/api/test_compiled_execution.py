"""Issue 13, part 1: compiled execution (api/core/execution.py) answers every query with the same
bytes as graphql-core: the SPA's documents, GraphiQL's tabs, the benchmark's, generated ones
(hypothesis-graphql), for every kind of viewer, on the demo data, errors included.

The app runs with RENEWALS_COMPILED_EXECUTION=differential here (as in every test, see
tests/conftest.py): each compiled query is also run by graphql-core, and any difference fails the
request and is recorded in MISMATCHES, which the autouse fixture checks after each test."""

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, OperationType, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from renewals.api.core.execution import MISMATCHES, RUNS
from renewals.app import create_app
from renewals.config import Settings
from renewals.container import build_container
from renewals.services.demo import load_demo
from renewals.web.graphiql import DEFAULT_TABS
from tests.factories import TODAY
from tests.helpers import token

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = (ROOT / "schema.graphql").read_text()
SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z")),
    "Decimal": st.decimals(allow_nan=False, allow_infinity=False, places=2).map(
        lambda d: nodes.String(str(d))
    ),
}
# The demo's buyer and partner (renewals.services.demo), sales, and no token at all.
VIEWERS = {
    "sales": token("sales", None),
    "buyer": token("buyer", "5100000001"),
    "partner": token("partner", "P000000001"),
    "none": None,
}

BENCH_DOCUMENTS = [
    """query S1 { eligibleRenewalGroups { key currency paymentMethod reseller { csn name }
      estimatedTotal { amount currency }
      subscriptions { id number productName seats term endDate autoRenew
        renewalWindow { opensOn closesOn isOpen } renewalEligibility { eligible reasons } } } }""",
    """query S2 { subscriptions(first: 100) { totalCount pageInfo { hasNextPage endCursor }
      nodes { id number productName endDate status customer { csn name } reseller { csn name }
        renewalWindow { opensOn closesOn isOpen } openQuote { id number status } } } }""",
]

# Shapes the plan must get right: aliases, fragments (named, inline, on the interface), both
# directives with variables, __typename, abstract types, lists, errors and null propagation.
SHAPES = [
    """query Shapes($yes: Boolean!, $no: Boolean!) {
      __typename
      me: viewer { role r2: role __typename customer { ...C csn @include(if: $yes) } }
      a: subscriptions(first: 3) { edges { cursor node { ... on Node { id } ...S
        number @skip(if: $no) seats @skip(if: $yes) } } }
      b: subscriptions(first: 2) @include(if: $no) { totalCount }
    }
    fragment C on Customer { name csn }
    fragment S on Subscription { number customer { ...C } ... on Subscription { term } }""",
    """query Nodes($id: ID!, $bad: ID!) {
      n1: node(id: $id) { __typename id ... on Subscription { number endDate }
        ... on Customer { csn } }
      n2: node(id: $bad) { id }
    }""",
    "{ quotes(first: 5) { nodes { id number status total { amount currency } } } }",
    "{ orders(first: 5) { nodes { id __typename } } }",
    '{ quote(number: "Q-does-not-exist") { id } }',
    "{ viewer { role } eligibleRenewalGroups { key } }",
    "{ subscriptions(first: -1) { totalCount } }",
]


def spa_documents() -> list[str]:
    """The SPA's queries (frontend/app/src/gql/gql.ts, the codegen map), with their fragments."""
    text = (ROOT / "frontend/app/src/gql/gql.ts").read_text()
    entries = [
        json.loads(f'"{m}"') for m in re.findall(r'^\s+"((?:[^"\\]|\\.)*)": typeof', text, re.M)
    ]
    fragments = {
        m.group(1): e for e in entries if (m := re.match(r"\s*fragment (\w+)", e)) is not None
    }
    documents = []
    for entry in entries:
        if not re.match(r"\s*query\b", entry):
            continue
        used: list[str] = []
        pending = re.findall(r"\.\.\.(\w+)", entry)
        while pending:
            name = pending.pop()
            if name not in used and name in fragments:
                used.append(name)
                pending.extend(re.findall(r"\.\.\.(\w+)", fragments[name]))
        documents.append(entry + "".join(fragments[name] for name in used))
    return documents


def graphiql_documents() -> list[tuple[str, str]]:
    """(document, operation name) of every query in GraphiQL's default tabs."""
    found = []
    for tab in DEFAULT_TABS:
        for definition in parse(tab["query"]).definitions:
            if (
                isinstance(definition, OperationDefinitionNode)
                and definition.operation == OperationType.QUERY
                and definition.name
            ):
                found.append((tab["query"], definition.name.value))
    return found


def demo_settings(base: Settings) -> Settings:
    return base.model_copy(update={"compiled_execution": "differential", "cost_budget": 0})


async def post(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    auth: str | None = None,
    operation_name: str | None = None,
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {auth}"} if auth else {}
    payload: dict[str, Any] = {"query": query, "variables": variables or {}}
    if operation_name:
        payload["operationName"] = operation_name
    response = await client.post("/graphql", json=payload, headers=headers)
    assert response.status_code < 500, response.text
    body = response.json()
    for error in body.get("errors") or []:
        assert "differs from graphql-core" not in error["message"], (query, MISMATCHES)
    return body


@pytest.fixture
async def demo(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, Any]]]:
    """The demo data with one open quote, and the ids the documents' variables need."""
    container = build_container(demo_settings(settings))
    await load_demo(container.db, TODAY)
    app = create_app(container=container, background=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        page = await post(
            client, "{ subscriptions(first: 5) { nodes { id } } }", None, VIEWERS["sales"]
        )
        ids = [n["id"] for n in page["data"]["subscriptions"]["nodes"]]
        created = await post(
            client,
            "mutation($ids: [ID!]!) { createRenewalQuote(input: {subscriptionIds: $ids}) "
            "{ quote { number } userErrors { code } } }",
            {"ids": ids[:1]},
            VIEWERS["sales"],
        )
        quote = (created["data"]["createRenewalQuote"]["quote"] or {}).get("number")
        yield client, {"ids": ids, "quote": quote}
    await container.close()


async def test_corpus_gives_graphql_cores_bytes_for_every_viewer(demo):
    client, known = demo
    compiled_before = RUNS["compiled"]
    documents = [(d, None) for d in spa_documents() + BENCH_DOCUMENTS + SHAPES]
    documents += graphiql_documents()
    assert len(spa_documents()) >= 3 and graphiql_documents()
    variables = {
        "number": known["quote"] or "Q-none",
        "yes": True,
        "no": False,
        "id": known["ids"][0],
        "bad": "not-a-global-id",
    }
    answers = 0
    for viewer, auth in VIEWERS.items():
        for document, operation_name in documents:
            used = {k: v for k, v in variables.items() if f"${k}" in document}
            body = await post(client, document, used, auth, operation_name)
            assert "data" in body or body.get("errors"), (viewer, document, body)
            answers += 1
        # the directives' other branch
        await post(client, SHAPES[0], {"yes": False, "no": True}, auth)
    assert not MISMATCHES
    # Every one of them was a query the plan covered (none fell back to graphql-core).
    assert RUNS["compiled"] - compiled_before >= answers


async def test_introspection_and_mutations_fall_back_to_graphql_core(demo):
    client, _known = demo
    before = dict(RUNS)
    body = await post(client, "{ __schema { queryType { name } } }")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"
    await post(
        client,
        'mutation { cancelQuote(input: {quoteId: "nope"}) { userErrors { code } } }',
        auth=VIEWERS["sales"],
    )
    assert RUNS["graphql_core"] - before["graphql_core"] == 2
    assert RUNS["compiled"] == before["compiled"]


def test_generated_queries_give_graphql_cores_bytes(settings):
    """hypothesis-graphql's queries (valid ones, every viewer) on the demo data."""
    loop = asyncio.new_event_loop()
    state: dict[str, Any] = {}

    async def start() -> None:
        container = build_container(demo_settings(settings))
        await load_demo(container.db, TODAY)
        app = create_app(container=container, background=False)
        state["container"] = container
        state["client"] = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    async def stop() -> None:
        await state["client"].aclose()
        await state["container"].close()

    loop.run_until_complete(start())
    try:

        @settings_for_fuzz
        @given(
            query=queries(SCHEMA, custom_scalars=SCALARS),
            auth=st.sampled_from(list(VIEWERS.values())),
        )
        def run(query: str, auth: str | None) -> None:
            loop.run_until_complete(post(state["client"], query, None, auth))

        run()
    finally:
        loop.run_until_complete(stop())
        loop.close()
    assert not MISMATCHES


settings_for_fuzz = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
