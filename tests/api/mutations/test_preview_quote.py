"""previewQuote: the same checks and pricing as creation, every problem at once, nothing written,
and a fixed number of SQL statements however large the selection or the data."""

from renewals.persistence import models as m
from tests.api.mutations.helpers import create, row_counts, sub_id
from tests.factories import document, subscription
from tests.helpers import count_sql, gql, seed, token

PREVIEW = """mutation($input: PreviewQuoteInput!) { previewQuote(input: $input) {
  preview { type currency expiresOn subtotal { amount } discountTotal { amount } total { amount currency }
    promotions { code discount { amount } }
    lines { subscription { number } seats term startDate endDate unitPrice { amount }
            subtotal { amount } discount { amount } total { amount } } }
  userErrors { code field message } } }"""


async def preview(client, renewal: dict, auth: str | None = None) -> dict:
    body = await gql(client, PREVIEW, {"input": {"renewal": renewal}}, auth=auth or token())
    assert "errors" not in body, body
    return body["data"]["previewQuote"]


async def test_the_preview_is_what_creation_would_make_and_writes_nothing(client, container):
    await seed(
        container,
        document(
            [
                subscription("SUB-1", seats=5),
                subscription("SUB-2", term="THREE_YEAR", seats=2),
            ]
        ),
    )
    ids = [await sub_id(container, n) for n in ("SUB-1", "SUB-2")]
    changes = [{"subscriptionId": ids[0], "seats": 3}]
    before = await row_counts(container)
    seen = await preview(
        client, {"subscriptionIds": ids, "changes": changes, "idempotencyKey": "p"}
    )
    assert seen["userErrors"] == []
    assert await row_counts(container) == before  # not even the idempotency key
    made = await create(client, container, ["SUB-1", "SUB-2"], changes=changes)
    quote, shown = made["quote"], seen["preview"]
    assert shown["type"] == "RENEWAL"
    assert shown["total"] == quote["total"]
    assert shown["discountTotal"]["amount"] == quote["discountTotal"]["amount"] == "1197.00"
    assert shown["expiresOn"] == quote["expiresOn"]
    assert [(ln["seats"], ln["startDate"], ln["total"]) for ln in shown["lines"]] == [
        (ln["seats"], ln["startDate"], ln["total"]) for ln in quote["lines"]
    ]
    assert [p["code"] for p in shown["promotions"]] == ["RENEW3Y"]


async def test_every_problem_at_once_on_the_renewal_path(client, container):
    await seed(container, document([subscription("SUB-1", seats=5), subscription("SUB-2")]))
    ids = [await sub_id(container, n) for n in ("SUB-1", "SUB-2")]
    await create(client, container, ["SUB-2"])  # SUB-2 is on an open quote now
    seen = await preview(
        client,
        {
            "subscriptionIds": ids,
            "changes": [{"subscriptionId": ids[0], "seats": 9}],
            "recipients": [{"email": "not-an-email"}],
        },
    )
    assert seen["preview"] is None
    assert sorted((e["code"], tuple(e["field"])) for e in seen["userErrors"]) == [
        ("ALREADY_ON_OPEN_QUOTE", ("input", "renewal", "subscriptionIds", "1")),
        ("INVALID_EMAIL", ("input", "renewal", "recipients", "0", "email")),
        ("SEAT_INCREASE_NOT_ALLOWED", ("input", "renewal", "changes", "0", "seats")),
    ]


async def test_exactly_one_kind_is_given(client, container):
    body = await gql(client, PREVIEW, {"input": {}}, auth=token())
    assert body["errors"][0]["extensions"]["code"] in (
        "BAD_USER_INPUT",
        "GRAPHQL_VALIDATION_FAILED",
    )


async def test_its_sql_does_not_grow_with_the_selection(client, container):
    many = [subscription(f"SUB-{i:02d}", seats=3) for i in range(30)]
    await seed(container, document(many))
    counts = []
    await preview(client, {"subscriptionIds": [await sub_id(container, "SUB-00")]})  # warm caches
    for size in (1, 30):
        ids = [await sub_id(container, f"SUB-{i:02d}") for i in range(size)]
        with count_sql(container) as counter:
            seen = await preview(client, {"subscriptionIds": ids})
        assert seen["userErrors"] == [] and len(seen["preview"]["lines"]) == size
        counts.append(counter.selects)
    assert counts[0] == counts[1] <= 6, counts
    assert m.Quote  # the preview's tables are the read side's: nothing is locked or written


async def test_a_co_term_preview_is_what_creation_would_make(client, container):
    from tests.api.mutations.co_term import create_co_term, line_facts

    await seed(
        container, document([subscription("SUB-3Y", ends_in_days=18, term="THREE_YEAR", seats=4)])
    )
    gid = await sub_id(container, "SUB-3Y")
    body = await gql(
        client,
        PREVIEW,
        {"input": {"coTerm": {"subscriptionIds": [gid], "alignTo": "2027-03-31"}}},
        auth=token(),
    )
    seen = body["data"]["previewQuote"]
    assert seen["userErrors"] == []
    shown = seen["preview"]
    assert shown["type"] == "CO_TERM"
    made = (await create_co_term(client, container, ["SUB-3Y"], alignTo="2027-03-31"))["quote"]
    assert line_facts(shown) == line_facts(made)  # 107/1096 of the term, RENEW3Y 10% off
    assert shown["total"]["amount"] == made["total"]["amount"] == "2103.49"
    refused = await gql(
        client,
        PREVIEW,
        {"input": {"coTerm": {"subscriptionIds": [gid], "alignTo": "2026-12-01"}}},
        auth=token(),
    )
    errors = refused["data"]["previewQuote"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("ALREADY_ON_OPEN_QUOTE", ["input", "coTerm", "subscriptionIds", "0"]),  # the quote above
        ("INVALID_ALIGNMENT_DATE", ["input", "coTerm", "alignTo"]),
    ]


async def test_both_kinds_at_once_are_refused(client, container):
    await seed(container, document([subscription("SUB-1")]))
    gid = await sub_id(container, "SUB-1")
    body = await gql(
        client,
        PREVIEW,
        {
            "input": {
                "renewal": {"subscriptionIds": [gid]},
                "coTerm": {"subscriptionIds": [gid], "alignTo": "2027-03-31"},
            }
        },
        auth=token(),
    )
    assert body["errors"][0]["extensions"]["code"] in (
        "BAD_USER_INPUT",
        "GRAPHQL_VALIDATION_FAILED",
    )
