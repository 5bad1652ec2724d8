"""Idempotency keys: a repeat returns the first result; a key reused for other input is refused."""

from tests.api.mutations.helpers import (
    OTHER,
    TWO_CUSTOMERS,
    accept,
    codes,
    create,
    quoted,
    read_quote,
    row_counts,
)
from tests.factories import document, subscription
from tests.helpers import seed, token


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
