"""Request limits, error codes on every error, transport rules and error masking."""

import json

import pytest

from renewals.api.customers.loaders import CustomerByIdLoader
from renewals.persistence import reads
from tests.factories import document, subscription
from tests.helpers import gql, seed, token, without_cost

SALES = token("sales", None)
AUTH = {"Authorization": f"Bearer {SALES}"}
LEAF = {
    "quotes": "totalCount",
    "edges": "cursor",
    "node": "number",
    "lines": "seats",
    "subscription": "number",
    "openQuote": "number",
}


def nested(depth: int) -> str:
    """`depth` nested selections along quotes → edges → node → lines → subscription → openQuote…"""
    cycle = ["lines", "subscription", "openQuote"]
    fields = (["quotes", "edges", "node"] + [cycle[i % 3] for i in range(depth)])[:depth]
    return "{ " + " { ".join(fields) + " { " + LEAF[fields[-1]] + " }" * len(fields) + " }"


def aliased(count: int) -> str:
    return "{ " + " ".join(f"a{i}: viewer {{ role }}" for i in range(count)) + " }"


def numbers_filter(count: int) -> str:
    """A valid query with about `count` tokens (each string in the list is one)."""
    numbers = " ".join(f'"N{i}"' for i in range(count))
    return f"{{ subscriptions(filter: {{numbers: [{numbers}]}}) {{ totalCount }} }}"


SUBSCRIPTIONS_PAGE = "query ($first: Int, $after: String) { subscriptions(first: $first, after: $after) { totalCount } }"
QUOTES_PAGE = (
    "query ($first: Int, $after: String) { quotes(first: $first, after: $after) { totalCount } }"
)
AUTO_RENEW = "{ subscriptions { edges { node { id number autoRenew } } } }"
SET_AUTO_RENEW = """
mutation ($id: ID!) { setAutoRenew(input: {subscriptionId: $id, enabled: true}) {
  subscription { autoRenew } userErrors { code } } }
"""
SUBSCRIPTIONS_NODES = "{ subscriptions { edges { node { number customer { csn } } } } }"


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


def only_error(body: dict, code: str) -> dict:
    """The one error of a response, after checking it has `code` and the data is null."""
    assert body["data"] is None, body
    assert codes(body) == [code], body
    return body["errors"][0]


# --- limits ------------------------------------------------------------------------------------


async def test_query_at_max_depth_runs(client, container):
    # One quote per page: the depth is what is tested here, not the cost (test_query_cost.py).
    body = await gql(client, nested(10).replace("quotes", "quotes(first: 1)", 1), auth=SALES)
    assert body == {"data": {"quotes": {"edges": []}}}


async def test_query_over_max_depth_is_too_deep(client, container):
    error = only_error(await gql(client, nested(11), auth=SALES), "QUERY_TOO_DEEP")
    assert error["message"] == "'anonymous' exceeds maximum operation depth of 10"


async def test_thirty_aliases_run(client, container):
    body = await gql(client, aliased(30), auth=SALES)
    assert body == {"data": {f"a{i}": {"role": "SALES"} for i in range(30)}}


async def test_too_many_aliases_are_refused(client, container):
    error = only_error(await gql(client, aliased(31), auth=SALES), "TOO_MANY_ALIASES")
    assert error["message"] == "31 aliases found. Allowed: 30"


async def test_query_under_token_limit_runs(client, container):
    body = await gql(client, numbers_filter(1900), auth=SALES)
    assert body == {"data": {"subscriptions": {"totalCount": 0}}}


async def test_too_many_tokens_are_refused(client, container):
    error = only_error(await gql(client, numbers_filter(2000), auth=SALES), "TOO_MANY_TOKENS")
    assert (
        error["message"]
        == "Syntax Error: Document contains more than 2000 tokens. Parsing aborted."
    )


@pytest.mark.parametrize(
    "operation", [SUBSCRIPTIONS_PAGE, QUOTES_PAGE], ids=["subscriptions", "quotes"]
)
@pytest.mark.parametrize("first", [101, 1000, -1])
async def test_first_outside_0_to_100_is_bad_user_input(client, container, operation, first):
    body = await gql(client, operation, {"first": first}, auth=SALES)
    error = only_error(body, "BAD_USER_INPUT")
    assert error["message"] == f"`first` must be between 0 and 100; got {first}."


@pytest.mark.parametrize(
    "operation", [SUBSCRIPTIONS_PAGE, QUOTES_PAGE], ids=["subscriptions", "quotes"]
)
@pytest.mark.parametrize("first", [0, 100])
async def test_first_at_the_bounds_is_accepted(client, container, operation, first):
    body = await gql(client, operation, {"first": first}, auth=SALES)
    root = "subscriptions" if "subscriptions" in operation else "quotes"
    assert body == {"data": {root: {"totalCount": 0}}}


@pytest.mark.parametrize(
    "operation", [SUBSCRIPTIONS_PAGE, QUOTES_PAGE], ids=["subscriptions", "quotes"]
)
@pytest.mark.parametrize(
    "cursor",
    ["not a cursor", "", "Y3Vyc29yOmFiYw==", "U3Vic2NyaXB0aW9uOjE=", "%%%"],
    ids=["text", "empty", "non-numeric", "global-id", "not-base64"],
)
async def test_bad_after_cursor_is_bad_user_input(client, container, operation, cursor):
    body = await gql(client, operation, {"after": cursor}, auth=SALES)
    error = only_error(body, "BAD_USER_INPUT")
    root = "subscriptions" if "subscriptions" in operation else "quotes"
    assert error["message"] == f"`after` is not a cursor of this connection ({root})."


# --- every error has a code --------------------------------------------------------------------

BAD_OPERATIONS = {
    "syntax error": ("{ viewer { role }", None, "GRAPHQL_PARSE_FAILED"),
    "lexer error": ("{ viewer { role } } ¤", None, "GRAPHQL_PARSE_FAILED"),
    "unknown field": ("{ viewer { rol } }", None, "GRAPHQL_VALIDATION_FAILED"),
    "unknown root field": ("{ subscription { number } }", None, "GRAPHQL_VALIDATION_FAILED"),
    "unknown type": ("{ viewer { ... on Foo { x } } }", None, "GRAPHQL_VALIDATION_FAILED"),
    "wrong literal type": (
        '{ subscriptions(first: "a") { totalCount } }',
        None,
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "unused variable": ("query ($x: Int) { viewer { role } }", None, "GRAPHQL_VALIDATION_FAILED"),
    "missing variable": (
        "query ($n: String!) { quote(number: $n) { number } }",
        {},
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "too deep": (nested(12), None, "QUERY_TOO_DEEP"),
    "too many aliases": (aliased(40), None, "TOO_MANY_ALIASES"),
    "too many tokens": (numbers_filter(2500), None, "TOO_MANY_TOKENS"),
    "first too big": (SUBSCRIPTIONS_PAGE, {"first": 101}, "BAD_USER_INPUT"),
    "bad cursor": (QUOTES_PAGE, {"after": "nope"}, "BAD_USER_INPUT"),
}


@pytest.mark.parametrize(
    ("query", "variables", "code"), BAD_OPERATIONS.values(), ids=BAD_OPERATIONS
)
async def test_every_error_carries_a_code(client, container, query, variables, code):
    body = await gql(client, query, variables, auth=SALES)
    assert body["data"] is None
    assert body["errors"], body
    assert all(e["extensions"]["code"] == code for e in body["errors"]), body


async def test_several_validation_errors_each_carry_a_code(client, container):
    body = await gql(client, "{ viewer { rol nam } quote { number } }", auth=SALES)
    assert body["data"] is None
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [
        ("Cannot query field 'rol' on type 'Viewer'.", {"code": "GRAPHQL_VALIDATION_FAILED"}),
        ("Cannot query field 'nam' on type 'Viewer'.", {"code": "GRAPHQL_VALIDATION_FAILED"}),
        (
            "Argument 'Query.quote(number:)' of type 'String!' is required, but it was not provided.",
            {"code": "GRAPHQL_VALIDATION_FAILED"},
        ),
    ]


async def test_syntax_error_is_parse_failed(client, container):
    body = await gql(client, "{ viewer { role }", auth=SALES)
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "Syntax Error: Expected Name, found <EOF>.",
                "locations": [{"line": 1, "column": 18}],
                "extensions": {"code": "GRAPHQL_PARSE_FAILED"},
            }
        ],
    }


async def test_unknown_field_is_validation_failed_without_suggestions(client, container):
    body = await gql(client, "{ viewer { rol } subscriptions { totalCont } }", auth=SALES)
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "Cannot query field 'rol' on type 'Viewer'.",
                "locations": [{"line": 1, "column": 12}],
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            },
            {
                "message": "Cannot query field 'totalCont' on type 'SubscriptionConnection'.",
                "locations": [{"line": 1, "column": 34}],
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            },
        ],
    }
    assert "Did you mean" not in json.dumps(body)


# --- transport ---------------------------------------------------------------------------------


@pytest.fixture
async def subscription_id(client, container) -> str:
    """One subscription with auto-renew off; returns its global id."""
    await seed(container, document([subscription("SUB-1", auto_renew=False)]))
    body = await gql(client, AUTO_RENEW, auth=SALES)
    [edge] = body["data"]["subscriptions"]["edges"]
    assert edge["node"]["autoRenew"] is False
    return edge["node"]["id"]


async def assert_auto_renew_unchanged(client) -> None:
    body = await gql(client, AUTO_RENEW, auth=SALES)
    assert [e["node"]["autoRenew"] for e in body["data"]["subscriptions"]["edges"]] == [False]


async def test_mutation_over_get_is_refused_and_changes_nothing(client, subscription_id):
    params = {"query": SET_AUTO_RENEW, "variables": json.dumps({"id": subscription_id})}
    response = await client.get("/graphql", params=params, headers=AUTH)
    assert response.status_code == 400
    assert without_cost(response.json()) == {
        "errors": [
            {
                "message": "mutations are not allowed when using GET",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }
    await assert_auto_renew_unchanged(client)


async def test_mutation_named_in_a_mixed_document_over_get_is_refused(client, subscription_id):
    query = "query Read { viewer { role } }\n" + SET_AUTO_RENEW.replace(
        "mutation", "mutation Write"
    )
    params = {
        "query": query,
        "variables": json.dumps({"id": subscription_id}),
        "operationName": "Write",
    }
    response = await client.get("/graphql", params=params, headers=AUTH)
    assert response.status_code == 400
    await assert_auto_renew_unchanged(client)


async def test_mutation_over_post_works_for_comparison(client, subscription_id):
    body = await gql(client, SET_AUTO_RENEW, {"id": subscription_id}, auth=SALES)
    assert body == {
        "data": {"setAutoRenew": {"subscription": {"autoRenew": True}, "userErrors": []}}
    }


async def test_post_as_text_plain_is_refused_and_changes_nothing(client, subscription_id):
    payload = json.dumps({"query": SET_AUTO_RENEW, "variables": {"id": subscription_id}})
    headers = {**AUTH, "Content-Type": "text/plain"}
    response = await client.post("/graphql", content=payload, headers=headers)
    assert response.status_code == 400
    assert without_cost(response.json()) == {
        "errors": [{"message": "Unsupported content type", "extensions": {"code": "BAD_REQUEST"}}]
    }
    await assert_auto_renew_unchanged(client)


async def test_post_as_form_data_is_refused_and_changes_nothing(client, subscription_id):
    form = {"query": SET_AUTO_RENEW, "variables": json.dumps({"id": subscription_id})}
    response = await client.post("/graphql", data=form, headers=AUTH)
    assert response.status_code == 400
    assert without_cost(response.json()) == {
        "errors": [{"message": "Unsupported content type", "extensions": {"code": "BAD_REQUEST"}}]
    }
    await assert_auto_renew_unchanged(client)


async def test_post_as_multipart_is_refused_and_changes_nothing(client, subscription_id):
    operations = json.dumps({"query": SET_AUTO_RENEW, "variables": {"id": subscription_id}})
    files = {"operations": (None, operations), "map": (None, "{}")}
    response = await client.post("/graphql", files=files, headers=AUTH)
    assert response.status_code == 400
    await assert_auto_renew_unchanged(client)


async def test_post_with_malformed_json_is_refused(client, container):
    headers = {**AUTH, "Content-Type": "application/json"}
    response = await client.post("/graphql", content=b"{not json", headers=headers)
    assert response.status_code == 400
    assert without_cost(response.json()) == {
        "errors": [
            {
                "message": "Unable to parse request body as JSON",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }


async def test_query_over_get_works(client, subscription_id):
    params = {
        "query": "query ($n: [String!]) { subscriptions(filter: {numbers: $n}) { edges { node { number } } } }",
        "variables": json.dumps({"n": ["SUB-1"]}),
    }
    response = await client.get("/graphql", params=params, headers=AUTH)
    assert response.status_code == 200
    assert without_cost(response.json()) == {
        "data": {"subscriptions": {"edges": [{"node": {"number": "SUB-1"}}]}}
    }


async def test_graphiql_is_served_to_browsers_with_the_default_document(client, container):
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()
    assert "eligibleRenewalGroups" in response.text


async def test_healthz_reports_database_and_listener(client, container):
    response = await client.get("/healthz")
    if container.db.is_sqlite:
        assert response.status_code == 200
        assert without_cost(response.json()) == {
            "status": "ok",
            "database": "ok",
            "listener": "not used (SQLite: in-process events)",
            "mail": {"unsent": 0, "oldest_unsent_age_seconds": None},
        }
    else:  # this client runs no lifespan, so no listener: not ready for events
        assert response.status_code == 503
        assert without_cost(response.json()) == {
            "status": "unavailable",
            "database": "ok",
            "listener": "not started",
            "mail": {"unsent": 0, "oldest_unsent_age_seconds": None},
        }


# --- masking -----------------------------------------------------------------------------------


async def test_unexpected_exception_is_masked(client, container, monkeypatch, caplog):
    async def explode(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(reads, "subscription_page", explode)
    response = await client.post("/graphql", json={"query": SUBSCRIPTIONS_PAGE}, headers=AUTH)
    assert response.status_code == 200
    assert without_cost(response.json()) == {
        "data": None,
        "errors": [
            {
                "message": "Internal server error.",
                "locations": [{"line": 1, "column": 39}],
                "path": ["subscriptions"],
                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            }
        ],
    }
    assert "secret detail" not in response.text
    assert "RuntimeError" not in response.text
    assert "secret detail" in caplog.text  # logged for operators, not sent to clients


async def test_unexpected_exception_in_a_nested_loader_is_masked(client, container, monkeypatch):
    await seed(container, document([subscription("SUB-1")]))

    async def explode(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(CustomerByIdLoader, "fetch", staticmethod(explode))
    response = await client.post("/graphql", json={"query": SUBSCRIPTIONS_NODES}, headers=AUTH)
    assert response.status_code == 200
    body = without_cost(response.json())
    assert body["data"] is None
    assert [(e["message"], e["extensions"], e["path"]) for e in body["errors"]] == [
        (
            "Internal server error.",
            {"code": "INTERNAL_SERVER_ERROR"},
            ["subscriptions", "edges", 0, "node", "customer"],
        )
    ]
    assert "secret detail" not in response.text


async def test_a_subscription_over_plain_http_is_a_client_error(client):
    response = await client.post(
        "/graphql", json={"query": "subscription { quoteStatusChanged { status } }"}, headers=AUTH
    )
    assert without_cost(response.json()) == {
        "data": None,
        "errors": [
            {
                "message": "Subscriptions run over WebSocket (graphql-transport-ws) on /graphql.",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ],
    }


async def test_several_operations_without_an_operation_name_are_refused(client):
    document = "query A { viewer { role } } query B { viewer { role } }"
    refused = await client.post("/graphql", json={"query": document}, headers=AUTH)
    named = await client.post(
        "/graphql", json={"query": document, "operationName": "B"}, headers=AUTH
    )
    assert without_cost(refused.json())["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert without_cost(named.json()) == {"data": {"viewer": {"role": "SALES"}}}


async def test_no_suggestions_for_misspelt_arguments_types_or_enum_values(client):
    misspelt = [
        "{ subscriptions(frist: 1) { totalCount } }",
        "query($f: SubscriptionFiltr) { subscriptions(filter: $f) { totalCount } }",
        "{ quotes(filter: {statuses: [QUOTD]}) { totalCount } }",
    ]
    for query in misspelt:
        body = (await client.post("/graphql", json={"query": query}, headers=AUTH)).json()
        assert body["errors"], query
        assert all("Did you mean" not in e["message"] for e in body["errors"]), body
        assert all(e["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" for e in body["errors"])
