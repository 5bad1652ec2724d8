"""A global id or cursor whose number no primary key can hold names nothing; it never reaches SQL
(W6: SQLite raised OverflowError, an INTERNAL_SERVER_ERROR)."""

import base64

import pytest

from renewals.api.core.ids import MAX_PK, to_global_id
from tests.api.mutations.helpers import CREATE, SET_AUTO_RENEW
from tests.helpers import gql, token

SALES = token("sales", None)
NODE = "query ($id: ID!) { node(id: $id) { id } }"
PAGE = "query ($after: String) { subscriptions(after: $after) { totalCount } }"
HUGE = [MAX_PK + 1, 2**63, 10**30]


@pytest.mark.parametrize("pk", HUGE)
async def test_node_with_a_huge_number_is_null(client, container, pk):
    body = await gql(client, NODE, {"id": to_global_id("Subscription", pk)}, auth=SALES)
    assert body == {"data": {"node": None}}


@pytest.mark.parametrize("pk", HUGE)
async def test_a_mutation_naming_a_huge_number_is_not_found(client, container, pk):
    variables = {"input": {"subscriptionId": to_global_id("Subscription", pk), "enabled": False}}
    body = await gql(client, SET_AUTO_RENEW, variables, auth=SALES)
    assert body["data"]["setAutoRenew"]["userErrors"] == [
        {
            "code": "NOT_FOUND",
            "field": ["input", "subscriptionId"],
            "message": "No such subscription.",
        }
    ]


async def test_a_quote_for_a_huge_number_is_refused_as_not_found(client, container):
    variables = {"input": {"subscriptionIds": [to_global_id("Subscription", 10**30)]}}
    body = await gql(client, CREATE, variables, auth=SALES)
    codes = [e["code"] for e in body["data"]["createRenewalQuote"]["userErrors"]]
    assert "NOT_FOUND" in codes
    assert "errors" not in body


@pytest.mark.parametrize("pk", HUGE)
async def test_a_cursor_with_a_huge_number_is_bad_user_input(client, container, pk):
    cursor = base64.urlsafe_b64encode(f"subscriptions:{pk}".encode()).decode()
    body = await gql(client, PAGE, {"after": cursor}, auth=SALES)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


async def test_the_largest_primary_key_is_still_an_id(client, container):
    body = await gql(client, NODE, {"id": to_global_id("Subscription", MAX_PK)}, auth=SALES)
    assert body == {"data": {"node": None}}
