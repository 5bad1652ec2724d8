"""Text holding NUL is BAD_USER_INPUT before any SQL, as a variable or a literal (W5: on
PostgreSQL it answered INTERNAL_SERVER_ERROR and logged the SQL parameters at ERROR)."""

import logging

import pytest

from renewals.api.core.ids import to_global_id
from tests.api.mutations.helpers import CANCEL, CREATE, QUOTE
from tests.factories import document, subscription
from tests.helpers import gql, seed, token

SALES = token("sales", None)
SUB = to_global_id("Subscription", 1)
QUOTE_ID = to_global_id("Quote", 1)
NUL = "\x00"
SUBSCRIPTIONS = "query ($f: SubscriptionFilter) { subscriptions(filter: $f) { totalCount } }"
QUOTES = "query ($f: QuoteFilter) { quotes(filter: $f) { totalCount } }"
GROUPS = "query ($csn: String) { eligibleRenewalGroups(customerCsn: $csn) { key } }"
ACCEPT = (
    "mutation ($input: AcceptQuoteInput!) { acceptQuote(input: $input) { userErrors { code } } }"
)

VARIABLES = {
    "recipient email": (
        CREATE,
        {"input": {"subscriptionIds": [SUB], "recipients": [{"email": f"a{NUL}@x.example"}]}},
    ),
    "recipient name": (
        CREATE,
        {
            "input": {
                "subscriptionIds": [SUB],
                "recipients": [{"email": "a@x.example", "name": f"Carl{NUL}"}],
            }
        },
    ),
    "idempotency key": (CREATE, {"input": {"subscriptionIds": [SUB], "idempotencyKey": NUL}}),
    "quote number": (QUOTE, {"number": f"Q-1{NUL}"}),
    "customer filter": (SUBSCRIPTIONS, {"f": {"customerCsn": f"5100000001{NUL}"}}),
    "reseller filter": (SUBSCRIPTIONS, {"f": {"resellerCsn": NUL}}),
    "number filter": (SUBSCRIPTIONS, {"f": {"numbers": ["SUB-1", f"SUB-2{NUL}"]}}),
    "quote customer filter": (QUOTES, {"f": {"customerCsn": NUL}}),
    "groups customer": (GROUPS, {"csn": NUL}),
    "cancel reason": (CANCEL, {"input": {"quoteId": QUOTE_ID, "reason": f"why{NUL}"}}),
    "accept idempotency key": (ACCEPT, {"input": {"quoteId": QUOTE_ID, "idempotencyKey": NUL}}),
}

LITERALS = {
    "quote number": '{ quote(number: "Q-1\\u0000") { number } }',
    "number filter": '{ subscriptions(filter: {numbers: ["\\u0000"]}) { totalCount } }',
    "cancel reason": (
        f'mutation {{ cancelQuote(input: {{quoteId: "{QUOTE_ID}", reason: "\\u0000"}}) '
        "{ userErrors { code } } }"
    ),
}


@pytest.fixture(autouse=True)
async def one_subscription(container):
    await seed(container, document([subscription("SUB-1")]))


def assert_refused(body: dict) -> None:
    assert body["data"] is None, body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], body
    assert "NUL" in body["errors"][0]["message"]


@pytest.mark.parametrize(("query", "variables"), VARIABLES.values(), ids=VARIABLES)
async def test_a_variable_holding_nul_is_bad_user_input(client, query, variables, caplog):
    with caplog.at_level(logging.INFO):
        assert_refused(await gql(client, query, variables, auth=SALES))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("query", LITERALS.values(), ids=LITERALS)
async def test_a_literal_holding_nul_is_bad_user_input(client, query, caplog):
    assert_refused(await gql(client, query, auth=SALES))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_the_refusal_names_the_variable_path(client):
    body = await gql(client, *VARIABLES["number filter"], auth=SALES)
    assert body["errors"][0]["message"] == (
        "Variable $f.numbers[1]: Text may not contain the NUL character (\\u0000)."
    )


async def test_nothing_is_written_for_a_refused_quote(client):
    await gql(client, *VARIABLES["recipient email"], auth=SALES)
    body = await gql(client, "{ quotes { totalCount } }", auth=SALES)
    assert body == {"data": {"quotes": {"totalCount": 0}}}


async def test_the_same_text_without_nul_runs(client):
    body = await gql(client, SUBSCRIPTIONS, {"f": {"numbers": ["SUB-1"]}}, auth=SALES)
    assert body == {"data": {"subscriptions": {"totalCount": 1}}}
