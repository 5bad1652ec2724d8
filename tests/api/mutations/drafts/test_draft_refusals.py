"""Every refusal the review-step mutations can give beyond the basics: the planning rules apply
to a draft's update and finalization and to a revision as they do to creation."""

from datetime import timedelta

from tests.api.mutations.drafts.helpers import draft, finalize, update
from tests.api.mutations.helpers import create, quoted, sub_id
from tests.api.mutations.test_revise_quote import revise
from tests.factories import TODAY, document, subscription
from tests.helpers import seed

FIVE = [{"email": f"r{i}@outside.example"} for i in range(5)]


async def test_update_refuses_what_creation_refuses(client, container):
    await seed(
        container,
        document([subscription("SUB-1", seats=5), subscription("SUB-AR", auto_renew=True)]),
    )
    quote = await draft(client, container, ["SUB-1", "SUB-AR"])
    one, ar = await sub_id(container, "SUB-1"), await sub_id(container, "SUB-AR")
    refused = await update(
        client,
        quoteId=quote["id"],
        recipients=[*FIVE[:4], {"email": "no-at-sign"}],
        changes=[
            {"subscriptionId": ar, "seats": 2},
            {"subscriptionId": one, "type": "CO_TERM"},
        ],
    )
    assert sorted(e["code"] for e in refused["userErrors"]) == [
        "AUTO_RENEW_ENABLED",
        "INVALID_EMAIL",
        "MIXED_QUOTE_TYPES",
        "TOO_MANY_RECIPIENTS",
    ]
    fields = {e["code"]: e["field"] for e in refused["userErrors"]}
    assert fields["AUTO_RENEW_ENABLED"] == ["input", "changes", "0"]
    assert fields["INVALID_EMAIL"] == ["input", "recipients", "4", "email"]
    # With auto-renew switched off by the draft, the seat change is allowed.
    fine = await update(
        client,
        quoteId=quote["id"],
        changes=[{"subscriptionId": ar, "seats": 2}],
        disableAutoRenew=True,
    )
    assert fine["userErrors"] == []


async def test_finalize_refuses_a_closed_window_and_a_reused_key(client, container):
    await seed(
        container,
        document([subscription("SUB-1", ends_in_days=10), subscription("SUB-2")]),
    )
    late = await draft(client, container, ["SUB-1"])
    other = await draft(client, container, ["SUB-2"])
    assert (await finalize(client, quoteId=other["id"], idempotencyKey="k"))["userErrors"] == []
    reused = await finalize(client, quoteId=late["id"], idempotencyKey="k")
    assert [(e["code"], e["field"]) for e in reused["userErrors"]] == [
        ("IDEMPOTENCY_KEY_REUSED", ["input", "idempotencyKey"])
    ]
    container.clock.fixed_today = TODAY + timedelta(days=56)  # 46 days after the end: closed
    closed = await finalize(client, quoteId=late["id"])
    assert [(e["code"], e["field"]) for e in closed["userErrors"]] == [
        ("OUTSIDE_RENEWAL_WINDOW", ["input", "quoteId"])
    ]


async def test_revise_refuses_what_creation_refuses(client, container):
    await seed(container, document([subscription("SUB-1", seats=5), subscription("SUB-2")]))
    original = await quoted(client, container, ["SUB-1"])
    gid = await sub_id(container, "SUB-1")
    refused = await revise(
        client,
        quoteId=original["id"],
        changes=[{"subscriptionId": gid, "seats": 9}],
        recipients=FIVE,
    )
    assert sorted((e["code"], tuple(e["field"])) for e in refused["userErrors"]) == [
        ("SEAT_INCREASE_NOT_ALLOWED", ("input", "changes", "0", "seats")),
        ("TOO_MANY_RECIPIENTS", ("input", "recipients")),
    ]
    first = await revise(client, quoteId=original["id"], idempotencyKey="r")
    assert first["userErrors"] == []
    other = await create(client, container, ["SUB-2"])
    reused = await revise(client, quoteId=other["quote"]["id"], idempotencyKey="r")
    assert [(e["code"], e["field"]) for e in reused["userErrors"]] == [
        ("IDEMPOTENCY_KEY_REUSED", ["input", "idempotencyKey"])
    ]
    replay = await revise(client, quoteId=original["id"], idempotencyKey="r")
    assert replay["quote"]["number"] == first["quote"]["number"]
