"""A first end-to-end check through the ASGI app."""

from tests.factories import document, subscription
from tests.helpers import gql, seed, token

GROUPS = """{ eligibleRenewalGroups { key subscriptions { number } estimatedTotal { amount currency } } }"""


async def test_buyer_sees_eligible_group_over_http(client, container):
    await seed(
        container, document([subscription("SUB-1"), subscription("SUB-2", ends_in_days=200)])
    )
    body = await gql(client, GROUPS, auth=token())
    assert body == {
        "data": {
            "eligibleRenewalGroups": [
                {
                    "key": "5100000001:EUR:CREDIT_CARD:-",
                    "subscriptions": [{"number": "SUB-1"}],
                    "estimatedTotal": {"amount": "10500.00", "currency": "EUR"},
                }
            ]
        }
    }


async def test_missing_token_is_unauthenticated(client, container):
    body = await gql(client, GROUPS)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
