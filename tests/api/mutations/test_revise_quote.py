"""reviseQuote: a new quote replaces an open one. Once the revision is sent, the original is
CANCELLED (QUOTE_REVISED) in the same transaction and the revision holds its subscriptions;
buying the original answers QUOTE_REVISED, naming the revision."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select

from renewals.persistence import models as m
from renewals.services.worker import drain
from tests.api.mutations.drafts.helpers import finalize
from tests.api.mutations.helpers import (
    QUOTE_FIELDS,
    accept,
    cancel,
    quoted,
    read_quote,
    read_sub,
    sub_id,
)
from tests.factories import TODAY, document, subscription
from tests.helpers import gql, seed, token

REVISE = (
    "mutation($input: ReviseQuoteInput!) { reviseQuote(input: $input) {"
    f" quote {{ {QUOTE_FIELDS} revisionOf {{ number status }} revisedBy {{ number }} }}"
    " userErrors { code field message } } }"
)
LINKS = "query($n: String!) { quote(number: $n) { status revisedBy { number } revisionOf { number } statusHistory { status reason } } }"


async def revise(client, auth: str | None = None, **input) -> dict:
    body = await gql(client, REVISE, {"input": input}, auth=auth or token())
    assert "errors" not in body, body
    return body["data"]["reviseQuote"]


async def emails(container) -> list[tuple[int | None, str]]:
    async with container.db.read_engine.connect() as conn:
        rows = await conn.execute(select(m.Email.quote_id, m.Email.subject).order_by(m.Email.id))
        return [tuple(r) for r in rows]


async def test_a_buyer_revises_its_quote_and_the_original_is_replaced(client, container):
    await seed(container, document([subscription("SUB-1", seats=5)]))
    original = await quoted(
        client, container, ["SUB-1"], recipients=[{"email": "carl@acme.example"}]
    )
    gid = await sub_id(container, "SUB-1")
    payload = await revise(
        client, quoteId=original["id"], changes=[{"subscriptionId": gid, "seats": 3}]
    )
    assert payload["userErrors"] == []
    revision = payload["quote"]
    assert revision["status"] == "FINALIZING"
    assert revision["revisionOf"] == {"number": original["number"], "status": "CANCELLED"}
    assert [ln["seats"] for ln in revision["lines"]] == [3]
    assert [r["email"] for r in revision["recipients"]] == [
        "buyer@acme.example",
        "carl@acme.example",  # carried over
    ]
    links = (await gql(client, LINKS, {"n": original["number"]}, auth=token()))["data"]["quote"]
    assert links["status"] == "CANCELLED"
    assert links["revisedBy"] == {"number": revision["number"]}
    assert links["statusHistory"][-1] == {
        "status": "CANCELLED",
        "reason": f"QUOTE_REVISED: replaced by {revision['number']}",
    }
    sub = await read_sub(client, gid)
    assert sub["openQuote"] == {"number": revision["number"]}

    await drain(container)
    assert (await read_quote(client, revision["number"]))["status"] == "QUOTED"
    # The buyers get the revision, not a cancellation notice for the original.
    subjects = [subject for _, subject in await emails(container)]
    assert not any("cancelled" in s for s in subjects)
    assert sum(revision["number"] in s for s in subjects) == 2  # buyer and Carl

    bought = await accept(client, auth=token(), quoteId=original["id"])
    (error,) = bought["userErrors"]
    assert error["code"] == "QUOTE_REVISED"
    assert revision["number"] in error["message"]


async def test_the_original_checkout_link_names_the_revision(client, container):
    await seed(container, document([subscription("SUB-1")]))
    original = await quoted(client, container, ["SUB-1"])
    async with container.db.read_engine.connect() as conn:
        body = (await conn.execute(select(m.Email.body))).scalar_one()
    link = next(word for word in body.split() if "/checkout?token=" in word)
    revision = (await revise(client, quoteId=original["id"]))["quote"]
    page = await client.get(f"/checkout?{urlparse(link).query}")
    assert page.status_code == 409
    assert revision["number"] in page.text
    token_value = parse_qs(urlparse(link).query)["token"][0]
    posted = await client.post("/checkout", data={"token": token_value})
    assert posted.status_code == 409 and revision["number"] in posted.text


async def test_a_draft_revision_leaves_the_original_open_until_it_is_sent(client, container):
    await seed(container, document([subscription("SUB-1")]))
    original = await quoted(client, container, ["SUB-1"])
    draft = (await revise(client, quoteId=original["id"], draft=True))["quote"]
    assert draft["status"] == "DRAFT"
    assert draft["revisionOf"] == {"number": original["number"], "status": "QUOTED"}
    gid = await sub_id(container, "SUB-1")
    assert (await read_sub(client, gid))["openQuote"] == {"number": original["number"]}

    sent = await finalize(client, quoteId=draft["id"])
    assert sent["userErrors"] == []
    assert (await read_quote(client, original["number"]))["status"] == "CANCELLED"
    assert (await read_sub(client, gid))["openQuote"] == {"number": draft["number"]}


async def test_who_may_revise_what(client, container):
    await seed(
        container,
        document([subscription("SUB-1", reseller_csn="P000000001"), subscription("SUB-2")]),
    )
    partner = token("partner", "P000000001")
    by_partner = await quoted(client, container, ["SUB-1"], auth=partner)
    refused = await revise(client, quoteId=by_partner["id"])
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("FORBIDDEN", ["input", "quoteId"])
    ]
    assert (await revise(client, auth=partner, quoteId=by_partner["id"]))["userErrors"] == []
    sales = token("sales", None)
    by_sales = await quoted(client, container, ["SUB-2"], auth=sales)
    assert [e["code"] for e in (await revise(client, quoteId=by_sales["id"]))["userErrors"]] == [
        "FORBIDDEN"
    ]
    other = await revise(client, auth=token("buyer", "5100000002"), quoteId=by_sales["id"])
    assert [e["code"] for e in other["userErrors"]] == ["NOT_FOUND"]


async def test_only_an_open_quote_is_revised(client, container):
    await seed(container, document([subscription("SUB-1"), subscription("SUB-2")]))
    sales = token("sales", None)
    first = await quoted(client, container, ["SUB-1"])
    await cancel(client, first["id"], sales)
    closed = await revise(client, auth=sales, quoteId=first["id"])
    assert [e["code"] for e in closed["userErrors"]] == ["QUOTE_NOT_OPEN"]
    second = await quoted(client, container, ["SUB-2"])
    container.clock.fixed_today = TODAY + timedelta(days=40)
    expired = await revise(client, auth=sales, quoteId=second["id"])
    assert [e["code"] for e in expired["userErrors"]] == ["QUOTE_EXPIRED"]
