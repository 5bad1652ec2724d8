"""The four mutations over HTTP (ASGI client): creating, refusing, accepting, cancelling quotes."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from renewals.api.core.ids import from_global_id, to_global_id
from renewals.auth import mint_checkout_token, new_nonce
from renewals.domain.enums import Term
from renewals.domain.windows import next_term
from renewals.persistence import models as m
from renewals.services.worker import drain
from tests.factories import TODAY, customer, document, subscription
from tests.helpers import gql, seed, token

OTHER = "5100000002"
BUYER_SCOPE = "buyer:5100000001:buyer-5100000001"

QUOTE_FIELDS = """
  id number type origin status currency paymentMethod expiresOn
  subtotal { amount currency } discountTotal { amount currency } total { amount currency }
  lines { subscription { number } seats term startDate endDate
          unitPrice { amount } subtotal { amount } discount { amount } total { amount } }
  promotions { code description discount { amount currency } }
  recipients { email name }
  statusHistory { status previousStatus actor reason }
  order { number total { amount currency } }
"""
CREATE = (
    "mutation($input: CreateRenewalQuoteInput!) { createRenewalQuote(input: $input) {"
    f" quote {{ {QUOTE_FIELDS} }} userErrors {{ code field message }} }} }}"
)
ACCEPT = (
    "mutation($input: AcceptQuoteInput!) { acceptQuote(input: $input) {"
    f" quote {{ {QUOTE_FIELDS} }} order {{ number total {{ amount currency }} paymentReference }}"
    " userErrors { code field message } } }"
)
CANCEL = (
    "mutation($input: CancelQuoteInput!) { cancelQuote(input: $input) {"
    f" quote {{ {QUOTE_FIELDS} }} userErrors {{ code field message }} }} }}"
)
SET_AUTO_RENEW = """mutation($input: SetAutoRenewInput!) { setAutoRenew(input: $input) {
  subscription { number autoRenew } userErrors { code field message } } }"""
QUOTE = f"query($number: String!) {{ quote(number: $number) {{ {QUOTE_FIELDS} }} }}"
SUBSCRIPTION = """query($id: ID!) { node(id: $id) { ... on Subscription {
  number seats term startDate endDate autoRenew openQuote { number } } } }"""

TABLES = (
    m.Quote,
    m.QuoteLine,
    m.OutboxJob,
    m.Email,
    m.IdempotencyKey,
    m.QuoteStatusChange,
    m.Order,
)


# --- helpers ------------------------------------------------------------------------------------


async def sub_id(container, number: str) -> str:
    async with container.db.read_engine.connect() as conn:
        pk = (
            await conn.execute(select(m.Subscription.id).where(m.Subscription.number == number))
        ).scalar_one()
    return to_global_id("Subscription", pk)


async def row_counts(container) -> dict[str, int]:
    async with container.db.read_engine.connect() as conn:
        return {
            t.__tablename__: (await conn.execute(select(func.count()).select_from(t))).scalar_one()
            for t in TABLES
        }


async def subscription_rows(container) -> list[tuple]:
    async with container.db.read_engine.connect() as conn:
        rows = await conn.execute(select(m.Subscription.__table__).order_by(m.Subscription.id))
        return [tuple(r) for r in rows]


async def create(
    client, container, numbers: list[str], auth: str | None = None, **extra: Any
) -> dict:
    ids = [await sub_id(container, n) for n in numbers]
    body = await gql(
        client, CREATE, {"input": {"subscriptionIds": ids, **extra}}, auth=auth or token()
    )
    assert "errors" not in body, body
    return body["data"]["createRenewalQuote"]


async def quoted(
    client, container, numbers: list[str], auth: str | None = None, **extra: Any
) -> dict:
    """A quote made and finalized by the worker: QUOTED."""
    payload = await create(client, container, numbers, auth, **extra)
    assert payload["userErrors"] == []
    await drain(container)
    return await read_quote(client, payload["quote"]["number"])


async def read_quote(client, number: str, auth: str | None = None) -> dict:
    body = await gql(client, QUOTE, {"number": number}, auth=auth or token("sales", None))
    return body["data"]["quote"]


async def read_sub(client, gid: str) -> dict:
    body = await gql(client, SUBSCRIPTION, {"id": gid}, auth=token("sales", None))
    return body["data"]["node"]


async def accept(client, auth: str | None = None, **input: Any) -> dict:
    body = await gql(client, ACCEPT, {"input": input}, auth=auth)
    assert "errors" not in body, body
    return body["data"]["acceptQuote"]


async def cancel(client, quote_id: str, auth: str, reason: str | None = None) -> dict:
    body = await gql(client, CANCEL, {"input": {"quoteId": quote_id, "reason": reason}}, auth=auth)
    assert "errors" not in body, body
    return body["data"]["cancelQuote"]


async def checkout_token(container, quote_number: str) -> str:
    async with container.db.read_engine.connect() as conn:
        body = (
            await conn.execute(
                select(m.Email.body)
                .join(m.Quote, m.Quote.id == m.Email.quote_id)
                .where(m.Quote.number == quote_number)
                .order_by(m.Email.id)
            )
        ).first()[0]
    return re.search(r"token=([^\s]+)", body).group(1)


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


def end(days: int) -> date:
    return TODAY + timedelta(days=days)


def history(quote: dict) -> list[tuple]:
    return [(h["status"], h["previousStatus"], h["actor"]) for h in quote["statusHistory"]]


# --- createRenewalQuote: success ----------------------------------------------------------------


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


# --- createRenewalQuote: refusals ---------------------------------------------------------------


def case(subs, input, expected, *, customers=None, auth=("buyer", "5100000001"), prepare=None):
    return {
        "subs": subs,
        "input": input,
        "expected": expected,
        "customers": customers,
        "auth": auth,
        "prepare": prepare,
    }


TWO_CUSTOMERS = [customer(), customer(OTHER, "Other GmbH", "buyer@other.example")]
IDS = ["input", "subscriptionIds"]
FIRST = [*IDS, "0"]

REFUSALS = {
    "NOT_FOUND other customer": case(
        [subscription("SUB-X", customer_csn=OTHER)],
        {"subscriptionIds": ["SUB-X"]},
        [("NOT_FOUND", FIRST)],
        customers=TWO_CUSTOMERS,
    ),
    "NOT_FOUND garbage id": case(
        [subscription("SUB-1")],
        {"subscriptionIds": ["SUB-1", "garbage!"]},
        [("NOT_FOUND", [*IDS, "1"])],
    ),
    "NOT_FOUND partner not reseller": case(
        [subscription("SUB-1")],
        {"subscriptionIds": ["SUB-1"]},
        [("NOT_FOUND", FIRST)],
        auth=("partner", "P000000001"),
    ),
    "INVALID_INPUT selected twice": case(
        [subscription("SUB-1")],
        {"subscriptionIds": ["SUB-1", "SUB-1"]},
        [("INVALID_INPUT", [*IDS, "1"])],
    ),
    "INVALID_INPUT zero seats": case(
        [subscription("SUB-1")],
        {"subscriptionIds": ["SUB-1"], "changes": [{"subscriptionId": "SUB-1", "seats": 0}]},
        [("INVALID_INPUT", ["input", "changes", "0", "seats"])],
    ),
    "INVALID_INPUT change outside selection": case(
        [subscription("SUB-1"), subscription("SUB-2")],
        {"subscriptionIds": ["SUB-1"], "changes": [{"subscriptionId": "SUB-2", "seats": 1}]},
        [("INVALID_INPUT", ["input", "changes", "0", "subscriptionId"])],
    ),
    "EMPTY_SELECTION": case(
        [subscription("SUB-1")], {"subscriptionIds": []}, [("EMPTY_SELECTION", IDS)]
    ),
    "OUTSIDE_RENEWAL_WINDOW": case(
        [subscription("SUB-1", ends_in_days=91)],
        {"subscriptionIds": ["SUB-1"]},
        [("OUTSIDE_RENEWAL_WINDOW", FIRST)],
    ),
    "OUTSIDE_RENEWAL_WINDOW after": case(
        [subscription("SUB-1", ends_in_days=-46)],
        {"subscriptionIds": ["SUB-1"]},
        [("OUTSIDE_RENEWAL_WINDOW", FIRST)],
    ),
    "MIXED_CUSTOMERS": case(
        [subscription("SUB-1"), subscription("SUB-2", customer_csn=OTHER)],
        {"subscriptionIds": ["SUB-1", "SUB-2"]},
        [("MIXED_CUSTOMERS", IDS)],
        customers=TWO_CUSTOMERS,
        auth=("sales", None),
    ),
    "MIXED_CURRENCIES": case(
        [subscription("SUB-1"), subscription("SUB-2", currency="USD")],
        {"subscriptionIds": ["SUB-1", "SUB-2"]},
        [("MIXED_CURRENCIES", IDS)],
    ),
    "MIXED_PAYMENT_METHODS": case(
        [subscription("SUB-1"), subscription("SUB-2", payment_method="PAYPAL")],
        {"subscriptionIds": ["SUB-1", "SUB-2"]},
        [("MIXED_PAYMENT_METHODS", IDS)],
    ),
    "RESELLER_MISMATCH": case(
        [
            subscription("SUB-1", reseller_csn="P000000001"),
            subscription("SUB-2", reseller_csn="P000000002"),
        ],
        {"subscriptionIds": ["SUB-1", "SUB-2"]},
        [("RESELLER_MISMATCH", IDS)],
    ),
    "RESELLER_MISMATCH with direct": case(
        [subscription("SUB-1", reseller_csn="P000000001"), subscription("SUB-2")],
        {"subscriptionIds": ["SUB-1", "SUB-2"]},
        [("RESELLER_MISMATCH", IDS)],
        auth=("sales", None),
    ),
    "OFFERING_NOT_ELIGIBLE success plan": case(
        [subscription("SUB-1", offering_type="SUCCESS_PLAN")],
        {"subscriptionIds": ["SUB-1"]},
        [("OFFERING_NOT_ELIGIBLE", FIRST)],
    ),
    "OFFERING_NOT_ELIGIBLE flex": case(
        [subscription("SUB-1", offering_type="FLEX")],
        {"subscriptionIds": ["SUB-1"]},
        [("OFFERING_NOT_ELIGIBLE", FIRST)],
    ),
    "SEAT_INCREASE_NOT_ALLOWED": case(
        [subscription("SUB-1")],
        {"subscriptionIds": ["SUB-1"], "changes": [{"subscriptionId": "SUB-1", "seats": 6}]},
        [("SEAT_INCREASE_NOT_ALLOWED", ["input", "changes", "0", "seats"])],
    ),
    "TOO_MANY_RECIPIENTS": case(
        [subscription("SUB-1")],
        {
            "subscriptionIds": ["SUB-1"],
            "recipients": [{"email": f"r{i}@example.com"} for i in range(5)],
        },
        [("TOO_MANY_RECIPIENTS", ["input", "recipients"])],
    ),
    "TOO_MANY_RECIPIENTS partner": case(
        [subscription("SUB-1", reseller_csn="P000000001")],
        {
            "subscriptionIds": ["SUB-1"],
            "recipients": [{"email": f"r{i}@example.com"} for i in range(5)],
        },
        [("TOO_MANY_RECIPIENTS", ["input", "recipients"])],
        auth=("partner", "P000000001"),
    ),
    "INVALID_EMAIL": case(
        [subscription("SUB-1")],
        {"subscriptionIds": ["SUB-1"], "recipients": [{"email": "not-an-email"}]},
        [("INVALID_EMAIL", ["input", "recipients", "0", "email"])],
    ),
    "AUTO_RENEW_ENABLED": case(
        [subscription("SUB-1", auto_renew=True)],
        {"subscriptionIds": ["SUB-1"], "changes": [{"subscriptionId": "SUB-1", "seats": 4}]},
        [("AUTO_RENEW_ENABLED", ["input", "changes", "0"])],
    ),
    "ALREADY_ON_OPEN_QUOTE": case(
        [subscription("SUB-1"), subscription("SUB-2")],
        {"subscriptionIds": ["SUB-2", "SUB-1"]},
        [("ALREADY_ON_OPEN_QUOTE", [*IDS, "1"])],
        prepare=["SUB-1"],
    ),
    "PRICE_UNAVAILABLE": case(
        [subscription("SUB-1", product="Inventor")],
        {"subscriptionIds": ["SUB-1"]},
        [("PRICE_UNAVAILABLE", FIRST)],
    ),
    "CURRENCY_CHANGE_NOT_ALLOWED": case(
        [subscription("SUB-1")],
        {"subscriptionIds": ["SUB-1"], "currency": "USD"},
        [("CURRENCY_CHANGE_NOT_ALLOWED", ["input", "currency"])],
    ),
    "NEW_CREDIT_LINE_NOT_ALLOWED": case(
        [subscription("SUB-1")],
        {"subscriptionIds": ["SUB-1"], "paymentMethod": "INVOICE"},
        [("NEW_CREDIT_LINE_NOT_ALLOWED", ["input", "paymentMethod"])],
    ),
    "FUTURE_START_DATE_NOT_ALLOWED": case(
        [subscription("SUB-1")],
        {"subscriptionIds": ["SUB-1"], "startDate": (TODAY + timedelta(days=1)).isoformat()},
        [("FUTURE_START_DATE_NOT_ALLOWED", ["input", "startDate"])],
    ),
    "MIXED_QUOTE_TYPES": case(
        [subscription("SUB-1"), subscription("SUB-2")],
        {
            "subscriptionIds": ["SUB-1", "SUB-2"],
            "changes": [{"subscriptionId": "SUB-2", "type": "NEW_PURCHASE"}],
        },
        [("MIXED_QUOTE_TYPES", ["input", "changes"])],
    ),
    "several problems at once": case(
        [
            subscription("SUB-1", ends_in_days=200),
            subscription("SUB-2", offering_type="FLEX", currency="USD"),
        ],
        {
            "subscriptionIds": ["SUB-1", "SUB-2", "nope"],
            "changes": [{"subscriptionId": "SUB-1", "seats": 9}],
            "recipients": [{"email": "bad address"}],
            "startDate": (TODAY + timedelta(days=3)).isoformat(),
        },
        [
            ("NOT_FOUND", [*IDS, "2"]),
            ("OUTSIDE_RENEWAL_WINDOW", FIRST),
            ("OFFERING_NOT_ELIGIBLE", [*IDS, "1"]),
            ("MIXED_CURRENCIES", IDS),
            ("FUTURE_START_DATE_NOT_ALLOWED", ["input", "startDate"]),
            ("SEAT_INCREASE_NOT_ALLOWED", ["input", "changes", "0", "seats"]),
            ("INVALID_EMAIL", ["input", "recipients", "0", "email"]),
        ],
    ),
}


@pytest.mark.parametrize("name", list(REFUSALS))
async def test_refusal_is_a_user_error_and_writes_nothing(client, container, name):
    c = REFUSALS[name]
    await seed(container, document(c["subs"], customers=c["customers"]))
    if c["prepare"]:
        assert (await create(client, container, c["prepare"]))["userErrors"] == []
    numbers = {s["number"] for s in c["subs"]}

    async def resolve(value: str) -> str:
        return await sub_id(container, value) if value in numbers else value

    input = dict(c["input"], idempotencyKey=f"key-{name}", disableAutoRenew=False)
    input["subscriptionIds"] = [await resolve(v) for v in input["subscriptionIds"]]
    input["changes"] = [
        dict(ch, subscriptionId=await resolve(ch["subscriptionId"]))
        for ch in input.get("changes", [])
    ]
    before, subs_before = await row_counts(container), await subscription_rows(container)
    role, csn = c["auth"]
    body = await gql(client, CREATE, {"input": input}, auth=token(role, csn))

    assert "errors" not in body, body
    payload = body["data"]["createRenewalQuote"]
    assert payload["quote"] is None
    got = [(e["code"], e["field"]) for e in payload["userErrors"]]
    assert sorted(got) == sorted(c["expected"]), payload["userErrors"]
    assert all(e["message"] for e in payload["userErrors"])
    assert await row_counts(container) == before
    assert await subscription_rows(container) == subs_before


async def test_auto_renew_off_in_same_request_and_restored_after_ordered(client, container):
    await seed(container, document([subscription("SUB-1", auto_renew=True)]))
    sid = await sub_id(container, "SUB-1")
    payload = await create(
        client,
        container,
        ["SUB-1"],
        changes=[{"subscriptionId": sid, "seats": 4}],
        disableAutoRenew=True,
    )
    assert payload["userErrors"] == []
    assert (await read_sub(client, sid))["autoRenew"] is False
    await drain(container)
    result = await accept(client, token(), quoteId=payload["quote"]["id"])
    assert result["userErrors"] == []
    assert (await read_sub(client, sid))["autoRenew"] is False
    await drain(container)
    sub = await read_sub(client, sid)
    assert (sub["autoRenew"], sub["seats"], sub["openQuote"]) == (True, 4, None)


async def test_auto_renew_switched_off_is_restored_after_cancel(client, container):
    await seed(
        container,
        document(
            [
                subscription("SUB-1", auto_renew=True, reseller_csn="P000000001"),
                subscription("SUB-2", auto_renew=True, reseller_csn="P000000001"),
            ]
        ),
    )
    sid = await sub_id(container, "SUB-1")
    other = await sub_id(container, "SUB-2")
    partner = token("partner", "P000000001")
    payload = await create(
        client,
        container,
        ["SUB-1", "SUB-2"],
        partner,
        changes=[{"subscriptionId": sid, "term": "THREE_YEAR"}],
        disableAutoRenew=True,
    )
    assert payload["userErrors"] == []
    # Both are switched off: the caller asked for the quote to hold the renewal (R02).
    assert (await read_sub(client, sid))["autoRenew"] is False
    assert (await read_sub(client, other))["autoRenew"] is False
    cancelled = await cancel(client, payload["quote"]["id"], partner, "customer changed plans")
    assert cancelled["userErrors"] == []
    assert (await read_sub(client, sid))["autoRenew"] is True
    assert (await read_sub(client, other))["autoRenew"] is True
    assert (await read_sub(client, sid))["openQuote"] is None


async def test_auto_renew_on_without_changes_needs_no_switch(client, container):
    await seed(container, document([subscription("SUB-1", auto_renew=True)]))
    payload = await create(client, container, ["SUB-1"])
    assert payload["userErrors"] == []
    assert (await read_sub(client, await sub_id(container, "SUB-1")))["autoRenew"] is True


# --- idempotency --------------------------------------------------------------------------------


async def test_same_key_same_viewer_returns_the_same_quote(client, container):
    await seed(container, document([subscription("SUB-1")]))
    first = await create(client, container, ["SUB-1"], idempotencyKey="k-1")
    counts = await row_counts(container)
    again = await create(client, container, ["SUB-1"], idempotencyKey="k-1")
    assert again["userErrors"] == []
    assert again["quote"]["id"] == first["quote"]["id"]
    assert again["quote"]["number"] == first["quote"]["number"]
    assert await row_counts(container) == counts


async def test_same_key_with_different_input_is_refused(client, container):
    await seed(container, document([subscription("SUB-1"), subscription("SUB-2")]))
    await create(client, container, ["SUB-1"], idempotencyKey="k-1")
    counts = await row_counts(container)
    other = await create(client, container, ["SUB-2"], idempotencyKey="k-1")
    assert other["quote"] is None
    assert [(e["code"], e["field"]) for e in other["userErrors"]] == [
        ("IDEMPOTENCY_KEY_REUSED", ["input", "idempotencyKey"])
    ]
    assert await row_counts(container) == counts


async def test_same_key_from_another_viewer_is_independent(client, container):
    await seed(
        container,
        document(
            [subscription("SUB-1"), subscription("SUB-X", customer_csn=OTHER)],
            customers=TWO_CUSTOMERS,
        ),
    )
    mine = await create(client, container, ["SUB-1"], idempotencyKey="shared")
    theirs = await create(
        client, container, ["SUB-X"], token("buyer", OTHER), idempotencyKey="shared"
    )
    assert mine["userErrors"] == theirs["userErrors"] == []
    assert mine["quote"]["id"] != theirs["quote"]["id"]
    # A different viewer repeating the buyer's request is not a replay either.
    sales = await create(
        client, container, ["SUB-1"], token("sales", None), idempotencyKey="shared"
    )
    assert codes(sales) == ["ALREADY_ON_OPEN_QUOTE"]


# --- acceptQuote --------------------------------------------------------------------------------


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


async def test_accept_with_idempotency_key_returns_the_same_result(client, container):
    await seed(container, document([subscription("SUB-1"), subscription("SUB-2")]))
    quote = await quoted(client, container, ["SUB-1"])
    first = await accept(client, token(), quoteId=quote["id"], idempotencyKey="buy-1")
    again = await accept(client, token(), quoteId=quote["id"], idempotencyKey="buy-1")
    assert first["userErrors"] == again["userErrors"] == []
    assert again["quote"]["id"] == first["quote"]["id"]
    assert again["order"] == first["order"]
    other = await accept(client, token(), quoteId=quote["id"], idempotencyKey="buy-2")
    assert codes(other) == ["QUOTE_NOT_OPEN"]
    second = await quoted(client, container, ["SUB-2"])
    reused = await accept(client, token(), quoteId=second["id"], idempotencyKey="buy-1")
    assert [(e["code"], e["field"]) for e in reused["userErrors"]] == [
        ("IDEMPOTENCY_KEY_REUSED", ["input", "idempotencyKey"])
    ]
    assert (await read_quote(client, second["number"]))["status"] == "QUOTED"
    counts = await row_counts(container)
    assert counts["orders"] == 1
    assert counts["outbox_jobs"] == 3  # two finalize jobs + one fulfil


# --- cancelQuote --------------------------------------------------------------------------------


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


# --- setAutoRenew -------------------------------------------------------------------------------


async def test_set_auto_renew_toggles_own_subscription(client, container):
    await seed(container, document([subscription("SUB-1")]))
    sid = await sub_id(container, "SUB-1")
    for enabled in (True, False, True):
        body = await gql(
            client,
            SET_AUTO_RENEW,
            {"input": {"subscriptionId": sid, "enabled": enabled}},
            auth=token(),
        )
        assert body["data"]["setAutoRenew"] == {
            "subscription": {"number": "SUB-1", "autoRenew": enabled},
            "userErrors": [],
        }
        assert (await read_sub(client, sid))["autoRenew"] is enabled


async def test_set_auto_renew_on_another_customers_subscription_is_not_found(client, container):
    await seed(
        container,
        document([subscription("SUB-X", customer_csn=OTHER)], customers=TWO_CUSTOMERS),
    )
    sid = await sub_id(container, "SUB-X")
    for auth in (token(), token("partner", "P000000001")):
        body = await gql(
            client, SET_AUTO_RENEW, {"input": {"subscriptionId": sid, "enabled": True}}, auth=auth
        )
        assert body["data"]["setAutoRenew"]["subscription"] is None
        assert [(e["code"], e["field"]) for e in body["data"]["setAutoRenew"]["userErrors"]] == [
            ("NOT_FOUND", ["input", "subscriptionId"])
        ]
    assert (await read_sub(client, sid))["autoRenew"] is False


async def test_explicit_auto_renew_choice_during_a_quote_is_kept(client, container):
    """setAutoRenew(false) while a quote switched it off: closing the quote does not turn it back on."""
    await seed(container, document([subscription("SUB-1", auto_renew=True)]))
    sid = await sub_id(container, "SUB-1")
    payload = await create(
        client,
        container,
        ["SUB-1"],
        changes=[{"subscriptionId": sid, "seats": 2}],
        disableAutoRenew=True,
    )
    await gql(
        client, SET_AUTO_RENEW, {"input": {"subscriptionId": sid, "enabled": False}}, auth=token()
    )
    await cancel(client, payload["quote"]["id"], token("sales", None))
    assert (await read_sub(client, sid))["autoRenew"] is False


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
