"""One poisoned recipient (old data, from before the email rule) fails alone: every valid email
of the batch is delivered exactly once (issue 11, B1)."""

from renewals.services.delivery import deliver_pending
from tests.services.mail.helpers import (
    Inbox,
    email_rows,
    last_errors,
    mail_container,
    outbox,
    smtp_server,
)

VALID = ["one@acme.example", "two@acme.example", "three@acme.example"]
POISONED = [
    "(@poison.example",
    "=?utf-8?b?QmVh?=@poison.example",
    "bad\x7f@poison.example",
    "bad\x01@poison.example",
]


async def test_a_poisoned_recipient_fails_alone_and_the_others_are_sent_once(database_url):
    inbox = Inbox()
    async with smtp_server(inbox) as port, mail_container(database_url, port) as container:
        await outbox(container, VALID[0], *POISONED[:2], VALID[1], *POISONED[2:], VALID[2])

        assert await deliver_pending(container) == 3
        assert await deliver_pending(container) == 0

    assert sorted(inbox.rcpt_tos()) == sorted([[to] for to in VALID])
    rows = await email_rows(container)
    assert [(to, status) for to, status, _ in rows if to in VALID] == [(to, "SENT") for to in VALID]
    assert [(to, status, n) for to, status, n in rows if to in POISONED] == [
        (to, "FAILED", 1) for to in POISONED
    ]
    errors = await last_errors(container)
    assert all("not one plain email address" in (errors[to] or "") for to in POISONED)
