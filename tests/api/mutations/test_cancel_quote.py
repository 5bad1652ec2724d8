"""cancelQuote: partners and sales cancel open quotes with a reason; buyers cannot."""

import pytest

from renewals.services.worker import drain
from tests.api.mutations.helpers import (
    accept,
    cancel,
    codes,
    create,
    quoted,
    read_quote,
    read_sub,
    row_counts,
    sub_id,
)
from tests.factories import document, subscription
from tests.helpers import seed, token


async def test_buyer_cannot_cancel(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote = await quoted(client, container, ["SUB-1"])
    result = await cancel(client, quote["id"], token())
    assert codes(result) == ["CANCEL_NOT_ALLOWED"]
    assert (await read_quote(client, quote["number"]))["status"] == "QUOTED"


@pytest.mark.parametrize("role", ["partner", "sales"])
async def test_partner_and_sales_cancel_with_a_reason(client, container, role):
    await seed(container, document([subscription("SUB-1", reseller_csn="P000000001")]))
    quote = await quoted(client, container, ["SUB-1"])
    auth = token("partner", "P000000001") if role == "partner" else token("sales", None)
    result = await cancel(client, quote["id"], auth, "wrong seat count")
    assert result["userErrors"] == []
    assert result["quote"]["status"] == "CANCELLED"
    last = result["quote"]["statusHistory"][-1]
    assert (last["status"], last["previousStatus"], last["reason"]) == (
        "CANCELLED",
        "QUOTED",
        "wrong seat count",
    )
    assert last["actor"].startswith(f"{role}:")
    sid = await sub_id(container, "SUB-1")
    assert (await read_sub(client, sid))["openQuote"] is None
    # The subscription is free for a new quote.
    assert (await create(client, container, ["SUB-1"]))["userErrors"] == []


async def test_cancelling_a_finalizing_quote(client, container):
    await seed(container, document([subscription("SUB-1")]))
    payload = await create(client, container, ["SUB-1"])
    result = await cancel(client, payload["quote"]["id"], token("sales", None), None)
    assert result["quote"]["status"] == "CANCELLED"
    await drain(container)  # the finalize job finds a closed quote and leaves it alone
    quote = await read_quote(client, payload["quote"]["number"])
    assert quote["status"] == "CANCELLED"
    assert (await row_counts(container))["emails"] == 0


async def test_cancelling_a_closed_quote_is_quote_not_open(client, container):
    await seed(container, document([subscription("SUB-1"), subscription("SUB-2")]))
    sales = token("sales", None)
    first = await quoted(client, container, ["SUB-1"])
    assert (await cancel(client, first["id"], sales))["userErrors"] == []
    assert codes(await cancel(client, first["id"], sales)) == ["QUOTE_NOT_OPEN"]
    ordered = await quoted(client, container, ["SUB-2"])
    await accept(client, sales, quoteId=ordered["id"])
    await drain(container)
    assert codes(await cancel(client, ordered["id"], sales)) == ["QUOTE_NOT_OPEN"]
    assert (await read_quote(client, ordered["number"]))["status"] == "ORDERED"


async def test_cancelling_another_customers_quote_is_not_found(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote = await quoted(client, container, ["SUB-1"])
    result = await cancel(client, quote["id"], token("partner", "P000000001"))
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("NOT_FOUND", ["input", "quoteId"])
    ]
