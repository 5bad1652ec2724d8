"""createRenewalQuote(draft: true): priced, checked and numbered, but not sent and holding no
subscription; it reads as DRAFT (not open) to whoever may see the customer's quotes."""

from renewals.services.worker import drain
from tests.api.mutations.drafts.helpers import draft
from tests.api.mutations.helpers import read_quote, read_sub, row_counts, sub_id
from tests.factories import document, subscription
from tests.helpers import gql, seed, token

OPEN = "{ quotes(filter: {open: true}) { nodes { number } } }"


async def test_a_draft_is_priced_numbered_and_claims_nothing(client, container):
    await seed(container, document([subscription("SUB-1", seats=5), subscription("SUB-2")]))
    quote = await draft(client, container, ["SUB-1", "SUB-2"], changes=[])
    assert quote["status"] == "DRAFT"
    assert quote["number"].startswith("Q-")
    assert quote["total"]["amount"] == "21000.00"  # 2 × 5 seats × 2100.00
    assert [h["status"] for h in quote["statusHistory"]] == ["DRAFT"]
    await drain(container)  # nothing to finalize: it stays a DRAFT, and no email is written
    assert (await read_quote(client, quote["number"]))["status"] == "DRAFT"
    assert (await row_counts(container))["emails"] == 0
    assert (await read_sub(client, await sub_id(container, "SUB-1")))["openQuote"] is None
    # Not open: another quote may take the subscriptions meanwhile.
    assert (await gql(client, OPEN, auth=token()))["data"]["quotes"]["nodes"] == []
    second = await draft(client, container, ["SUB-1"])
    assert second["status"] == "DRAFT"


async def test_a_draft_is_refused_like_any_quote(client, container):
    await seed(container, document([subscription("SUB-1", seats=5)]))
    from tests.api.mutations.helpers import create

    payload = await create(
        client,
        container,
        ["SUB-1"],
        draft=True,
        changes=[{"subscriptionId": await sub_id(container, "SUB-1"), "seats": 6}],
    )
    assert payload["quote"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["SEAT_INCREASE_NOT_ALLOWED"]


async def test_a_draft_cannot_be_bought_or_cancelled_only_discarded(client, container):
    from tests.api.mutations.helpers import accept, cancel

    await seed(container, document([subscription("SUB-1")]))
    quote = await draft(client, container, ["SUB-1"])
    bought = await accept(client, auth=token(), quoteId=quote["id"])
    assert [e["code"] for e in bought["userErrors"]] == ["QUOTE_NOT_OPEN"]
    cancelled = await cancel(client, quote["id"], token("sales", None))
    assert [e["code"] for e in cancelled["userErrors"]] == ["QUOTE_NOT_OPEN"]
