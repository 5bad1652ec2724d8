"""Auto-renew during an open quote (R02): switched off on request, back on when the quote closes."""

from datetime import timedelta

from renewals.services.worker import drain
from tests.api.mutations.helpers import SET_AUTO_RENEW, accept, cancel, create, read_sub, sub_id
from tests.factories import TODAY, document, subscription
from tests.helpers import gql, seed, token


async def test_auto_renew_off_in_same_request_and_restored_after_ordered(client, container):
    await seed(container, document([subscription("SUB-1", auto_renew=True)]))
    sid = await sub_id(container, "SUB-1")
    payload = await create(
        client,
        container,
        ["SUB-1"],
        changes=[{"subscriptionId": sid, "seats": 4}],
        disableAutoRenew=True,
    )
    assert payload["userErrors"] == []
    assert (await read_sub(client, sid))["autoRenew"] is False
    await drain(container)
    result = await accept(client, token(), quoteId=payload["quote"]["id"])
    assert result["userErrors"] == []
    assert (await read_sub(client, sid))["autoRenew"] is False
    await drain(container)
    sub = await read_sub(client, sid)
    assert (sub["autoRenew"], sub["seats"], sub["openQuote"]) == (True, 4, None)


async def test_auto_renew_switched_off_is_restored_after_cancel(client, container):
    await seed(
        container,
        document(
            [
                subscription("SUB-1", auto_renew=True, reseller_csn="P000000001"),
                subscription("SUB-2", auto_renew=True, reseller_csn="P000000001"),
            ]
        ),
    )
    sid = await sub_id(container, "SUB-1")
    other = await sub_id(container, "SUB-2")
    partner = token("partner", "P000000001")
    payload = await create(
        client,
        container,
        ["SUB-1", "SUB-2"],
        partner,
        changes=[{"subscriptionId": sid, "term": "THREE_YEAR"}],
        disableAutoRenew=True,
    )
    assert payload["userErrors"] == []
    # Both are switched off: the caller asked for the quote to hold the renewal (R02).
    assert (await read_sub(client, sid))["autoRenew"] is False
    assert (await read_sub(client, other))["autoRenew"] is False
    cancelled = await cancel(client, payload["quote"]["id"], partner, "customer changed plans")
    assert cancelled["userErrors"] == []
    assert (await read_sub(client, sid))["autoRenew"] is True
    assert (await read_sub(client, other))["autoRenew"] is True
    assert (await read_sub(client, sid))["openQuote"] is None


async def test_auto_renew_on_without_changes_needs_no_switch(client, container):
    await seed(container, document([subscription("SUB-1", auto_renew=True)]))
    payload = await create(client, container, ["SUB-1"])
    assert payload["userErrors"] == []
    assert (await read_sub(client, await sub_id(container, "SUB-1")))["autoRenew"] is True


async def test_explicit_auto_renew_choice_during_a_quote_is_kept(client, container):
    """setAutoRenew(false) while a quote switched it off: closing the quote does not turn it back on."""
    await seed(container, document([subscription("SUB-1", auto_renew=True)]))
    sid = await sub_id(container, "SUB-1")
    payload = await create(
        client,
        container,
        ["SUB-1"],
        changes=[{"subscriptionId": sid, "seats": 2}],
        disableAutoRenew=True,
    )
    await gql(
        client, SET_AUTO_RENEW, {"input": {"subscriptionId": sid, "enabled": False}}, auth=token()
    )
    await cancel(client, payload["quote"]["id"], token("sales", None))
    assert (await read_sub(client, sid))["autoRenew"] is False


async def test_a_quote_keeping_auto_renew_on_expires_on_the_end_date(client, container):
    # D1: without disableAutoRenew the quote must not hold the subscription past its term (R02
    # holds the automatic renewal while it is open); with it, the caller chose to hold it.
    await seed(
        container,
        document(
            [
                subscription("SUB-1", ends_in_days=10, auto_renew=True),
                subscription("SUB-2", ends_in_days=10, auto_renew=True),
                subscription("SUB-3", ends_in_days=10),
            ]
        ),
    )
    end = (TODAY + timedelta(days=10)).isoformat()
    kept = await create(client, container, ["SUB-1"])
    assert kept["userErrors"] == []
    assert kept["quote"]["expiresOn"] == end
    assert (await read_sub(client, await sub_id(container, "SUB-1")))["autoRenew"] is True
    switched = await create(client, container, ["SUB-2"], disableAutoRenew=True)
    assert switched["quote"]["expiresOn"] == (TODAY + timedelta(days=30)).isoformat()
    plain = await create(client, container, ["SUB-3"])
    assert plain["quote"]["expiresOn"] == (TODAY + timedelta(days=30)).isoformat()
