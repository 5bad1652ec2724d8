"""The webhook operations the API tests send."""

from typing import Any

from tests.helpers import gql

ENDPOINT = "id url events active previousSecretValidUntil"
CREATE = f"""mutation($input: CreateWebhookEndpointInput!) {{
  createWebhookEndpoint(input: $input) {{ secret endpoint {{ {ENDPOINT} }}
    userErrors {{ code field message }} }} }}"""
UPDATE = f"""mutation($input: UpdateWebhookEndpointInput!) {{
  updateWebhookEndpoint(input: $input) {{ endpoint {{ {ENDPOINT} }}
    userErrors {{ code field message }} }} }}"""
DELETE = """mutation($input: DeleteWebhookEndpointInput!) {
  deleteWebhookEndpoint(input: $input) { deletedEndpointId userErrors { code field message } } }"""
ROTATE = f"""mutation($input: RotateWebhookSecretInput!) {{
  rotateWebhookSecret(input: $input) {{ secret endpoint {{ {ENDPOINT} }}
    userErrors {{ code field message }} }} }}"""
DELIVERY = (
    "id endpointId eventType status attemptCount body attempts { httpStatus error durationMs }"
)
REDELIVER = f"""mutation($input: RedeliverWebhookInput!) {{
  redeliverWebhook(input: $input) {{ delivery {{ {DELIVERY} }} userErrors {{ code field message }} }} }}"""
ENDPOINTS = f"""{{ webhookEndpoints {{ {ENDPOINT}
  deliveries(first: 10) {{ totalCount nodes {{ {DELIVERY} }} }} }} }}"""
DELIVERIES = f"""query($filter: WebhookDeliveryFilter) {{
  webhookDeliveries(first: 10, filter: $filter) {{ totalCount nodes {{ {DELIVERY} }} }} }}"""


async def mutate(client, document: str, name: str, input: dict, auth: str) -> dict[str, Any]:
    body = await gql(client, document, {"input": input}, auth=auth)
    assert "errors" not in body, body
    return body["data"][name]


def codes_and_fields(payload: dict) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]
