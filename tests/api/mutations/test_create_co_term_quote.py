"""createCoTermQuote (R06): FINALIZING → QUOTED → accepted → ORDERED, end dates moved."""

from renewals.services.worker import drain
from tests.api.mutations.co_term import ORDER_LINES, create_co_term, line_facts
from tests.api.mutations.helpers import (
    BUYER_SCOPE,
    accept,
    history,
    read_quote,
    read_sub,
    sub_id,
)
from tests.factories import document, subscription
from tests.helpers import gql, seed, token

# TODAY is 2026-11-26: SUB-1 ends 2026-12-31, SUB-2 2027-01-30, the anchor SUB-A 2027-03-31.
SUBS = [
    subscription("SUB-1", ends_in_days=35),
    subscription("SUB-2", ends_in_days=65, seats=3),
    subscription("SUB-A", ends_in_days=125, seats=1),
]
# 2100.00 × 5 × 90/365 = 2589.04; 2100.00 × 3 × 60/365 = 1035.62
LINES = [
    ("SUB-1", 5, "ANNUAL", "2027-01-01", "2027-03-31", "2100.00", "2589.04", "0.00", "2589.04"),
    ("SUB-2", 3, "ANNUAL", "2027-01-31", "2027-03-31", "2100.00", "1035.62", "0.00", "1035.62"),
]


async def test_co_term_to_an_anchor_is_quoted_ordered_and_moves_the_end_dates(client, container):
    await seed(container, document(SUBS))
    before = await read_sub(client, await sub_id(container, "SUB-1"))

    payload = await create_co_term(
        client, container, ["SUB-1", "SUB-2"], alignToSubscriptionId="SUB-A"
    )
    assert payload["userErrors"] == []
    quote = payload["quote"]
    assert (quote["type"], quote["origin"], quote["status"]) == (
        "CO_TERM",
        "SELF_SERVICE",
        "FINALIZING",
    )
    assert line_facts(quote) == LINES
    assert quote["total"] == {"amount": "3624.66", "currency": "EUR"}
    assert quote["expiresOn"] == "2026-12-26"  # 30 days
    assert quote["recipients"] == [{"email": "buyer@acme.example", "name": "Bea Buyer"}]
    assert history(quote) == [("FINALIZING", None, BUYER_SCOPE)]
    assert (await read_sub(client, await sub_id(container, "SUB-1")))["openQuote"] == {
        "number": quote["number"]
    }

    await drain(container)  # finalization re-prices pro rata, not as full terms
    quote = await read_quote(client, quote["number"])
    assert quote["status"] == "QUOTED"
    assert line_facts(quote) == LINES
    assert (quote["subtotal"]["amount"], quote["total"]["amount"]) == ("3624.66", "3624.66")

    accepted = await accept(client, token(), quoteId=quote["id"])
    assert accepted["userErrors"] == []
    await drain(container)
    quote = await read_quote(client, quote["number"])
    assert quote["status"] == "ORDERED"
    body = await gql(client, ORDER_LINES, {"number": quote["number"]}, auth=token())
    order = body["data"]["quote"]["order"]
    assert (order["status"], order["total"]["amount"]) == ("COMPLETED", "3624.66")
    assert line_facts(order) == LINES

    moved = await read_sub(client, await sub_id(container, "SUB-1"))
    assert moved["endDate"] == "2027-03-31"
    assert (moved["seats"], moved["term"], moved["startDate"], moved["autoRenew"]) == (
        before["seats"],
        before["term"],
        before["startDate"],
        before["autoRenew"],
    )
    assert moved["openQuote"] is None
    assert (await read_sub(client, await sub_id(container, "SUB-2")))["endDate"] == "2027-03-31"
    anchor = await read_sub(client, await sub_id(container, "SUB-A"))
    assert anchor["endDate"] == "2027-03-31"


async def test_co_term_to_a_date_applies_promotions_pro_rata(client, container):
    await seed(
        container, document([subscription("SUB-3Y", ends_in_days=18, term="THREE_YEAR", seats=4)])
    )
    payload = await create_co_term(client, container, ["SUB-3Y"], alignTo="2027-03-31")
    assert payload["userErrors"] == []
    await drain(container)
    quote = await read_quote(client, payload["quote"]["number"])
    # 2026-12-15 .. 2027-03-31 is 107 of the 1096 days of the three-year term from 2026-12-15:
    # 5985.00 × 4 × 107/1096 = 2337.21; RENEW3Y takes 10% = 233.72
    assert line_facts(quote) == [
        (
            "SUB-3Y",
            4,
            "THREE_YEAR",
            "2026-12-15",
            "2027-03-31",
            "5985.00",
            "2337.21",
            "233.72",
            "2103.49",
        )
    ]
    assert quote["promotions"] == [
        {
            "code": "RENEW3Y",
            "description": "10% off 3-year renewals",
            "discount": {"amount": "233.72", "currency": "EUR"},
        }
    ]
    assert quote["total"]["amount"] == "2103.49"


async def test_co_term_leaves_auto_renew_on_and_expires_by_the_end_date(client, container):
    await seed(container, document([subscription("SUB-AR", ends_in_days=20, auto_renew=True)]))
    payload = await create_co_term(client, container, ["SUB-AR"], alignTo="2027-03-31")
    assert payload["userErrors"] == []
    # R02 holds the automatic renewal while the quote is open: the quote ends with the term
    assert payload["quote"]["expiresOn"] == "2026-12-16"
    sub = await read_sub(client, await sub_id(container, "SUB-AR"))
    assert sub["autoRenew"] is True
    assert sub["openQuote"] == {"number": payload["quote"]["number"]}


async def test_partner_and_sales_co_terms_have_their_origin(client, container):
    subs = [
        subscription("SUB-P", reseller_csn="P000000001", ends_in_days=35),
        subscription("SUB-S", ends_in_days=35),
    ]
    await seed(container, document(subs))
    partner = await create_co_term(
        client, container, ["SUB-P"], token("partner", "P000000001"), alignTo="2027-02-28"
    )
    sales = await create_co_term(
        client, container, ["SUB-S"], token("sales", None), alignTo="2027-02-28"
    )
    assert (partner["quote"]["origin"], sales["quote"]["origin"]) == ("PARTNER", "SALES")
    assert partner["quote"]["type"] == sales["quote"]["type"] == "CO_TERM"
