"""createRenewalQuote refusals: each is a user error on the input's field and writes nothing."""

from datetime import date, timedelta

import pytest

from tests.api.mutations.helpers import (
    CREATE,
    OTHER,
    TWO_CUSTOMERS,
    create,
    row_counts,
    sub_id,
    subscription_rows,
)
from tests.factories import TODAY, document, subscription
from tests.helpers import gql, seed, token


def case(subs, input, expected, *, customers=None, auth=("buyer", "5100000001"), prepare=None):
    return {
        "subs": subs,
        "input": input,
        "expected": expected,
        "customers": customers,
        "auth": auth,
        "prepare": prepare,
    }


IDS = ["input", "subscriptionIds"]
FIRST = [*IDS, "0"]
NATURAL = TODAY + timedelta(days=61)  # the day after a default subscription's end date

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
    "CURRENCY_CHANGE_NOT_ALLOWED lower case": case(
        [subscription("SUB-1")],
        {"subscriptionIds": ["SUB-1"], "currency": "usd"},
        [("CURRENCY_CHANGE_NOT_ALLOWED", ["input", "currency"])],
    ),
    "CURRENCY_CHANGE_NOT_ALLOWED XXX": case(
        [subscription("SUB-1")],
        {"subscriptionIds": ["SUB-1"], "currency": "XXX"},
        [("CURRENCY_CHANGE_NOT_ALLOWED", ["input", "currency"])],
    ),
    **{
        f"INVALID_INPUT currency {bad!r}": case(
            [subscription("SUB-1")],
            {"subscriptionIds": ["SUB-1"], "currency": bad},
            [("INVALID_INPUT", ["input", "currency"])],
        )
        for bad in ("EURO", "E1", "")
    },
    "FUTURE_START_DATE_NOT_ALLOWED": case(
        [subscription("SUB-1")],
        {"subscriptionIds": ["SUB-1"], "startDate": (NATURAL + timedelta(days=1)).isoformat()},
        [("FUTURE_START_DATE_NOT_ALLOWED", ["input", "startDate"])],
    ),
    **{
        f"INVALID_INPUT start date {start}": case(
            [subscription("SUB-1")],
            {"subscriptionIds": ["SUB-1"], "startDate": start.isoformat()},
            [("INVALID_INPUT", ["input", "startDate"])],
        )
        for start in (date(2020, 1, 1), TODAY, NATURAL - timedelta(days=1))
    },
    "start date off the natural start of some lines": case(
        [
            subscription("SUB-1", ends_in_days=30),
            subscription("SUB-2"),
            subscription("SUB-3", ends_in_days=80),
        ],
        {"subscriptionIds": ["SUB-1", "SUB-2", "SUB-3"], "startDate": NATURAL.isoformat()},
        [
            ("FUTURE_START_DATE_NOT_ALLOWED", ["input", "startDate"]),
            ("INVALID_INPUT", ["input", "startDate"]),
        ],
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
            ("INVALID_INPUT", ["input", "startDate"]),
            ("INVALID_INPUT", ["input", "startDate"]),
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


async def test_each_line_off_the_requested_start_date_is_named_in_its_message(client, container):
    subs = [subscription("SUB-1", ends_in_days=30), subscription("SUB-2")]
    await seed(container, document(subs))
    payload = await create(client, container, ["SUB-1", "SUB-2"], startDate=NATURAL.isoformat())
    assert payload["quote"] is None
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == (
        "FUTURE_START_DATE_NOT_ALLOWED",
        ["input", "startDate"],
    )
    assert (
        "SUB-1" in error["message"] and (TODAY + timedelta(days=31)).isoformat() in error["message"]
    )
