"""A JSON body that is not an object is BAD_REQUEST with a JSON error body, not a 500 (W4)."""

import logging

import pytest

from tests.helpers import without_cost

BODIES = [b"null", b'"str"', b"1", b"true", b"[]", b'[{"query": "{ viewer { role } }"}]']


@pytest.mark.parametrize("body", BODIES, ids=[b.decode() for b in BODIES])
async def test_a_non_object_body_is_bad_request(client, container, body, caplog):
    with caplog.at_level(logging.INFO):
        response = await client.post(
            "/graphql", content=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert without_cost(response.json()) == {
        "errors": [
            {
                "message": "The request body must be a JSON object.",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_an_object_with_leading_whitespace_runs(client, container):
    response = await client.post(
        "/graphql",
        content=b' \n {"query": "{ __typename }"}',
        headers={"Content-Type": "application/json"},
    )
    assert without_cost(response.json()) == {"data": {"__typename": "Query"}}
