"""What frontend developers tripped over: ids on Customer and Partner, `nodes` on connections,
cursors that belong to one connection, `@specifiedBy` scalars, readable refusal messages."""

import pytest

from renewals.api.core.ids import to_global_id
from tests.factories import customer, document, subscription
from tests.helpers import gql, seed, token

A, B = "5100000001", "5100000002"
P1, P2 = "P000000001", "P000000002"
PARTNERS = [{"csn": P1, "name": "CAD Partner GmbH"}, {"csn": P2, "name": "Other Partner"}]

IDS = (
    """{ subscriptions(first: 10) { nodes { number customer { id csn } reseller { id csn } } } }"""
)
NODE = """query ($id: ID!) { node(id: $id) { __typename id
  ... on Customer { csn name } ... on Partner { csn name } } }"""


async def seed_two_customers(container) -> None:
    await seed(
        container,
        document(
            [
                subscription("SUB-A1", customer_csn=A, reseller_csn=P1),
                subscription("SUB-A2", customer_csn=A),
                subscription("SUB-B1", customer_csn=B, reseller_csn=P2),
            ],
            customers=[customer(A), customer(B, name="Beta GmbH", buyer="b@beta.example")],
            partners=PARTNERS,
        ),
    )


async def test_customer_and_partner_have_global_ids_and_refetch_through_node(client, container):
    await seed_two_customers(container)
    sales = token("sales", None)
    rows = (await gql(client, IDS, auth=sales))["data"]["subscriptions"]["nodes"]
    by_number = {r["number"]: r for r in rows}
    a1 = by_number["SUB-A1"]
    assert a1["customer"]["id"] == by_number["SUB-A2"]["customer"]["id"]  # stable per customer
    assert a1["customer"]["id"] != by_number["SUB-B1"]["customer"]["id"]
    for node_id, typename, csn in (
        (a1["customer"]["id"], "Customer", A),
        (a1["reseller"]["id"], "Partner", P1),
    ):
        node = (await gql(client, NODE, {"id": node_id}, auth=sales))["data"]["node"]
        assert node["__typename"] == typename and node["csn"] == csn and node["id"] == node_id


async def test_viewer_customer_and_partner_carry_ids(client, container):
    await seed_two_customers(container)
    query = "{ viewer { customer { id csn } partner { id csn } } }"
    buyer = (await gql(client, query, auth=token("buyer", A)))["data"]["viewer"]
    assert buyer["customer"]["csn"] == A and buyer["customer"]["id"]
    partner = (await gql(client, query, auth=token("partner", P1)))["data"]["viewer"]
    assert partner["partner"]["csn"] == P1 and partner["partner"]["id"]


@pytest.mark.parametrize(
    ("viewer", "visible"),
    [
        # A buyer: its own customer and its resellers of record; nobody else.
        (("buyer", A), {("Customer", A), ("Partner", P1)}),
        # A partner: itself and the customers it resells to; not the other partner.
        (("partner", P1), {("Customer", A), ("Partner", P1)}),
        (("partner", P2), {("Customer", B), ("Partner", P2)}),
        (("sales", None), {("Customer", A), ("Customer", B), ("Partner", P1), ("Partner", P2)}),
    ],
)
async def test_customer_and_partner_nodes_follow_visibility(client, container, viewer, visible):
    await seed_two_customers(container)
    ids = {}
    async with container.db.read_engine.connect() as conn:
        from sqlalchemy import select

        from renewals.persistence import models as m

        for model, kind in ((m.Customer, "Customer"), (m.Partner, "Partner")):
            for pk, csn in (await conn.execute(select(model.id, model.csn))).all():
                ids[(kind, csn)] = to_global_id(kind, pk)
    auth = token(*viewer)
    seen = set()
    for key, node_id in ids.items():
        node = (await gql(client, NODE, {"id": node_id}, auth=auth))["data"]["node"]
        if node is not None:
            assert (node["__typename"], node["csn"]) == key
            seen.add(key)
    assert seen == visible


async def test_connections_have_a_nodes_shortcut(client, container):
    await seed_two_customers(container)
    query = """{ subscriptions(first: 2) { nodes { number } edges { node { number } } }
                 quotes(first: 5) { nodes { number } } }"""
    data = (await gql(client, query, auth=token("sales", None)))["data"]
    nodes = [n["number"] for n in data["subscriptions"]["nodes"]]
    assert nodes == [e["node"]["number"] for e in data["subscriptions"]["edges"]]
    assert len(nodes) == 2
    assert data["quotes"]["nodes"] == []


async def test_a_cursor_of_another_connection_is_bad_user_input(client, container):
    await seed_two_customers(container)
    sales = token("sales", None)
    mutation = """mutation ($ids: [ID!]!) { createRenewalQuote(input: {subscriptionIds: $ids}) {
        quote { number } userErrors { code } } }"""
    sub_id = to_global_id("Subscription", 1)
    assert (await gql(client, mutation, {"ids": [sub_id]}, auth=sales))["data"][
        "createRenewalQuote"
    ]["userErrors"] == []
    quotes_cursor = (
        await gql(client, "{ quotes(first: 1) { pageInfo { endCursor } } }", auth=sales)
    )["data"]["quotes"]["pageInfo"]["endCursor"]
    subs_cursor = (
        await gql(client, "{ subscriptions(first: 1) { pageInfo { endCursor } } }", auth=sales)
    )["data"]["subscriptions"]["pageInfo"]["endCursor"]
    for field, cursor in (("subscriptions", quotes_cursor), ("quotes", subs_cursor)):
        body = await gql(
            client,
            f"query ($after: String) {{ {field}(after: $after) {{ totalCount }} }}",
            {"after": cursor},
            auth=sales,
        )
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
        assert field in body["errors"][0]["message"]
    # Each cursor still pages its own connection.
    own = await gql(
        client,
        "query ($after: String) { subscriptions(after: $after) { nodes { number } } }",
        {"after": subs_cursor},
        auth=sales,
    )
    assert "errors" not in own and len(own["data"]["subscriptions"]["nodes"]) == 2


async def test_scalars_carry_specified_by(client):
    query = """{ __schema { types { name kind specifiedByURL } } }"""
    types = {t["name"]: t for t in (await gql(client, query))["data"]["__schema"]["types"]}
    for name in ("Date", "DateTime", "Decimal"):
        assert types[name]["kind"] == "SCALAR"
        assert types[name]["specifiedByURL"].startswith("https://"), name


async def test_mixed_refusal_messages_name_what_differs(client, container):
    await seed(
        container,
        document([subscription("SUB-1"), subscription("SUB-2", currency="USD")]),
    )
    mutation = """mutation ($ids: [ID!]!) { createRenewalQuote(input: {subscriptionIds: $ids}) {
        userErrors { code message } } }"""
    ids = [to_global_id("Subscription", 1), to_global_id("Subscription", 2)]
    errors = (await gql(client, mutation, {"ids": ids}, auth=token()))["data"][
        "createRenewalQuote"
    ]["userErrors"]
    assert errors == [
        {
            "code": "MIXED_CURRENCIES",
            "message": "All subscriptions on one quote must have the same currency; "
            "these have EUR, USD.",
        }
    ]
