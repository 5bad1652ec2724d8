"""A list over its cap is one refusal, not one per item (W7: 10,000 ids gave 9,999 userErrors,
100,000 filter values took 0.8 s): in a mutation one INVALID_INPUT userError with the list's
`field`, in a query argument one top-level BAD_USER_INPUT."""

import pytest

from renewals.api.core.ids import to_global_id
from tests.api.mutations.helpers import CREATE
from tests.factories import document, subscription
from tests.helpers import gql, seed, token

SALES = token("sales", None)
SUB = to_global_id("Subscription", 1)
SUBSCRIPTIONS = "query ($f: SubscriptionFilter) { subscriptions(filter: $f) { totalCount } }"
QUOTES = "query ($f: QuoteFilter) { quotes(filter: $f) { totalCount } }"


def create_input(**lists: list) -> dict:
    return {"input": {"subscriptionIds": [SUB], **lists}}


OVER_CAP = {
    "10,000 ids": (
        {"input": {"subscriptionIds": [SUB] * 10_000}},
        ["input", "subscriptionIds"],
        10_000,
    ),
    "501 ids": ({"input": {"subscriptionIds": [SUB] * 501}}, ["input", "subscriptionIds"], 501),
    "501 changes": (
        create_input(changes=[{"subscriptionId": SUB, "seats": 1}] * 501),
        ["input", "changes"],
        501,
    ),
    "501 recipients": (
        create_input(recipients=[{"email": "a@x.example"}] * 501),
        ["input", "recipients"],
        501,
    ),
}


@pytest.mark.parametrize(("variables", "field", "length"), OVER_CAP.values(), ids=OVER_CAP)
async def test_a_mutation_list_over_its_cap_is_one_user_error(
    client, container, variables, field, length
):
    body = await gql(client, CREATE, variables, auth=SALES)
    assert body["data"]["createRenewalQuote"] == {
        "quote": None,
        "userErrors": [
            {
                "code": "INVALID_INPUT",
                "field": field,
                "message": f"At most 500 items are accepted here; got {length}.",
            }
        ],
    }
    assert "errors" not in body


async def test_a_list_at_the_cap_is_checked_item_by_item_as_before(client, container):
    await seed(container, document([subscription("SUB-1")]))
    body = await gql(client, CREATE, {"input": {"subscriptionIds": [SUB] * 500}}, auth=SALES)
    errors = body["data"]["createRenewalQuote"]["userErrors"]
    assert len(errors) == 499  # each repeated id, by its index
    assert errors[0]["field"] == ["input", "subscriptionIds", "1"]


FILTERS = {
    "2,001 numbers": (SUBSCRIPTIONS, {"f": {"numbers": ["N"] * 2001}}, "filter.numbers", 2001),
    "50,000 numbers": (SUBSCRIPTIONS, {"f": {"numbers": [""] * 50_000}}, "filter.numbers", 50_000),
    "2,001 statuses": (QUOTES, {"f": {"statuses": ["QUOTED"] * 2001}}, "filter.statuses", 2001),
}


@pytest.mark.parametrize(("query", "variables", "path", "length"), FILTERS.values(), ids=FILTERS)
async def test_a_filter_list_over_its_cap_is_one_bad_user_input(
    client, container, query, variables, path, length
):
    body = await gql(client, query, variables, auth=SALES)
    assert body["data"] is None
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (f"`{path}`: At most 2000 items are accepted here; got {length}.", "BAD_USER_INPUT")
    ]


async def test_a_filter_list_at_the_cap_runs(client, container):
    await seed(container, document([subscription("SUB-1")]))
    numbers = ["SUB-1"] + [f"N{i}" for i in range(1999)]
    body = await gql(client, SUBSCRIPTIONS, {"f": {"numbers": numbers}}, auth=SALES)
    assert body == {"data": {"subscriptions": {"totalCount": 1}}}


async def test_the_caps_are_configurable(settings):
    import httpx

    from renewals.app import create_app
    from renewals.container import build_container

    small = build_container(
        settings.model_copy(update={"max_input_items": 2, "max_filter_values": 3})
    )
    transport = httpx.ASGITransport(app=create_app(container=small, background=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        created = await gql(
            client, CREATE, create_input(recipients=[{"email": "a@x.example"}] * 3), auth=SALES
        )
        listed = await gql(client, SUBSCRIPTIONS, {"f": {"numbers": ["a"] * 4}}, auth=SALES)
    await small.close()
    assert created["data"]["createRenewalQuote"]["userErrors"][0]["field"] == [
        "input",
        "recipients",
    ]
    assert listed["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
