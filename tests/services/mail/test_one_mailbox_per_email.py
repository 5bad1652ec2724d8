"""An email goes to one mailbox: the To header and the single RCPT TO are the address the outbox
shows; a list smuggled into one row reaches nobody (issue 11, B2)."""

from email import message_from_bytes

from renewals.services.delivery import deliver_pending
from tests.services.mail.helpers import Inbox, email_rows, mail_container, outbox, smtp_server

LISTS = [
    "a,b,c,d,e,f@ext.example",
    "=?utf-8?b?YSxiLGMsZCxlLGY=?=,x@b.example",
    "Bea <bea@ext.example>, eve@ext.example",
]


async def test_each_email_has_exactly_one_envelope_recipient_the_one_shown(database_url):
    inbox = Inbox()
    async with smtp_server(inbox) as port, mail_container(database_url, port) as container:
        await outbox(container, "first.last+q@acme.example", *LISTS, "O'Brien@Acme.example")
        await deliver_pending(container)

    assert inbox.rcpt_tos() == [["first.last+q@acme.example"], ["O'Brien@Acme.example"]]
    for envelope in inbox.messages:
        assert message_from_bytes(envelope.content)["To"] == envelope.rcpt_tos[0]
    assert [status for _, status, _ in await email_rows(container)] == [
        "SENT",
        *["FAILED"] * len(LISTS),
        "SENT",
    ]
