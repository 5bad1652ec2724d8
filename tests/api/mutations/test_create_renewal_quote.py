"""createRenewalQuote: FINALIZING at once, QUOTED by the worker; prices, promotions, recipients."""

import re
from datetime import timedelta

from renewals.domain.enums import Term
from renewals.domain.windows import next_term
from renewals.services.worker import drain
from tests.api.mutations.helpers import (
    BUYER_SCOPE,
    codes,
    create,
    end,
    history,
    read_quote,
    read_sub,
    sub_id,
)
from tests.factories import TODAY, document, subscription
from tests.helpers import seed, token


async def test_create_for_a_whole_group_is_finalizing_then_quoted(client, container):
    await seed(container, document([subscription("SUB-1"), subscription("SUB-2", seats=3)]))
    payload = await create(client, container, ["SUB-1", "SUB-2"])
    assert payload["userErrors"] == []
    quote = payload["quote"]
    assert quote["status"] == "FINALIZING"
    assert (quote["type"], quote["origin"]) == ("RENEWAL", "SELF_SERVICE")
    assert [(ln["subscription"]["number"], ln["seats"], ln["term"]) for ln in quote["lines"]] == [
        ("SUB-1", 5, "ANNUAL"),
        ("SUB-2", 3, "ANNUAL"),
    ]
    start, stop = next_term(end(60), Term.ANNUAL)
    assert quote["lines"][0]["startDate"] == start.isoformat()
    assert quote["lines"][0]["endDate"] == stop.isoformat()
    assert quote["recipients"] == [{"email": "buyer@acme.example", "name": "Bea Buyer"}]
    assert history(quote) == [("FINALIZING", None, BUYER_SCOPE)]

    assert await drain(container) == 1
    quote = await read_quote(client, quote["number"])
    assert quote["status"] == "QUOTED"
    assert re.fullmatch(r"Q-2026-\d{6}", quote["number"])
    assert quote["subtotal"] == {"amount": "16800.00", "currency": "EUR"}
    assert quote["discountTotal"] == {"amount": "0.00", "currency": "EUR"}
    assert quote["total"] == {"amount": "16800.00", "currency": "EUR"}
    assert [ln["total"]["amount"] for ln in quote["lines"]] == ["10500.00", "6300.00"]
    assert quote["promotions"] == []
    assert quote["expiresOn"] == (TODAY + timedelta(days=30)).isoformat()
    assert history(quote) == [
        ("FINALIZING", None, BUYER_SCOPE),
        ("QUOTED", "FINALIZING", "worker"),
    ]


async def test_create_for_a_subset_of_a_group(client, container):
    subs = [subscription(f"SUB-{i}") for i in (1, 2, 3)]
    await seed(container, document(subs))
    payload = await create(client, container, ["SUB-1", "SUB-3"])
    assert payload["userErrors"] == []
    assert [ln["subscription"]["number"] for ln in payload["quote"]["lines"]] == ["SUB-1", "SUB-3"]
    await drain(container)
    quote = await read_quote(client, payload["quote"]["number"])
    assert quote["status"] == "QUOTED"
    assert quote["total"]["amount"] == "21000.00"
    assert (await read_sub(client, await sub_id(container, "SUB-2")))["openQuote"] is None
    assert (await read_sub(client, await sub_id(container, "SUB-1")))["openQuote"] == {
        "number": quote["number"]
    }


async def test_create_for_one_subscription_with_three_year_promotion(client, container):
    await seed(container, document([subscription("SUB-1")]))
    sid = await sub_id(container, "SUB-1")
    recipients = [{"email": "cfo@acme.example", "name": "Cid Cfo"}]
    payload = await create(
        client,
        container,
        ["SUB-1"],
        changes=[{"subscriptionId": sid, "term": "THREE_YEAR", "seats": 4}],
        recipients=recipients,
    )
    assert payload["userErrors"] == []
    assert payload["quote"]["recipients"] == [
        {"email": "buyer@acme.example", "name": "Bea Buyer"},
        {"email": "cfo@acme.example", "name": "Cid Cfo"},
    ]
    await drain(container)
    quote = await read_quote(client, payload["quote"]["number"])
    assert quote["status"] == "QUOTED"
    (line,) = quote["lines"]
    start, stop = next_term(end(60), Term.THREE_YEAR)
    assert (line["seats"], line["term"], line["startDate"], line["endDate"]) == (
        4,
        "THREE_YEAR",
        start.isoformat(),
        stop.isoformat(),
    )
    assert line["unitPrice"]["amount"] == "5985.00"
    assert line["subtotal"]["amount"] == "23940.00"
    assert line["discount"]["amount"] == "2394.00"
    assert line["total"]["amount"] == "21546.00"
    assert quote["promotions"] == [
        {
            "code": "RENEW3Y",
            "description": "10% off 3-year renewals",
            "discount": {"amount": "2394.00", "currency": "EUR"},
        }
    ]
    assert quote["subtotal"]["amount"] == "23940.00"
    assert quote["discountTotal"]["amount"] == "2394.00"
    assert quote["total"]["amount"] == "21546.00"


async def test_partner_and_sales_quotes_have_their_origin(client, container):
    await seed(
        container,
        document([subscription("SUB-1", reseller_csn="P000000001"), subscription("SUB-2")]),
    )
    partner = await create(client, container, ["SUB-1"], auth=token("partner", "P000000001"))
    sales = await create(client, container, ["SUB-2"], auth=token("sales", None))
    assert partner["quote"]["origin"] == "PARTNER"
    assert sales["quote"]["origin"] == "SALES"


async def test_partner_quote_reaches_customer_contacts_plus_four_external(client, container):
    await seed(container, document([subscription("SUB-1", reseller_csn="P000000001")]))
    recipients = [{"email": "eng-5100000001@example.com"}] + [
        {"email": f"r{i}@example.com"} for i in range(4)
    ]
    payload = await create(
        client, container, ["SUB-1"], token("partner", "P000000001"), recipients=recipients
    )
    assert payload["userErrors"] == []
    assert [r["email"] for r in payload["quote"]["recipients"]] == [
        "buyer@acme.example",
        "eng-5100000001@example.com",
        *[f"r{i}@example.com" for i in range(4)],
    ]
    # A buyer's own quote counts every address it adds (R04: at most four).
    await seed(container, document([subscription("SUB-2")]))
    mine = await create(client, container, ["SUB-2"], recipients=recipients)
    assert codes(mine) == ["TOO_MANY_RECIPIENTS"]


async def test_r10_the_natural_start_date_and_the_currency_in_any_case_are_accepted(
    client, container
):
    await seed(container, document([subscription("SUB-1"), subscription("SUB-2", seats=3)]))
    start, stop = next_term(end(60), Term.ANNUAL)
    payload = await create(
        client, container, ["SUB-1", "SUB-2"], startDate=start.isoformat(), currency="eur"
    )
    assert payload["userErrors"] == []
    assert [(ln["startDate"], ln["endDate"]) for ln in payload["quote"]["lines"]] == [
        (start.isoformat(), stop.isoformat())
    ] * 2
    assert payload["quote"]["currency"] == "EUR"
