"""Who sees what: buyers their customer, partners what they resell, sales everything."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from renewals.api.core.ids import pk_of, to_global_id
from renewals.auth import mint_checkout_token, mint_token
from renewals.config import Settings
from renewals.container import build_container
from renewals.domain.enums import Role
from renewals.domain.visibility import Visibility
from renewals.persistence.reads import SubscriptionQuery, subscription_page
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from tests.dbs import Template, run_async
from tests.factories import SECRET, TODAY, customer, document, subscription
from tests.helpers import gql, seed, token, without_cost

A, B = "5100000001", "5100000002"
P1, P2 = "P000000001", "P000000002"

# (number, customer, reseller, quoted): one quoted and one free subscription per customer/reseller.
SUBSCRIPTIONS = [
    ("SUB-A01", A, None, True),
    ("SUB-A02", A, None, False),
    ("SUB-A11", A, P1, True),
    ("SUB-A12", A, P1, False),
    ("SUB-A21", A, P2, True),
    ("SUB-A22", A, P2, False),
    ("SUB-B01", B, None, True),
    ("SUB-B02", B, None, False),
    ("SUB-B11", B, P1, True),
    ("SUB-B12", B, P1, False),
]
QUOTED = [number for number, _, _, quoted in SUBSCRIPTIONS if quoted]
QUOTE_OF = {number: f"Q-2026-{i:06d}" for i, number in enumerate(QUOTED, start=1)}
CUSTOMER_OF = {number: csn for number, csn, _, _ in SUBSCRIPTIONS}
RESELLER_OF = {number: reseller for number, _, reseller, _ in SUBSCRIPTIONS}


@dataclass(frozen=True)
class ViewerCase:
    name: str
    token: str
    customer: str | None = None
    partner: str | None = None

    @property
    def viewer_role(self) -> str:
        return "BUYER" if self.customer else "PARTNER" if self.partner else "SALES"

    def sees(self, number: str) -> bool:
        if self.customer is not None:
            return CUSTOMER_OF[number] == self.customer
        if self.partner is not None:
            return RESELLER_OF[number] == self.partner
        return True


ROLES = [
    ViewerCase("buyer A", token("buyer", A), customer=A),
    ViewerCase("buyer B", token("buyer", B), customer=B),
    ViewerCase("partner P1", token("partner", P1), partner=P1),
    ViewerCase("partner P2", token("partner", P2), partner=P2),
    ViewerCase("sales", token("sales", None)),
]
BY_ROLE = pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])

SUBSCRIPTIONS_QUERY = """
query {
  subscriptions(first: 100) {
    totalCount
    edges { node { number customer { csn } reseller { csn } openQuote { number customer { csn } } } }
  }
}
"""
GROUPS_QUERY = """
query ($csn: String) {
  eligibleRenewalGroups(customerCsn: $csn) {
    key customer { csn } reseller { csn } subscriptions { number customer { csn } }
  }
}
"""
QUOTES_QUERY = """
query {
  quotes(first: 100) {
    totalCount
    edges { node { number customer { csn } reseller { csn } lines { subscription { number } } } }
  }
}
"""
QUOTE_QUERY = """
query ($number: String!) {
  quote(number: $number) { number customer { csn } lines { subscription { number reseller { csn } } } }
}
"""
NODE_QUERY = """
query ($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Subscription { number customer { csn } }
    ... on Quote { number customer { csn } }
  }
}
"""
VIEWER_QUERY = "{ viewer { role customer { csn } partner { csn } } }"
FILTERED_QUERY = """
query ($f: SubscriptionFilter) { subscriptions(filter: $f) { totalCount edges { node { number } } } }
"""


async def build_world(url: str) -> dict[str, str]:
    """Seeds two customers and ten subscriptions, quotes five; returns number → global id."""
    settings = Settings(database_url=url, secret_key=SECRET, today=TODAY, smtp_url=None)
    container = build_container(settings)
    try:
        subs = [
            subscription(number, customer_csn=csn, reseller_csn=reseller)
            for number, csn, reseller, _ in SUBSCRIPTIONS
        ]
        customers = [customer(A), customer(B, name="Beta Bau GmbH", buyer="buyer@beta.example")]
        await seed(container, document(subs, customers))
        async with container.db.read_engine.connect() as conn:
            records = await subscription_page(conn, Visibility(), SubscriptionQuery(), None, 100)
        ids = {r.number: to_global_id("Subscription", r.id) for r in records}
        for number in QUOTED:
            command = CreateQuoteCommand(subscription_ids=[pk_of(ids[number], "Subscription")])
            quote_pk = await create_renewal_quote(container, None, Visibility(), command)
            assert f"Q-{TODAY.year}-{quote_pk:06d}" == QUOTE_OF[number]
            ids[QUOTE_OF[number]] = to_global_id("Quote", quote_pk)
        return ids
    finally:
        await container.close()


@pytest.fixture(scope="module")
def world_template(tmp_path_factory) -> Iterator[Template]:
    """Built once per module; every test gets its own copy of the database."""
    template = Template(
        tmp_path_factory.mktemp("world"),
        "world",
        seed=lambda url: run_async(lambda: build_world(url)),
    )
    yield template
    template.drop()


@pytest.fixture
def database_url(world_template: Template) -> str:
    """Overrides conftest's: the seeded world itself, shared, since these tests only read."""
    return world_template.url


@pytest.fixture
def world(world_template: Template) -> dict[str, str]:
    return world_template.seeded


def subscription_view(number: str) -> dict:
    reseller = RESELLER_OF[number]
    quote = QUOTE_OF.get(number)
    return {
        "number": number,
        "customer": {"csn": CUSTOMER_OF[number]},
        "reseller": {"csn": reseller} if reseller else None,
        "openQuote": {"number": quote, "customer": {"csn": CUSTOMER_OF[number]}} if quote else None,
    }


def quote_view(number: str) -> dict:
    reseller = RESELLER_OF[number]
    return {
        "number": QUOTE_OF[number],
        "customer": {"csn": CUSTOMER_OF[number]},
        "reseller": {"csn": reseller} if reseller else None,
        "lines": [{"subscription": {"number": number}}],
    }


def groups_view(role: ViewerCase, customer_csn: str | None) -> list[dict]:
    """The expected groups: the visible unquoted subscriptions, one group per customer/reseller."""
    groups = []
    for number, csn, reseller, quoted in SUBSCRIPTIONS:
        if quoted or not role.sees(number) or customer_csn not in (None, csn):
            continue
        groups.append(
            {
                "key": f"{csn}:EUR:CREDIT_CARD:{reseller or '-'}",
                "customer": {"csn": csn},
                "reseller": {"csn": reseller} if reseller else None,
                "subscriptions": [{"number": number, "customer": {"csn": csn}}],
            }
        )
    return sorted(groups, key=lambda g: g["key"])


@BY_ROLE
async def test_subscriptions_lists_only_visible_ones_with_their_relations(client, world, role):
    body = await gql(client, SUBSCRIPTIONS_QUERY, auth=role.token)
    visible = [n for n, *_ in SUBSCRIPTIONS if role.sees(n)]
    assert body == {
        "data": {
            "subscriptions": {
                "totalCount": len(visible),
                "edges": [{"node": subscription_view(n)} for n in visible],
            }
        }
    }


def test_expected_visibility_table_is_what_the_contract_says():
    visible = {r.name: [n for n, *_ in SUBSCRIPTIONS if r.sees(n)] for r in ROLES}
    assert visible == {
        "buyer A": ["SUB-A01", "SUB-A02", "SUB-A11", "SUB-A12", "SUB-A21", "SUB-A22"],
        "buyer B": ["SUB-B01", "SUB-B02", "SUB-B11", "SUB-B12"],
        "partner P1": ["SUB-A11", "SUB-A12", "SUB-B11", "SUB-B12"],
        "partner P2": ["SUB-A21", "SUB-A22"],
        "sales": [n for n, *_ in SUBSCRIPTIONS],
    }


@BY_ROLE
@pytest.mark.parametrize("customer_csn", [None, A, B, "5199999999"])
async def test_eligible_groups_hold_only_visible_subscriptions(client, world, role, customer_csn):
    body = await gql(client, GROUPS_QUERY, {"csn": customer_csn}, auth=role.token)
    assert body == {"data": {"eligibleRenewalGroups": groups_view(role, customer_csn)}}


async def test_partner_groups_exclude_the_customers_other_subscriptions(client, world):
    body = await gql(client, GROUPS_QUERY, {"csn": A}, auth=token("partner", P1))
    assert body == {
        "data": {
            "eligibleRenewalGroups": [
                {
                    "key": f"{A}:EUR:CREDIT_CARD:{P1}",
                    "customer": {"csn": A},
                    "reseller": {"csn": P1},
                    "subscriptions": [{"number": "SUB-A12", "customer": {"csn": A}}],
                }
            ]
        }
    }


@BY_ROLE
async def test_quotes_lists_only_quotes_on_visible_subscriptions_newest_first(client, world, role):
    body = await gql(client, QUOTES_QUERY, auth=role.token)
    visible = [n for n in reversed(QUOTED) if role.sees(n)]
    assert body == {
        "data": {
            "quotes": {
                "totalCount": len(visible),
                "edges": [{"node": quote_view(n)} for n in visible],
            }
        }
    }


@BY_ROLE
@pytest.mark.parametrize("number", QUOTED)
async def test_quote_by_number_is_null_unless_visible(client, world, role, number):
    body = await gql(client, QUOTE_QUERY, {"number": QUOTE_OF[number]}, auth=role.token)
    expected = {
        "number": QUOTE_OF[number],
        "customer": {"csn": CUSTOMER_OF[number]},
        "lines": [
            {
                "subscription": {
                    "number": number,
                    "reseller": {"csn": RESELLER_OF[number]} if RESELLER_OF[number] else None,
                }
            }
        ],
    }
    assert body == {"data": {"quote": expected if role.sees(number) else None}}


@BY_ROLE
async def test_unknown_quote_number_is_null(client, world, role):
    body = await gql(client, QUOTE_QUERY, {"number": "Q-2026-999999"}, auth=role.token)
    assert body == {"data": {"quote": None}}


@BY_ROLE
async def test_node_resolves_subscription_ids_only_when_visible(client, world, role):
    for number, csn, _, _ in SUBSCRIPTIONS:
        body = await gql(client, NODE_QUERY, {"id": world[number]}, auth=role.token)
        node = {
            "__typename": "Subscription",
            "id": world[number],
            "number": number,
            "customer": {"csn": csn},
        }
        assert body == {"data": {"node": node if role.sees(number) else None}}, number


@BY_ROLE
async def test_node_resolves_quote_ids_only_when_visible(client, world, role):
    for number in QUOTED:
        quote_number = QUOTE_OF[number]
        body = await gql(client, NODE_QUERY, {"id": world[quote_number]}, auth=role.token)
        node = {
            "__typename": "Quote",
            "id": world[quote_number],
            "number": quote_number,
            "customer": {"csn": CUSTOMER_OF[number]},
        }
        assert body == {"data": {"node": node if role.sees(number) else None}}, quote_number


@pytest.mark.parametrize(
    "node_id",
    [
        "not-an-id",
        "",
        to_global_id("Subscription", 999),
        to_global_id("Quote", 999),
        to_global_id("Order", 999),
        to_global_id("Customer", 999),
        to_global_id("Partner", 999),
        to_global_id("Contact", 1),
    ],
)
async def test_node_with_unknown_or_foreign_id_is_null(client, world, node_id):
    body = await gql(client, NODE_QUERY, {"id": node_id}, auth=token("sales", None))
    assert body == {"data": {"node": None}}


@BY_ROLE
async def test_viewer_names_its_own_customer_or_partner(client, world, role):
    body = await gql(client, VIEWER_QUERY, auth=role.token)
    assert body == {
        "data": {
            "viewer": {
                "role": role.viewer_role,
                "customer": {"csn": role.customer} if role.customer else None,
                "partner": {"csn": role.partner} if role.partner else None,
            }
        }
    }


async def test_buyer_of_unknown_customer_sees_nothing(client, world):
    auth = token("buyer", "5199999999")
    assert (await gql(client, SUBSCRIPTIONS_QUERY, auth=auth)) == {
        "data": {"subscriptions": {"totalCount": 0, "edges": []}}
    }
    assert (await gql(client, QUOTES_QUERY, auth=auth)) == {
        "data": {"quotes": {"totalCount": 0, "edges": []}}
    }
    assert (await gql(client, GROUPS_QUERY, auth=auth)) == {"data": {"eligibleRenewalGroups": []}}
    body = await gql(client, NODE_QUERY, {"id": world["SUB-A01"]}, auth=auth)
    assert body == {"data": {"node": None}}


@pytest.mark.parametrize(
    ("subscription_filter", "expected"),
    [
        ({"customerCsn": A}, ["SUB-A11", "SUB-A12"]),
        ({"customerCsn": B}, ["SUB-B11", "SUB-B12"]),
        ({"resellerCsn": P2}, []),
        ({"numbers": ["SUB-A01", "SUB-A12", "SUB-A22"]}, ["SUB-A12"]),
    ],
)
async def test_partner_filters_cannot_widen_visibility(
    client, world, subscription_filter, expected
):
    body = await gql(client, FILTERED_QUERY, {"f": subscription_filter}, auth=token("partner", P1))
    assert body == {
        "data": {
            "subscriptions": {
                "totalCount": len(expected),
                "edges": [{"node": {"number": n}} for n in expected],
            }
        }
    }


# --- authentication ---------------------------------------------------------------------------

EXPIRED = mint_token(SECRET, Role.BUYER, customer_csn=A, ttl=timedelta(seconds=-1))
FORGED = mint_token("another-secret-key-that-is-long-enough-for-hs256", Role.SALES)
SALES_TOKEN = mint_token(SECRET, Role.SALES)  # valid: only the header around it is wrong
NOW = datetime.now(UTC)
CLAIMS = {
    "iss": "renewals",
    "typ": "bearer",
    "sub": "x",
    "iat": NOW,
    "exp": NOW + timedelta(hours=1),
}
UNSIGNED = jwt.encode({**CLAIMS, "role": "SALES"}, None, algorithm="none")
BUYER_WITHOUT_CSN = jwt.encode({**CLAIMS, "role": "BUYER"}, SECRET, algorithm="HS256")
UNKNOWN_ROLE = jwt.encode({**CLAIMS, "role": "ADMIN"}, SECRET, algorithm="HS256")
CHECKOUT = mint_checkout_token(SECRET, 1, "nonce", TODAY)  # signed by us, but not a bearer token
BAD_HEADERS = {
    "expired": f"Bearer {EXPIRED}",
    "forged": f"Bearer {FORGED}",
    "unsigned": f"Bearer {UNSIGNED}",
    "buyer without csn": f"Bearer {BUYER_WITHOUT_CSN}",
    "unknown role": f"Bearer {UNKNOWN_ROLE}",
    "checkout token": f"Bearer {CHECKOUT}",
    "garbage": "Bearer not.a.jwt",
    "empty bearer": "Bearer ",
    "wrong scheme": f"Basic {SALES_TOKEN}",
    "no scheme": SALES_TOKEN,
}
NON_NULL_ROOTS = {
    "subscriptions": "{ subscriptions { totalCount } }",
    "eligibleRenewalGroups": "{ eligibleRenewalGroups { key } }",
    "quotes": "{ quotes { totalCount } }",
    "viewer": "{ viewer { role } }",
}
NULLABLE_ROOTS = {
    "quote": '{ quote(number: "Q-2026-000001") { number } }',
    "node": '{ node(id: "U3Vic2NyaXB0aW9uOjE") { id } }',
}


async def post(client, query: str, authorization: str | None) -> dict:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await client.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    return without_cost(response.json())


def assert_unauthenticated(body: dict, data: dict | None) -> None:
    assert body["data"] == data
    assert len(body["errors"]) == 1
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


@pytest.mark.parametrize(
    "authorization", [None, *BAD_HEADERS.values()], ids=["missing", *BAD_HEADERS]
)
@pytest.mark.parametrize("root", list(NON_NULL_ROOTS))
async def test_bad_token_on_non_null_root_is_unauthenticated_and_data_null(
    client, world, root, authorization
):
    body = await post(client, NON_NULL_ROOTS[root], authorization)
    assert_unauthenticated(body, None)


@pytest.mark.parametrize(
    "authorization", [None, *BAD_HEADERS.values()], ids=["missing", *BAD_HEADERS]
)
@pytest.mark.parametrize("root", list(NULLABLE_ROOTS))
async def test_bad_token_on_nullable_root_is_unauthenticated_and_reveals_nothing(
    client, world, root, authorization
):
    body = await post(client, NULLABLE_ROOTS[root], authorization)
    assert_unauthenticated(body, {root: None})


async def test_expired_token_message_does_not_leak_details(client, world):
    body = await post(client, NON_NULL_ROOTS["subscriptions"], f"Bearer {EXPIRED}")
    assert body["errors"][0]["message"] == "The bearer token is invalid or expired."
