"""Automatic persisted queries (Apollo APQ): a known hash runs its stored document."""

import hashlib
import json

from tests.helpers import token, without_cost

QUERY = "{ viewer { role } }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()
APQ = {"persistedQuery": {"version": 1, "sha256Hash": HASH}}
AUTH = {"Authorization": f"Bearer {token('sales', None)}"}


async def test_unknown_hash_asks_for_the_document_then_the_hash_alone_runs_it(client):
    unknown = await client.post("/graphql", json={"extensions": APQ}, headers=AUTH)
    registered = await client.post(
        "/graphql", json={"query": QUERY, "extensions": APQ}, headers=AUTH
    )
    by_hash = await client.post("/graphql", json={"extensions": APQ}, headers=AUTH)
    by_get = await client.get("/graphql", params={"extensions": json.dumps(APQ)}, headers=AUTH)

    assert (unknown.status_code, without_cost(unknown.json())) == (
        200,
        {
            "errors": [
                {
                    "message": "PersistedQueryNotFound",
                    "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
                }
            ]
        },
    )
    expected = {"data": {"viewer": {"role": "SALES"}}}
    assert (
        without_cost(registered.json())
        == without_cost(by_hash.json())
        == without_cost(by_get.json())
        == expected
    )


async def test_a_hash_that_does_not_match_its_document_is_refused(client):
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    response = await client.post(
        "/graphql", json={"query": QUERY, "extensions": wrong}, headers=AUTH
    )
    assert without_cost(response.json())["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    again = await client.post("/graphql", json={"extensions": wrong}, headers=AUTH)
    assert without_cost(again.json())["errors"][0]["extensions"] == {
        "code": "PERSISTED_QUERY_NOT_FOUND"
    }
