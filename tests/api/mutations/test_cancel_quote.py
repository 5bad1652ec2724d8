"""cancelQuote: partners and sales cancel open quotes with a reason; buyers cannot."""

import pytest
from sqlalchemy import select

from renewals.persistence import models as m
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


async def cancel_emails(container) -> list[tuple[str, str, str]]:
    """(to, subject, body) of the cancellation emails."""
    async with container.db.read_engine.connect() as conn:
        rows = await conn.execute(
            select(m.Email.to_address, m.Email.subject, m.Email.body)
            .where(m.Email.subject.like("%was cancelled%"))
            .order_by(m.Email.id)
        )
        return [tuple(r) for r in rows]


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
    # No quote email; the buyer hears of the cancellation only.
    assert (await row_counts(container))["emails"] == 1
    ((to, subject, _),) = await cancel_emails(container)
    assert (to, subject) == (
        "buyer@acme.example",
        f"Your renewal quote {payload['quote']['number']} was cancelled",
    )


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


@pytest.mark.parametrize(("role", "by"), [("partner", "your partner"), ("sales", "vendor sales")])
async def test_cancelling_tells_the_buyers_who_and_why(client, container, role, by):
    await seed(container, document([subscription("SUB-1", reseller_csn="P000000001")]))
    quote = await quoted(client, container, ["SUB-1"])
    auth = token("partner", "P000000001") if role == "partner" else token("sales", None)
    assert (await cancel(client, quote["id"], auth, "wrong seat count"))["userErrors"] == []
    ((to, subject, body),) = await cancel_emails(container)
    assert to == "buyer@acme.example"
    assert subject == f"Your renewal quote {quote['number']} was cancelled"
    assert f"your renewal quote {quote['number']} was cancelled by {by}." in body
    assert "Reason: wrong seat count" in body
    assert "P000000001" not in body and "Auto-renew" not in body  # no one's identity, no R02
    # Cancelling again is refused and writes nothing more.
    assert codes(await cancel(client, quote["id"], auth)) == ["QUOTE_NOT_OPEN"]
    assert len(await cancel_emails(container)) == 1


async def test_cancelling_a_quote_that_switched_auto_renew_off_says_both(client, container):
    await seed(container, document([subscription("SUB-1", ends_in_days=80, auto_renew=True)]))
    quote = await quoted(
        client,
        container,
        ["SUB-1"],
        token("sales", None),
        disableAutoRenew=True,
        changes=[{"subscriptionId": await sub_id(container, "SUB-1"), "seats": 3}],
    )
    assert (await cancel(client, quote["id"], token("sales", None)))["userErrors"] == []
    ((to, subject, body),) = await cancel_emails(container)
    assert to == "buyer@acme.example"
    assert subject == f"Your renewal quote {quote['number']} was cancelled; auto-renew is on again"
    assert "by vendor sales." in body and "Reason" not in body
    assert "SUB-1 AutoCAD: renews on 2027-02-15 with 5 seats, annual term" in body
