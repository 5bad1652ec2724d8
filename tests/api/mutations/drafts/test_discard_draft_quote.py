"""discardDraftQuote: a DRAFT is deleted, not cancelled; buyers may discard their own."""

from tests.api.mutations.drafts.helpers import NODE, discard, draft
from tests.api.mutations.helpers import OTHER, TWO_CUSTOMERS, quoted
from tests.factories import document, subscription
from tests.helpers import gql, seed, token


async def test_a_buyer_discards_its_draft_and_it_is_gone(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote = await draft(client, container, ["SUB-1"])
    done = await discard(client, quoteId=quote["id"])
    assert done == {"discardedQuoteId": quote["id"], "userErrors": []}
    node = await gql(client, NODE, {"id": quote["id"]}, auth=token("sales", None))
    assert node["data"]["node"] is None
    again = await discard(client, quoteId=quote["id"])
    assert [e["code"] for e in again["userErrors"]] == ["NOT_FOUND"]


async def test_only_drafts_the_viewer_may_see_are_discarded(client, container):
    await seed(
        container,
        document([subscription("SUB-1"), subscription("SUB-2")], customers=TWO_CUSTOMERS),
    )
    quote = await draft(client, container, ["SUB-1"])
    foreign = await discard(client, auth=token("buyer", OTHER), quoteId=quote["id"])
    assert [(e["code"], e["field"]) for e in foreign["userErrors"]] == [
        ("NOT_FOUND", ["input", "quoteId"])
    ]
    sent = await quoted(client, container, ["SUB-2"])
    not_draft = await discard(client, quoteId=sent["id"])
    assert [e["code"] for e in not_draft["userErrors"]] == ["QUOTE_NOT_DRAFT"]
