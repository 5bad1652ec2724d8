"""A recipient is one mailbox: crafted addresses are INVALID_EMAIL on their field, and the address
the quote shows is the one its email is written to (B1, B2 of issue 11)."""

import pytest
from sqlalchemy import select

from renewals.persistence import models as m
from renewals.services.worker import drain
from tests.api.mutations.helpers import create, read_quote, row_counts
from tests.factories import document, subscription
from tests.helpers import seed

# A NUL character is refused before any of this, as BAD_USER_INPUT for the whole request
# (tests/api/bad_input/test_nul_characters.py).
CRAFTED = [
    "(@poison.example",
    "=?utf-8?b?YSxiLGMsZCxlLGY=?=,x@b.example",
    "a,b,c,d,e,f@ext.example",
    "=?utf-8?q?Bea?= <bea@example.com>",
    "bad\x7f@example.com",
    "bad\x01@example.com",
    "a@example.com\r\nBcc: evil@example.com",
]


@pytest.mark.parametrize("crafted", CRAFTED)
async def test_a_crafted_recipient_is_refused_on_its_field(client, container, crafted):
    await seed(container, document([subscription("SUB-1")]))
    before = await row_counts(container)
    payload = await create(
        client,
        container,
        ["SUB-1"],
        recipients=[{"email": "ok@acme.example"}, {"email": crafted}],
    )
    assert payload["quote"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_EMAIL", ["input", "recipients", "1", "email"])
    ]
    assert await row_counts(container) == before


async def test_the_recipients_shown_are_the_addresses_emailed(client, container):
    await seed(container, document([subscription("SUB-1")]))
    extra = ["first.last+quotes@sub.acme-bau.example", "O'Brien@Example.COM"]
    payload = await create(client, container, ["SUB-1"], recipients=[{"email": e} for e in extra])
    assert payload["userErrors"] == []
    await drain(container)
    shown = [
        r["email"] for r in (await read_quote(client, payload["quote"]["number"]))["recipients"]
    ]
    async with container.db.read_engine.connect() as conn:
        emailed = list(
            (await conn.execute(select(m.Email.to_address).order_by(m.Email.id))).scalars()
        )
    assert shown == emailed == ["buyer@acme.example", *extra]
