"""updateDraftQuote: the review step changes seats, terms, recipients, the billing address and the
auto-renew switch of a DRAFT, re-priced at once; a sent quote's address is ADDRESS_LOCKED."""

from renewals.services.worker import drain
from tests.api.mutations.drafts.helpers import draft, update
from tests.api.mutations.helpers import OTHER, TWO_CUSTOMERS, quoted, sub_id
from tests.factories import document, subscription
from tests.helpers import seed, token

ADDRESS = {
    "line1": "Neue Str. 9",
    "city": "Hamburg",
    "postalCode": "20095",
    "country": "de",
}


async def test_seats_recipients_and_address_are_reviewed_and_repriced(client, container):
    await seed(container, document([subscription("SUB-1", seats=5), subscription("SUB-2")]))
    quote = await draft(client, container, ["SUB-1", "SUB-2"])
    changed = await update(
        client,
        quoteId=quote["id"],
        changes=[{"subscriptionId": await sub_id(container, "SUB-1"), "seats": 2}],
        recipients=[{"email": "controller@acme.example", "name": "Carl"}],
        address=ADDRESS,
    )
    assert changed["userErrors"] == []
    q = changed["quote"]
    assert q["status"] == "DRAFT" and q["number"] == quote["number"]
    assert [(ln["subscription"]["number"], ln["seats"]) for ln in q["lines"]] == [
        ("SUB-1", 2),
        ("SUB-2", 5),
    ]
    assert q["total"]["amount"] == "14700.00"  # (2 + 5) × 2100.00
    assert [r["email"] for r in q["recipients"]] == [
        "buyer@acme.example",
        "controller@acme.example",
    ]

    # A later change keeps the earlier ones it does not touch.
    again = await update(
        client,
        quoteId=quote["id"],
        changes=[{"subscriptionId": await sub_id(container, "SUB-2"), "seats": 1}],
    )
    assert [ln["seats"] for ln in again["quote"]["lines"]] == [2, 1]
    assert [r["email"] for r in again["quote"]["recipients"]][1] == "controller@acme.example"


async def test_refusals_change_nothing(client, container):
    await seed(
        container,
        document(
            [subscription("SUB-1", seats=5), subscription("SUB-9", customer_csn=OTHER)],
            customers=TWO_CUSTOMERS,
        ),
    )
    quote = await draft(client, container, ["SUB-1"])
    refused = await update(
        client,
        quoteId=quote["id"],
        changes=[
            {"subscriptionId": await sub_id(container, "SUB-1"), "seats": 7},
            {"subscriptionId": await sub_id(container, "SUB-9"), "seats": 1},
        ],
        address={**ADDRESS, "city": " ", "country": "Germany"},
    )
    assert refused["quote"] is None
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("INVALID_INPUT", ["input", "address", "city"]),
        ("INVALID_INPUT", ["input", "address", "country"]),
    ]
    refused = await update(
        client,
        quoteId=quote["id"],
        changes=[
            {"subscriptionId": await sub_id(container, "SUB-1"), "seats": 7},
            {"subscriptionId": await sub_id(container, "SUB-9"), "seats": 1},
        ],
    )
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("SEAT_INCREASE_NOT_ALLOWED", ["input", "changes", "0", "seats"]),
        ("INVALID_INPUT", ["input", "changes", "1", "subscriptionId"]),
    ]
    unchanged = await update(client, quoteId=quote["id"])
    assert [ln["seats"] for ln in unchanged["quote"]["lines"]] == [5]

    other = await update(client, auth=token("buyer", OTHER), quoteId=quote["id"])
    assert [e["code"] for e in other["userErrors"]] == ["NOT_FOUND"]


async def test_a_sent_quote_is_not_a_draft_and_its_address_is_locked(client, container):
    await seed(container, document([subscription("SUB-1")]))
    sent = await quoted(client, container, ["SUB-1"])
    locked = await update(client, quoteId=sent["id"], address=ADDRESS)
    assert [(e["code"], e["field"]) for e in locked["userErrors"]] == [
        ("ADDRESS_LOCKED", ["input", "address"])
    ]
    assert "reviseQuote" in locked["userErrors"][0]["message"]
    not_draft = await update(client, quoteId=sent["id"], recipients=[])
    assert [(e["code"], e["field"]) for e in not_draft["userErrors"]] == [
        ("QUOTE_NOT_DRAFT", ["input", "quoteId"])
    ]
    await drain(container)
