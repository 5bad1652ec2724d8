"""One JSON line per request (RENEWALS_LOG_FORMAT=json); the request id in X-Request-Id and in
the errors' extensions.requestId; no token in the line."""

import json
import logging

import httpx
import pytest

from renewals.app import create_app
from renewals.container import build_container
from renewals.observability.logs import JsonFormatter
from tests.helpers import token


@pytest.fixture
async def json_client(settings):
    container = build_container(settings.model_copy(update={"log_format": "json"}))
    app = create_app(container=container, background=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client
    await container.close()


def lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "renewals.request"]


async def test_one_json_line_per_request_without_tokens(json_client, caplog):
    bearer = token()
    with caplog.at_level(logging.INFO, logger="renewals.request"):
        ok = await json_client.post(
            "/graphql",
            json={"query": "query Who { __typename }"},
            headers={"Authorization": f"Bearer {bearer}"},
        )
        await json_client.get("/checkout?token=very-secret-checkout-token")
    first, second = lines(caplog)
    assert first["request_id"] == ok.headers["x-request-id"]
    assert first["operation"] == "Who" and first["outcome"] == "ok"
    assert (first["method"], first["path"], first["status"]) == ("POST", "/graphql", 200)
    assert isinstance(first["duration_ms"], float)
    assert {"time", "level", "logger", "message", "role"} <= set(first)
    assert second["path"] == "/checkout"
    text = json.dumps([first, second])
    assert bearer not in text and "very-secret-checkout-token" not in text


async def test_the_role_is_the_viewers(json_client, caplog):
    with caplog.at_level(logging.INFO, logger="renewals.request"):
        await json_client.post(
            "/graphql",
            json={"query": "{ subscriptions(first: 1) { totalCount } }"},
            headers={"Authorization": f"Bearer {token('sales', None)}"},
        )
    (line,) = lines(caplog)
    assert line["role"] == "sales" and line["operation"] == "(anonymous)"


async def test_no_request_lines_in_plain_text(client, caplog):
    with caplog.at_level(logging.INFO, logger="renewals.request"):
        await client.post("/graphql", json={"query": "{ __typename }"})
    assert lines(caplog) == []


async def test_the_request_id_is_in_the_header_and_the_errors(client):
    fresh = await client.post("/graphql", json={"query": "{ nope }"})
    request_id = fresh.headers["x-request-id"]
    assert len(request_id) == 32
    assert fresh.json()["errors"][0]["extensions"]["requestId"] == request_id
    given = await client.post(
        "/graphql", json={"query": "{ nope }"}, headers={"X-Request-Id": "edge-1234.abcd"}
    )
    assert given.headers["x-request-id"] == "edge-1234.abcd"
    assert given.json()["errors"][0]["extensions"]["requestId"] == "edge-1234.abcd"
    for insane in ("short", "x" * 65, "has space in it", 'quote"inside1'):
        replaced = await client.get("/healthz", headers={"X-Request-Id": insane})
        assert replaced.headers["x-request-id"] != insane
    refused = await client.post(
        "/graphql", content=b"[]", headers={"Content-Type": "application/json"}
    )
    assert refused.json()["errors"][0]["extensions"] == {
        "code": "BAD_REQUEST",
        "requestId": refused.headers["x-request-id"],
    }


async def test_user_errors_carry_no_request_id(client):
    body = (
        await client.post(
            "/graphql",
            json={
                "query": 'mutation { createRenewalQuote(input: {subscriptionIds: ["1"]}) '
                "{ userErrors { code field message } } }"
            },
            headers={"Authorization": f"Bearer {token()}"},
        )
    ).json()
    (error,) = body["data"]["createRenewalQuote"]["userErrors"]
    assert set(error) == {"code", "field", "message"}
