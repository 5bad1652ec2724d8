"""/metrics: operations by name and outcome, refusal codes, quotes and outbox from the database;
the off switch and the token."""

import httpx

from renewals.app import create_app
from renewals.container import build_container
from tests.api.mutations.helpers import CREATE, create
from tests.factories import document, subscription
from tests.helpers import gql, seed, token
from tests.ops.helpers import value


async def scrape(client: httpx.AsyncClient, **headers: str) -> str:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_operations_refusals_quotes_and_outbox_are_counted(client, container):
    await seed(container, document([subscription("SUB-1")]))
    before = await scrape(client)
    refused = await gql(
        client,
        "mutation Renew($input: CreateRenewalQuoteInput!) { createRenewalQuote(input: $input) "
        "{ userErrors { code } } }",
        {"input": {"subscriptionIds": ["1"]}},
        auth=token(),
    )
    assert refused["data"]["createRenewalQuote"]["userErrors"][0]["code"] == "NOT_FOUND"
    await gql(client, "query Broken { nope }", auth=token())
    await create(client, container, ["SUB-1"])  # anonymous operation; FINALIZING, a job
    after = await scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ops = "renewals_graphql_operations_total"
    assert delta(ops, operation="Renew", type="mutation", outcome="user_error") == 1
    assert delta(ops, operation="(refused)", type="unknown", outcome="refused") == 1
    assert delta(ops, operation="(anonymous)", type="mutation", outcome="ok") == 1
    refusals = "renewals_graphql_refusals_total"
    assert delta(refusals, field="createRenewalQuote", kind="user_error", code="NOT_FOUND") == 1
    assert delta(refusals, field="(operation)", kind="error", code="GRAPHQL_VALIDATION_FAILED") == 1
    latency = "renewals_graphql_operation_duration_seconds_count"
    assert delta(latency, operation="Renew", type="mutation") == 1
    assert value(after, "renewals_quotes", status="FINALIZING") == 1
    assert value(after, "renewals_outbox_depth", outbox="jobs") == 1
    assert value(after, "renewals_outbox_depth", outbox="emails") == 0
    assert value(after, "renewals_outbox_oldest_age_seconds", outbox="jobs") >= 0
    assert "renewals_db_pool_connections_in_use" in after
    # No document, variable or token in any label.
    assert "nope" not in after and token() not in after and "SUB-1" not in after
    assert CREATE not in after


async def test_the_token_protects_the_page(settings):
    container = build_container(settings.model_copy(update={"metrics_token": "s3cret-scrape"}))
    app = create_app(container=container, background=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert "renewals_" in await scrape(client, Authorization="Bearer s3cret-scrape")
    await container.close()


async def test_the_off_switch_removes_the_page(settings):
    container = build_container(settings.model_copy(update={"metrics": False}))
    app = create_app(container=container, background=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        assert (await client.get("/metrics")).status_code == 404
        body = await gql(client, "{ __typename }")
        assert body == {"data": {"__typename": "Query"}}
    await container.close()
