"""Query.orders, Subscription.orders and the Order node: automatic renewals and accepted quotes,
each visible per the usual rules (buyer: its customer; partner: what it resells; sales: all)."""

from datetime import timedelta

import pytest

from renewals.domain.visibility import Visibility
from renewals.services.orders import AcceptCommand, accept_quote
from renewals.services.worker import drain
from tests.factories import TODAY, customer, document, subscription
from tests.helpers import gql, seed, token
from tests.services.lifecycle.helpers import SALES, make_quote
from tests.services.test_jobs import jobs_on

A, B, P1 = "5100000001", "5100000002", "P000000001"

ORDERS = """
query($first: Int, $after: String, $filter: OrderFilter) {
  orders(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id number origin status currency total { amount currency }
      quote { number }
      customer { csn }
      subscriptions { number }
      lines { seats term startDate endDate unitPrice { amount } subscription { number } }
      statusHistory { status previousStatus actor }
    }
  }
}
"""


@pytest.fixture
async def ordered(container):
    """Automatic renewals of A-AUTO, A-P1 (two monthly terms) and B-P1, and one quote order of
    A-QUOTE (accepted and fulfilled), placed in that order."""
    await seed(
        container,
        document(
            [
                subscription("A-AUTO", customer_csn=A, ends_in_days=0, auto_renew=True),
                subscription(
                    "A-P1",
                    customer_csn=A,
                    reseller_csn=P1,
                    term="MONTHLY",
                    ends_in_days=-35,
                    auto_renew=True,
                ),
                subscription(
                    "B-P1", customer_csn=B, reseller_csn=P1, ends_in_days=0, auto_renew=True
                ),
                subscription("A-QUOTE", customer_csn=A, ends_in_days=60),
            ],
            customers=[customer(A), customer(B, name="Bolt GmbH", buyer="b@bolt.example")],
        ),
    )
    await jobs_on(container, TODAY)
    quote_id = await make_quote(container, "A-QUOTE")
    await drain(container)
    await accept_quote(
        container, SALES, Visibility(), AcceptCommand(quote_id=quote_id, quote_id_given=True)
    )
    await drain(container)


def numbers(body) -> list[tuple[str, list[str]]]:
    return [
        (n["origin"], [s["number"] for s in n["subscriptions"]])
        for n in body["data"]["orders"]["nodes"]
    ]


async def test_sales_sees_every_order_newest_first(client, ordered):
    body = await gql(client, ORDERS, auth=token("sales", None))
    assert numbers(body) == [
        ("QUOTE", ["A-QUOTE"]),
        ("AUTO_RENEWAL", ["B-P1"]),
        ("AUTO_RENEWAL", ["A-P1"]),
        ("AUTO_RENEWAL", ["A-P1"]),
        ("AUTO_RENEWAL", ["A-AUTO"]),
    ]
    assert body["data"]["orders"]["totalCount"] == 5
    quote_order, auto = body["data"]["orders"]["nodes"][0], body["data"]["orders"]["nodes"][-1]
    assert quote_order["quote"]["number"].startswith("Q-")
    assert quote_order["status"] == "COMPLETED"
    assert auto["quote"] is None
    assert auto["number"].startswith("A-")
    assert auto["total"] == {"amount": "10500.00", "currency": "EUR"}
    assert auto["customer"] == {"csn": A}
    (line,) = auto["lines"]
    assert line["seats"] == 5 and line["term"] == "ANNUAL"
    assert line["startDate"] == (TODAY + timedelta(days=1)).isoformat()
    assert line["subscription"] == {"number": "A-AUTO"}
    assert [(h["previousStatus"], h["status"]) for h in auto["statusHistory"]] == [
        (None, "PENDING"),
        ("PENDING", "COMPLETED"),
    ]


@pytest.mark.parametrize(
    ("role", "csn", "expected"),
    [
        ("buyer", A, [["A-QUOTE"], ["A-P1"], ["A-P1"], ["A-AUTO"]]),
        ("buyer", B, [["B-P1"]]),
        ("partner", P1, [["B-P1"], ["A-P1"], ["A-P1"]]),
        ("partner", "P000000002", []),
    ],
)
async def test_each_viewer_sees_its_own_orders(client, ordered, role, csn, expected):
    body = await gql(client, ORDERS, auth=token(role, csn))
    assert [subs for _, subs in numbers(body)] == expected
    assert body["data"]["orders"]["totalCount"] == len(expected)


async def test_filters_by_customer_and_by_subscription(client, ordered):
    sales = token("sales", None)
    body = await gql(client, ORDERS, {"filter": {"customerCsn": B}}, auth=sales)
    assert numbers(body) == [("AUTO_RENEWAL", ["B-P1"])]
    body = await gql(client, ORDERS, {"filter": {"customerCsn": "5199999999"}}, auth=sales)
    assert body["data"]["orders"]["nodes"] == []

    subs = await gql(client, "{ subscriptions(first: 10) { nodes { id number } } }", auth=sales)
    ids = {n["number"]: n["id"] for n in subs["data"]["subscriptions"]["nodes"]}
    body = await gql(client, ORDERS, {"filter": {"subscriptionId": ids["A-P1"]}}, auth=sales)
    assert numbers(body) == [("AUTO_RENEWAL", ["A-P1"]), ("AUTO_RENEWAL", ["A-P1"])]
    # Both conditions must hold; another customer's subscription: nothing.
    body = await gql(
        client,
        ORDERS,
        {"filter": {"subscriptionId": ids["A-P1"], "customerCsn": B}},
        auth=sales,
    )
    assert body["data"]["orders"]["nodes"] == []


async def test_a_subscription_id_that_is_not_one_is_bad_input(client, ordered):
    body = await gql(
        client, ORDERS, {"filter": {"subscriptionId": "bm90LWFuLWlk"}}, auth=token("sales", None)
    )
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "subscriptionId" in error["message"]


async def test_pages_follow_the_cursor(client, ordered):
    sales = token("sales", None)
    first = await gql(client, ORDERS, {"first": 2}, auth=sales)
    page = first["data"]["orders"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await gql(
        client, ORDERS, {"first": 10, "after": page["pageInfo"]["endCursor"]}, auth=sales
    )
    assert len(page["nodes"]) + len(rest["data"]["orders"]["nodes"]) == 5
    assert rest["data"]["orders"]["pageInfo"]["hasNextPage"] is False
    seen = {n["id"] for n in page["nodes"]} | {n["id"] for n in rest["data"]["orders"]["nodes"]}
    assert len(seen) == 5


async def test_subscription_orders_are_newest_first_and_visible_ones_only(client, ordered):
    query = """{ subscriptions(first: 10) { nodes { number orders { number origin lines { startDate } } } } }"""
    body = await gql(client, query, auth=token("buyer", A))
    by_number = {n["number"]: n["orders"] for n in body["data"]["subscriptions"]["nodes"]}
    starts = [o["lines"][0]["startDate"] for o in by_number["A-P1"]]
    assert len(starts) == 2 and starts == sorted(starts, reverse=True)
    assert [o["origin"] for o in by_number["A-QUOTE"]] == ["QUOTE"]
    assert by_number["A-AUTO"][0]["number"].startswith("A-")
    assert "B-P1" not in by_number


async def test_the_order_node_is_visible_per_the_usual_rules(client, ordered):
    body = await gql(client, ORDERS, {"filter": {"customerCsn": A}}, auth=token("sales", None))
    order_id = body["data"]["orders"]["nodes"][-1]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on Order { number origin quote { number } } } }"
    mine = await gql(client, query, {"id": order_id}, auth=token("buyer", A))
    assert mine["data"]["node"]["origin"] == "AUTO_RENEWAL"
    assert mine["data"]["node"]["quote"] is None
    other = await gql(client, query, {"id": order_id}, auth=token("buyer", B))
    assert other["data"]["node"] is None
