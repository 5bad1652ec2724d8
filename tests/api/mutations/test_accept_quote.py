"""acceptQuote: by quote id or checkout token, once, while the quote is open and not expired."""

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from renewals.api.core.ids import from_global_id
from renewals.auth import mint_checkout_token, new_nonce
from renewals.domain.enums import Term
from renewals.domain.windows import next_term
from renewals.persistence import models as m
from renewals.services.worker import drain
from tests.api.mutations.helpers import (
    ACCEPT,
    BUYER_SCOPE,
    OTHER,
    TWO_CUSTOMERS,
    accept,
    checkout_token,
    codes,
    create,
    end,
    history,
    quoted,
    read_quote,
    read_sub,
    row_counts,
    sub_id,
)
from tests.factories import TODAY, document, subscription
from tests.helpers import gql, seed, token


async def test_buyer_accepts_by_quote_id_and_subscription_moves_one_term_on(client, container):
    await seed(container, document([subscription("SUB-1"), subscription("SUB-2")]))
    sid = await sub_id(container, "SUB-1")
    quote = await quoted(
        client,
        container,
        ["SUB-1", "SUB-2"],
        changes=[{"subscriptionId": sid, "seats": 3, "term": "THREE_YEAR"}],
    )
    assert quote["status"] == "QUOTED"

    result = await accept(client, token(), quoteId=quote["id"])
    assert result["userErrors"] == []
    assert result["quote"]["status"] == "ORDER_SUBMITTED"
    assert result["order"]["number"].startswith("O-2026-")
    assert result["order"]["total"] == quote["total"]
    assert result["quote"]["order"]["number"] == result["order"]["number"]

    await drain(container)
    done = await read_quote(client, quote["number"])
    assert done["status"] == "ORDERED"
    assert [h[:2] for h in history(done)] == [
        ("FINALIZING", None),
        ("QUOTED", "FINALIZING"),
        ("ORDER_SUBMITTED", "QUOTED"),
        ("ORDERED", "ORDER_SUBMITTED"),
    ]
    assert history(done)[2][2] == BUYER_SCOPE
    first = await read_sub(client, sid)
    start, stop = next_term(end(60), Term.THREE_YEAR)
    assert first == {
        "number": "SUB-1",
        "seats": 3,
        "term": "THREE_YEAR",
        "startDate": start.isoformat(),
        "endDate": stop.isoformat(),
        "autoRenew": False,
        "openQuote": None,
    }
    second = await read_sub(client, await sub_id(container, "SUB-2"))
    start, stop = next_term(end(60), Term.ANNUAL)
    assert (second["seats"], second["term"], second["startDate"], second["endDate"]) == (
        5,
        "ANNUAL",
        start.isoformat(),
        stop.isoformat(),
    )
    assert second["openQuote"] is None


@pytest.mark.parametrize("role", ["partner", "sales"])
async def test_partner_and_sales_accept_on_the_customers_behalf(client, container, role):
    await seed(container, document([subscription("SUB-1", reseller_csn="P000000001")]))
    quote = await quoted(client, container, ["SUB-1"])
    auth = token("partner", "P000000001") if role == "partner" else token("sales", None)
    result = await accept(client, auth, quoteId=quote["id"])
    assert result["userErrors"] == []
    assert result["quote"]["status"] == "ORDER_SUBMITTED"
    await drain(container)
    assert (await read_quote(client, quote["number"]))["status"] == "ORDERED"


async def test_accept_by_checkout_token_alone(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote = await quoted(client, container, ["SUB-1"])
    result = await accept(
        client, None, checkoutToken=await checkout_token(container, quote["number"])
    )
    assert result["userErrors"] == []
    assert result["quote"]["status"] == "ORDER_SUBMITTED"
    assert result["order"]["number"]
    await drain(container)
    done = await read_quote(client, quote["number"])
    assert done["status"] == "ORDERED"
    assert history(done)[2] == ("ORDER_SUBMITTED", "QUOTED", "checkout-link")
    sub = await read_sub(client, await sub_id(container, "SUB-1"))
    assert sub["endDate"] == next_term(end(60), Term.ANNUAL)[1].isoformat()


async def test_accepting_twice_is_quote_not_open(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote = await quoted(client, container, ["SUB-1"])
    assert (await accept(client, token(), quoteId=quote["id"]))["userErrors"] == []
    counts = await row_counts(container)
    again = await accept(client, token(), quoteId=quote["id"])
    assert codes(again) == ["QUOTE_NOT_OPEN"]
    assert again["quote"] is None and again["order"] is None
    await drain(container)
    assert codes(await accept(client, token(), quoteId=quote["id"])) == ["QUOTE_NOT_OPEN"]
    assert (await row_counts(container))["orders"] == counts["orders"] == 1


async def test_accepting_a_finalizing_quote_is_quote_not_open(client, container):
    await seed(container, document([subscription("SUB-1")]))
    payload = await create(client, container, ["SUB-1"])
    result = await accept(client, token(), quoteId=payload["quote"]["id"])
    assert codes(result) == ["QUOTE_NOT_OPEN"]
    assert (await row_counts(container))["orders"] == 0


async def test_accepting_an_expired_quote_is_quote_expired(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote = await quoted(client, container, ["SUB-1"])
    token_text = await checkout_token(container, quote["number"])
    container.clock.fixed_today = date.fromisoformat(quote["expiresOn"])
    # The last day still counts.
    container.clock.fixed_today += timedelta(days=1)
    assert codes(await accept(client, token(), quoteId=quote["id"])) == ["QUOTE_EXPIRED"]
    assert codes(await accept(client, None, checkoutToken=token_text)) == ["QUOTE_EXPIRED"]
    assert (await row_counts(container))["orders"] == 0


async def test_quote_can_be_accepted_on_its_last_day(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote = await quoted(client, container, ["SUB-1"])
    container.clock.fixed_today = date.fromisoformat(quote["expiresOn"])
    assert (await accept(client, token(), quoteId=quote["id"]))["userErrors"] == []


async def test_invalid_checkout_tokens(client, container, settings):
    await seed(container, document([subscription("SUB-1")]))
    quote = await quoted(client, container, ["SUB-1"])
    good = await checkout_token(container, quote["number"])
    pk = from_global_id(quote["id"])[1]
    forged = mint_checkout_token("another-secret-that-is-long-enough-for-hs256", pk, "n", TODAY)
    for bad in ("garbage", "", forged, good[:-3] + "abc"):
        result = await accept(client, None, checkoutToken=bad)
        assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
            ("INVALID_CHECKOUT_TOKEN", ["input", "checkoutToken"])
        ], bad
    # Re-issuing the link (a new nonce) makes the old one useless; the new one works.
    nonce = new_nonce()
    async with container.db.write_engine.begin() as conn:
        await conn.execute(update(m.Quote).where(m.Quote.id == pk).values(checkout_nonce=nonce))
    assert codes(await accept(client, None, checkoutToken=good)) == ["INVALID_CHECKOUT_TOKEN"]
    expires = date.fromisoformat(quote["expiresOn"])
    fresh = mint_checkout_token(settings.secret_key, pk, nonce, expires)
    assert (await accept(client, None, checkoutToken=fresh))["userErrors"] == []
    # A used link stays refused.
    assert codes(await accept(client, None, checkoutToken=fresh)) == ["QUOTE_NOT_OPEN"]


async def test_accepting_another_customers_quote_is_not_found(client, container):
    await seed(
        container,
        document(
            [subscription("SUB-1"), subscription("SUB-3", reseller_csn="P000000002")],
            customers=TWO_CUSTOMERS,
        ),
    )
    quote = await quoted(client, container, ["SUB-1"])
    for auth in (token("buyer", OTHER), token("partner", "P000000001")):
        result = await accept(client, auth, quoteId=quote["id"])
        assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
            ("NOT_FOUND", ["input", "quoteId"])
        ]
    garbage = await accept(client, token(), quoteId="garbage")
    assert codes(garbage) == ["NOT_FOUND"]
    assert (await read_quote(client, quote["number"]))["status"] == "QUOTED"


async def test_accept_needs_exactly_one_of_quote_id_and_checkout_token(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote = await quoted(client, container, ["SUB-1"])
    link = await checkout_token(container, quote["number"])
    both = await accept(client, token(), quoteId=quote["id"], checkoutToken=link)
    neither = await accept(client, token())
    for result in (both, neither):
        assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
            ("INVALID_INPUT", ["input"])
        ]
    assert (await read_quote(client, quote["number"]))["status"] == "QUOTED"


async def test_accept_without_token_or_bearer_is_unauthenticated(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote = await quoted(client, container, ["SUB-1"])
    body = await gql(client, ACCEPT, {"input": {"quoteId": quote["id"]}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
