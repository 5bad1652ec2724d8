"""createCoTermQuote refusals: each is a user error on the input's field and writes nothing."""

import pytest

from tests.api.mutations.co_term import CREATE_CO_TERM, create_co_term
from tests.api.mutations.helpers import (
    OTHER,
    TWO_CUSTOMERS,
    create,
    row_counts,
    sub_id,
    subscription_rows,
)
from tests.factories import document, subscription
from tests.helpers import gql, seed, token

ALIGN = "2027-03-31"  # a default subscription ends 2027-01-25 (TODAY + 60 days)
IDS = ["input", "subscriptionIds"]
FIRST = [*IDS, "0"]
ALIGN_TO = ["input", "alignTo"]
ANCHOR = ["input", "alignToSubscriptionId"]


def case(subs, input, expected, *, customers=None, auth=("buyer", "5100000001"), prepare=None):
    input = {"alignTo": ALIGN, **input}
    return {
        "subs": subs,
        "input": {k: v for k, v in input.items() if v is not None},
        "expected": expected,
        "customers": customers,
        "auth": auth,
        "prepare": prepare,
    }


ONE = [subscription("SUB-1")]
REFUSALS = {
    "NOT_FOUND other customer": case(
        [subscription("SUB-X", customer_csn=OTHER)],
        {"subscriptionIds": ["SUB-X"]},
        [("NOT_FOUND", FIRST)],
        customers=TWO_CUSTOMERS,
    ),
    "NOT_FOUND garbage id": case(
        ONE, {"subscriptionIds": ["SUB-1", "garbage!"]}, [("NOT_FOUND", [*IDS, "1"])]
    ),
    "NOT_FOUND partner not reseller": case(
        ONE, {"subscriptionIds": ["SUB-1"]}, [("NOT_FOUND", FIRST)], auth=("partner", "P000000001")
    ),
    "NOT_FOUND anchor of another customer": case(
        [subscription("SUB-1"), subscription("SUB-X", customer_csn=OTHER, ends_in_days=125)],
        {"subscriptionIds": ["SUB-1"], "alignTo": None, "alignToSubscriptionId": "SUB-X"},
        [("NOT_FOUND", ANCHOR)],
        customers=TWO_CUSTOMERS,
    ),
    "NOT_FOUND anchor garbage": case(
        ONE,
        {"subscriptionIds": ["SUB-1"], "alignTo": None, "alignToSubscriptionId": "nope"},
        [("NOT_FOUND", ANCHOR)],
    ),
    "MIXED_CUSTOMERS anchor seen by sales": case(
        [subscription("SUB-1"), subscription("SUB-X", customer_csn=OTHER, ends_in_days=125)],
        {"subscriptionIds": ["SUB-1"], "alignTo": None, "alignToSubscriptionId": "SUB-X"},
        [("MIXED_CUSTOMERS", ANCHOR)],
        customers=TWO_CUSTOMERS,
        auth=("sales", None),
    ),
    "INVALID_INPUT neither alignTo nor anchor": case(
        ONE, {"subscriptionIds": ["SUB-1"], "alignTo": None}, [("INVALID_INPUT", ALIGN_TO)]
    ),
    "INVALID_INPUT both alignTo and anchor": case(
        [subscription("SUB-1"), subscription("SUB-A", ends_in_days=125)],
        {"subscriptionIds": ["SUB-1"], "alignToSubscriptionId": "SUB-A"},
        [("INVALID_INPUT", ALIGN_TO)],
    ),
    "INVALID_INPUT anchor among the subscriptions": case(
        [subscription("SUB-1"), subscription("SUB-A", ends_in_days=125)],
        {"subscriptionIds": ["SUB-1", "SUB-A"], "alignTo": None, "alignToSubscriptionId": "SUB-A"},
        [("INVALID_INPUT", ANCHOR), ("INVALID_ALIGNMENT_DATE", ANCHOR)],
    ),
    "INVALID_INPUT selected twice": case(
        ONE, {"subscriptionIds": ["SUB-1", "SUB-1"]}, [("INVALID_INPUT", [*IDS, "1"])]
    ),
    "EMPTY_SELECTION": case(ONE, {"subscriptionIds": []}, [("EMPTY_SELECTION", IDS)]),
    "INVALID_ALIGNMENT_DATE equal to the end date": case(
        ONE,
        {"subscriptionIds": ["SUB-1"], "alignTo": "2027-01-25"},
        [("INVALID_ALIGNMENT_DATE", ALIGN_TO)],
    ),
    "INVALID_ALIGNMENT_DATE before the end date": case(
        ONE,
        {"subscriptionIds": ["SUB-1"], "alignTo": "2027-01-01"},
        [("INVALID_ALIGNMENT_DATE", ALIGN_TO)],
    ),
    "INVALID_ALIGNMENT_DATE a whole term on": case(
        ONE,
        {"subscriptionIds": ["SUB-1"], "alignTo": "2028-01-25"},
        [("INVALID_ALIGNMENT_DATE", ALIGN_TO)],
    ),
    "INVALID_ALIGNMENT_DATE anchor ending earlier": case(
        [subscription("SUB-1"), subscription("SUB-A", ends_in_days=30)],
        {"subscriptionIds": ["SUB-1"], "alignTo": None, "alignToSubscriptionId": "SUB-A"},
        [("INVALID_ALIGNMENT_DATE", ANCHOR)],
    ),
    "INVALID_ALIGNMENT_DATE ended": case(
        [subscription("SUB-1", ends_in_days=-1)],
        {"subscriptionIds": ["SUB-1"]},
        [("INVALID_ALIGNMENT_DATE", FIRST)],
    ),
    "INVALID_ALIGNMENT_DATE monthly": case(
        [subscription("SUB-1", term="MONTHLY", ends_in_days=10)],
        {"subscriptionIds": ["SUB-1"], "alignTo": "2026-12-20"},
        [("INVALID_ALIGNMENT_DATE", FIRST)],
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
        [subscription("SUB-1", reseller_csn="P000000001"), subscription("SUB-2")],
        {"subscriptionIds": ["SUB-1", "SUB-2"]},
        [("RESELLER_MISMATCH", IDS)],
        auth=("sales", None),
    ),
    "OFFERING_NOT_ELIGIBLE": case(
        [subscription("SUB-1", offering_type="FLEX")],
        {"subscriptionIds": ["SUB-1"]},
        [("OFFERING_NOT_ELIGIBLE", FIRST)],
    ),
    "ALREADY_ON_OPEN_QUOTE renewal": case(
        [subscription("SUB-1"), subscription("SUB-2")],
        {"subscriptionIds": ["SUB-2", "SUB-1"]},
        [("ALREADY_ON_OPEN_QUOTE", [*IDS, "1"])],
        prepare=("renewal", ["SUB-1"]),
    ),
    "ALREADY_ON_OPEN_QUOTE co-term": case(
        ONE,
        {"subscriptionIds": ["SUB-1"]},
        [("ALREADY_ON_OPEN_QUOTE", FIRST)],
        prepare=("co-term", ["SUB-1"]),
    ),
    "PRICE_UNAVAILABLE": case(
        [subscription("SUB-1", product="Inventor")],
        {"subscriptionIds": ["SUB-1"]},
        [("PRICE_UNAVAILABLE", FIRST)],
    ),
    "TOO_MANY_RECIPIENTS": case(
        ONE,
        {
            "subscriptionIds": ["SUB-1"],
            "recipients": [{"email": f"r{i}@example.com"} for i in range(5)],
        },
        [("TOO_MANY_RECIPIENTS", ["input", "recipients"])],
    ),
    "INVALID_EMAIL": case(
        ONE,
        {"subscriptionIds": ["SUB-1"], "recipients": [{"email": "not-an-email"}]},
        [("INVALID_EMAIL", ["input", "recipients", "0", "email"])],
    ),
}


@pytest.mark.parametrize("name", list(REFUSALS))
async def test_refusal_is_a_user_error_and_writes_nothing(client, container, name):
    c = REFUSALS[name]
    await seed(container, document(c["subs"], customers=c["customers"]))
    if c["prepare"]:
        kind, numbers = c["prepare"]
        made = (
            await create(client, container, numbers)
            if kind == "renewal"
            else await create_co_term(client, container, numbers, alignTo=ALIGN)
        )
        assert made["userErrors"] == []
    numbers = {s["number"] for s in c["subs"]}

    async def resolve(value: str) -> str:
        return await sub_id(container, value) if value in numbers else value

    input = dict(c["input"], idempotencyKey=f"key-{name}")
    input["subscriptionIds"] = [await resolve(v) for v in input["subscriptionIds"]]
    if "alignToSubscriptionId" in input:
        input["alignToSubscriptionId"] = await resolve(input["alignToSubscriptionId"])
    before, subs_before = await row_counts(container), await subscription_rows(container)
    role, csn = c["auth"]
    body = await gql(client, CREATE_CO_TERM, {"input": input}, auth=token(role, csn))

    assert "errors" not in body, body
    payload = body["data"]["createCoTermQuote"]
    assert payload["quote"] is None
    got = [(e["code"], e["field"]) for e in payload["userErrors"]]
    assert sorted(got) == sorted(c["expected"]), payload["userErrors"]
    assert all(e["message"] for e in payload["userErrors"])
    assert await row_counts(container) == before
    assert await subscription_rows(container) == subs_before


async def test_a_date_refusal_names_the_subscription_and_its_end_date(client, container):
    await seed(
        container, document([subscription("SUB-1"), subscription("SUB-2", ends_in_days=200)])
    )
    payload = await create_co_term(client, container, ["SUB-1", "SUB-2"], alignTo=ALIGN)
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID_ALIGNMENT_DATE", ALIGN_TO)
    assert "SUB-2" in error["message"] and "2027-06-14" in error["message"]  # its end date


async def test_same_key_with_another_input_is_idempotency_key_reused(client, container):
    await seed(container, document([subscription("SUB-1"), subscription("SUB-2")]))
    first = await create_co_term(client, container, ["SUB-1"], alignTo=ALIGN, idempotencyKey="k")
    again = await create_co_term(client, container, ["SUB-1"], alignTo=ALIGN, idempotencyKey="k")
    assert first["userErrors"] == again["userErrors"] == []
    assert again["quote"]["id"] == first["quote"]["id"]
    counts = await row_counts(container)
    other = await create_co_term(client, container, ["SUB-2"], alignTo=ALIGN, idempotencyKey="k")
    assert other["quote"] is None
    assert [(e["code"], e["field"]) for e in other["userErrors"]] == [
        ("IDEMPOTENCY_KEY_REUSED", ["input", "idempotencyKey"])
    ]
    assert await row_counts(container) == counts


async def test_a_renewal_asking_for_co_term_lines_is_pointed_to_create_co_term_quote(
    client, container
):
    await seed(container, document(ONE))
    sid = await sub_id(container, "SUB-1")
    payload = await create(
        client, container, ["SUB-1"], changes=[{"subscriptionId": sid, "type": "CO_TERM"}]
    )
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == ("MIXED_QUOTE_TYPES", ["input", "changes"])
    assert "createCoTermQuote" in error["message"]
