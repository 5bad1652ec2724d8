"""Partners and sales register, list, change, rotate and delete their webhook endpoints; buyers
and anonymous callers are refused; bad input is refused with codes and field paths."""

import pytest

from tests.api.webhooks.operations import (
    CREATE,
    DELETE,
    ENDPOINTS,
    ROTATE,
    UPDATE,
    codes_and_fields,
    mutate,
)
from tests.factories import document, subscription
from tests.helpers import gql, seed, token

SALES = token("sales", None)
P1, P2 = token("partner", "P000000001"), token("partner", "P000000002")


async def create(client, auth, url, events=("*",)):
    input = {"url": url, "events": list(events)}
    return await mutate(client, CREATE, "createWebhookEndpoint", input, auth)


@pytest.fixture
async def seeded(container):
    await seed(container, document([subscription("SUB-1", reseller_csn="P000000001")]))


async def test_sales_registers_sees_changes_rotates_and_deletes(client, seeded, receiver):
    created = await create(client, SALES, receiver.url, ["quote.quoted", "quote.expiring"])
    assert created["userErrors"] == [] and created["secret"].startswith("whsec_")
    endpoint = created["endpoint"]
    assert (endpoint["url"], endpoint["events"], endpoint["active"]) == (
        receiver.url,
        ["quote.quoted", "quote.expiring"],
        True,
    )
    listed = (await gql(client, ENDPOINTS, auth=SALES))["data"]["webhookEndpoints"]
    assert [e["id"] for e in listed] == [endpoint["id"]]
    assert (await gql(client, ENDPOINTS, auth=P1))["data"]["webhookEndpoints"] == []

    update = {"endpointId": endpoint["id"], "active": False, "events": ["*"]}
    updated = await mutate(client, UPDATE, "updateWebhookEndpoint", update, SALES)
    assert (updated["endpoint"]["active"], updated["endpoint"]["events"]) == (False, ["*"])

    rotated = await mutate(
        client, ROTATE, "rotateWebhookSecret", {"endpointId": endpoint["id"]}, SALES
    )
    assert rotated["secret"] not in (None, created["secret"])
    assert rotated["endpoint"]["previousSecretValidUntil"] is not None

    deleted = await mutate(
        client, DELETE, "deleteWebhookEndpoint", {"endpointId": endpoint["id"]}, SALES
    )
    assert deleted == {"deletedEndpointId": endpoint["id"], "userErrors": []}
    assert (await gql(client, ENDPOINTS, auth=SALES))["data"]["webhookEndpoints"] == []


async def test_buyers_are_refused_and_anonymous_callers_unauthenticated(client, seeded, receiver):
    refused = await create(client, token(), receiver.url)
    assert codes_and_fields(refused) == [("FORBIDDEN", None)] and refused["secret"] is None
    body = await gql(client, ENDPOINTS, auth=token())
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql(client, CREATE, {"input": {"url": receiver.url, "events": ["*"]}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_partner_cannot_touch_another_partners_endpoint(client, seeded, receiver):
    endpoint = (await create(client, P1, receiver.url))["endpoint"]
    for document_, name in ((UPDATE, "updateWebhookEndpoint"), (ROTATE, "rotateWebhookSecret")):
        payload = await mutate(client, document_, name, {"endpointId": endpoint["id"]}, P2)
        assert codes_and_fields(payload) == [("NOT_FOUND", ["input", "endpointId"])]
    payload = await mutate(
        client, DELETE, "deleteWebhookEndpoint", {"endpointId": endpoint["id"]}, P2
    )
    assert codes_and_fields(payload) == [("NOT_FOUND", ["input", "endpointId"])]
    assert len((await gql(client, ENDPOINTS, auth=P1))["data"]["webhookEndpoints"]) == 1


async def test_bad_url_and_unknown_events_are_refused_together(client, seeded):
    payload = await create(
        client, SALES, "ftp://example.com/x", ["quote.quoted", "quote.bought", "*"]
    )
    assert codes_and_fields(payload) == [
        ("UNKNOWN_EVENT_TYPE", ["input", "events", "1"]),
        ("INVALID_WEBHOOK_URL", ["input", "url"]),
    ]
    payload = await create(client, SALES, "https://93.184.215.14/x", [])
    assert codes_and_fields(payload) == [("INVALID_INPUT", ["input", "events"])]
    assert (await gql(client, ENDPOINTS, auth=SALES))["data"]["webhookEndpoints"] == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://localhost/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/",
        "http://192.168.1.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "https://user:pass@example.com/",
        "javascript:alert(1)",
        "http:///no-host",
    ],
)
async def test_non_public_and_malformed_targets_are_refused(client, container, seeded, url):
    container.settings = container.settings.model_copy(update={"webhooks_allow_private": False})
    payload = await create(client, SALES, url)
    assert codes_and_fields(payload) == [("INVALID_WEBHOOK_URL", ["input", "url"])], payload


async def test_at_most_ten_endpoints_each(client, seeded, receiver):
    for _ in range(10):
        assert (await create(client, P1, receiver.url))["userErrors"] == []
    assert codes_and_fields(await create(client, P1, receiver.url)) == [
        ("TOO_MANY_WEBHOOK_ENDPOINTS", None)
    ]
    assert (await create(client, P2, receiver.url))["userErrors"] == []  # a cap per owner
