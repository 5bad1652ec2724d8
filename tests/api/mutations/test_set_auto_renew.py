"""setAutoRenew: toggles the viewer's own subscription; another customer's is not found."""

from tests.api.mutations.helpers import OTHER, SET_AUTO_RENEW, TWO_CUSTOMERS, read_sub, sub_id
from tests.factories import document, subscription
from tests.helpers import gql, seed, token


async def test_set_auto_renew_toggles_own_subscription(client, container):
    await seed(container, document([subscription("SUB-1")]))
    sid = await sub_id(container, "SUB-1")
    for enabled in (True, False, True):
        body = await gql(
            client,
            SET_AUTO_RENEW,
            {"input": {"subscriptionId": sid, "enabled": enabled}},
            auth=token(),
        )
        assert body["data"]["setAutoRenew"] == {
            "subscription": {"number": "SUB-1", "autoRenew": enabled},
            "userErrors": [],
        }
        assert (await read_sub(client, sid))["autoRenew"] is enabled


async def test_set_auto_renew_on_another_customers_subscription_is_not_found(client, container):
    await seed(
        container,
        document([subscription("SUB-X", customer_csn=OTHER)], customers=TWO_CUSTOMERS),
    )
    sid = await sub_id(container, "SUB-X")
    for auth in (token(), token("partner", "P000000001")):
        body = await gql(
            client, SET_AUTO_RENEW, {"input": {"subscriptionId": sid, "enabled": True}}, auth=auth
        )
        assert body["data"]["setAutoRenew"]["subscription"] is None
        assert [(e["code"], e["field"]) for e in body["data"]["setAutoRenew"]["userErrors"]] == [
            ("NOT_FOUND", ["input", "subscriptionId"])
        ]
    assert (await read_sub(client, sid))["autoRenew"] is False


async def set_auto_renew(client, container, number: str, enabled: bool) -> dict:
    sid = await sub_id(container, number)
    body = await gql(
        client, SET_AUTO_RENEW, {"input": {"subscriptionId": sid, "enabled": enabled}}, auth=token()
    )
    assert "errors" not in body, body
    return body["data"]["setAutoRenew"]


async def test_switching_auto_renew_on_after_the_window_closed_is_lapsed(client, container):
    """R01/R02: 46 days after its end date a subscription cannot be revived for free."""
    await seed(container, document([subscription("SUB-1", ends_in_days=-46)]))
    payload = await set_auto_renew(client, container, "SUB-1", True)
    assert payload["subscription"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("SUBSCRIPTION_LAPSED", ["input", "subscriptionId"])
    ]
    assert (await read_sub(client, await sub_id(container, "SUB-1")))["autoRenew"] is False


async def test_switching_auto_renew_off_after_the_window_closed_is_allowed(client, container):
    await seed(container, document([subscription("SUB-1", ends_in_days=-46, auto_renew=True)]))
    payload = await set_auto_renew(client, container, "SUB-1", False)
    assert payload == {"subscription": {"number": "SUB-1", "autoRenew": False}, "userErrors": []}


async def test_switching_auto_renew_on_on_the_windows_last_day_is_allowed(client, container):
    await seed(container, document([subscription("SUB-1", ends_in_days=-45)]))
    payload = await set_auto_renew(client, container, "SUB-1", True)
    assert payload == {"subscription": {"number": "SUB-1", "autoRenew": True}, "userErrors": []}
