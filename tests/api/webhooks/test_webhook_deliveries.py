"""Deliveries and their attempts are queryable by the endpoint's owner only; redeliverWebhook
sends one again with the same id."""

from renewals.services.webhook_delivery import deliver_due
from tests.api.mutations.helpers import create as create_quote
from tests.api.webhooks.operations import CREATE, DELIVERIES, ENDPOINTS, REDELIVER, mutate
from tests.factories import document, subscription
from tests.helpers import gql, seed, token

P1, P2 = token("partner", "P000000001"), token("partner", "P000000002")


async def test_the_owner_sees_deliveries_and_attempts_and_redelivers(client, container, receiver):
    await seed(container, document([subscription("SUB-1", reseller_csn="P000000001")]))
    input = {"url": receiver.url, "events": ["quote.finalizing"]}
    created = await mutate(client, CREATE, "createWebhookEndpoint", input, P1)
    receiver.secret = created["secret"]
    receiver.statuses = [500]
    await create_quote(client, container, ["SUB-1"], P1)
    await deliver_due(container)

    body = await gql(client, DELIVERIES, {"filter": {"status": "PENDING"}}, auth=P1)
    (delivery,) = body["data"]["webhookDeliveries"]["nodes"]
    assert (delivery["eventType"], delivery["status"], delivery["attemptCount"]) == (
        "quote.finalizing",
        "PENDING",
        1,
    )
    assert delivery["endpointId"] == created["endpoint"]["id"]
    assert [(a["httpStatus"], a["error"]) for a in delivery["attempts"]] == [(500, "HTTP 500")]
    nested = (await gql(client, ENDPOINTS, auth=P1))["data"]["webhookEndpoints"][0]["deliveries"]
    assert nested["totalCount"] == 1 and nested["nodes"][0]["id"] == delivery["id"]

    # Another partner sees nothing of it and cannot redeliver it.
    other = await gql(client, DELIVERIES, auth=P2)
    assert other["data"]["webhookDeliveries"] == {"totalCount": 0, "nodes": []}
    refused = await mutate(
        client, REDELIVER, "redeliverWebhook", {"deliveryId": delivery["id"]}, P2
    )
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("NOT_FOUND", ["input", "deliveryId"])
    ]

    again = await mutate(client, REDELIVER, "redeliverWebhook", {"deliveryId": delivery["id"]}, P1)
    assert (again["delivery"]["id"], again["delivery"]["status"]) == (delivery["id"], "PENDING")
    await deliver_due(container)
    body = await gql(client, DELIVERIES, {"filter": {"status": "DELIVERED"}}, auth=P1)
    (done,) = body["data"]["webhookDeliveries"]["nodes"]
    assert [a["httpStatus"] for a in done["attempts"]] == [500, 200]
    assert [r.delivery_id for r in receiver.requests] == [delivery["id"]] * 2
    assert all(r.verified for r in receiver.requests)
