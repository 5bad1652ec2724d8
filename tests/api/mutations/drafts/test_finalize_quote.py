"""finalizeQuote: re-checks everything as creation does, re-prices, sets `expiresOn` from the
finalize date, claims the subscriptions and sends: DRAFT → FINALIZING → QUOTED."""

from datetime import timedelta

from renewals.services.worker import drain
from tests.api.mutations.drafts.helpers import draft, finalize, update
from tests.api.mutations.helpers import create, read_quote, read_sub, row_counts, sub_id
from tests.factories import TODAY, document, subscription
from tests.helpers import seed, token


async def test_a_finalized_draft_is_sent_with_its_reviewed_address(client, container):
    await seed(container, document([subscription("SUB-1", ends_in_days=60)]))
    quote = await draft(client, container, ["SUB-1"])
    address = {"line1": "Neue Str. 9", "city": "Hamburg", "postalCode": "20095", "country": "DE"}
    await update(client, quoteId=quote["id"], address=address)
    container.clock.fixed_today = TODAY + timedelta(days=5)  # reviewed for five days

    sent = await finalize(client, quoteId=quote["id"])
    assert sent["userErrors"] == []
    assert sent["quote"]["status"] == "FINALIZING"
    assert sent["quote"]["expiresOn"] == (TODAY + timedelta(days=35)).isoformat()
    sub = await read_sub(client, await sub_id(container, "SUB-1"))
    assert sub["openQuote"] == {"number": quote["number"]}
    await drain(container)
    final = await read_quote(client, quote["number"])
    assert final["status"] == "QUOTED"
    assert [(h["previousStatus"], h["status"]) for h in final["statusHistory"]] == [
        (None, "DRAFT"),
        ("DRAFT", "FINALIZING"),
        ("FINALIZING", "QUOTED"),
    ]
    assert (await row_counts(container))["emails"] == 1  # to the buyer, now
    async with container.db.read_engine.connect() as conn:
        from sqlalchemy import select

        from renewals.persistence import models as m

        stored = (await conn.execute(select(m.Quote.address))).scalar_one()
    assert stored["city"] == "Hamburg"  # not replaced by the customer's address


async def test_a_subscription_taken_meanwhile_is_refused_and_nothing_changes(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote = await draft(client, container, ["SUB-1"])
    other = await create(client, container, ["SUB-1"], auth=token("sales", None))
    assert other["userErrors"] == []
    refused = await finalize(client, quoteId=quote["id"])
    assert refused["quote"] is None
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("ALREADY_ON_OPEN_QUOTE", ["input", "quoteId"])
    ]
    assert (await read_quote(client, quote["number"]))["status"] == "DRAFT"


async def test_only_a_visible_draft_is_finalized_once(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote = await draft(client, container, ["SUB-1"])
    first = await finalize(client, quoteId=quote["id"], idempotencyKey="k-1")
    again = await finalize(client, quoteId=quote["id"], idempotencyKey="k-1")
    assert again["quote"]["number"] == first["quote"]["number"]  # the same answer, replayed
    twice = await finalize(client, quoteId=quote["id"])
    assert [e["code"] for e in twice["userErrors"]] == ["QUOTE_NOT_DRAFT"]
    missing = await finalize(client, quoteId="UXVvdGU6OTk5")
    assert [(e["code"], e["field"]) for e in missing["userErrors"]] == [
        ("NOT_FOUND", ["input", "quoteId"])
    ]
