"""CO_TERM quotes in the review step and revisions: a co-term draft is priced pro rata, reviewed
(recipients, address; never seats, terms or auto-renew), finalized as a co-term; a co-term quote
is revised into a co-term quote to the same aligned date."""

from renewals.services.worker import drain
from tests.api.mutations.co_term import create_co_term, line_facts
from tests.api.mutations.drafts.helpers import finalize, update
from tests.api.mutations.helpers import read_quote, read_sub, sub_id
from tests.api.mutations.test_revise_quote import revise
from tests.factories import document, subscription
from tests.helpers import seed, token

ALIGN = "2027-03-31"


async def test_a_co_term_draft_is_reviewed_and_sent_as_a_co_term(client, container):
    await seed(
        container, document([subscription("SUB-3Y", ends_in_days=18, term="THREE_YEAR", seats=4)])
    )
    made = await create_co_term(client, container, ["SUB-3Y"], alignTo=ALIGN, draft=True)
    assert made["userErrors"] == []
    draft = made["quote"]
    assert (draft["type"], draft["status"]) == ("CO_TERM", "DRAFT")
    assert draft["total"]["amount"] == "2103.49"  # 107/1096 of the term, RENEW3Y 10% off
    gid = await sub_id(container, "SUB-3Y")
    assert (await read_sub(client, gid))["openQuote"] is None  # a draft holds nothing

    refused = await update(
        client,
        quoteId=draft["id"],
        changes=[{"subscriptionId": gid, "seats": 2}],
        disableAutoRenew=True,
    )
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("INVALID_INPUT", ["input", "changes"]),
        ("INVALID_INPUT", ["input", "disableAutoRenew"]),
    ]
    reviewed = await update(
        client, quoteId=draft["id"], recipients=[{"email": "carl@acme.example"}]
    )
    assert reviewed["userErrors"] == []
    assert line_facts(reviewed["quote"]) == line_facts(draft)

    sent = await finalize(client, quoteId=draft["id"])
    assert sent["userErrors"] == []
    await drain(container)
    quote = await read_quote(client, draft["number"])
    assert (quote["type"], quote["status"]) == ("CO_TERM", "QUOTED")
    assert line_facts(quote) == line_facts(draft)
    assert [r["email"] for r in quote["recipients"]] == ["buyer@acme.example", "carl@acme.example"]


async def test_a_co_term_quote_is_revised_into_a_co_term(client, container):
    await seed(container, document([subscription("SUB-1", ends_in_days=18)]))
    made = await create_co_term(client, container, ["SUB-1"], alignTo=ALIGN)
    await drain(container)
    revised = await revise(
        client,
        auth=token(),
        quoteId=made["quote"]["id"],
        recipients=[{"email": "carl@acme.example"}],
    )
    assert revised["userErrors"] == []
    revision = revised["quote"]
    assert (revision["type"], revision["status"]) == ("CO_TERM", "FINALIZING")
    assert line_facts(revision) == line_facts(made["quote"])  # the same aligned date, pro rata
    assert revision["revisionOf"]["status"] == "CANCELLED"
    gid = await sub_id(container, "SUB-1")
    assert (await read_sub(client, gid))["openQuote"] == {"number": revision["number"]}
    wrong = await revise(
        client, auth=token(), quoteId=revision["id"], changes=[{"subscriptionId": gid, "seats": 1}]
    )
    assert [(e["code"], e["field"]) for e in wrong["userErrors"]] == [
        ("INVALID_INPUT", ["input", "changes"])
    ]
