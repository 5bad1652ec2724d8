"""A sender setting that is not one plain address is a configuration error: nothing is sent,
and no email is failed for it; they wait, PENDING, until it is fixed."""

from renewals.services.delivery import deliver_pending
from tests.services.mail.helpers import Inbox, email_rows, mail_container, outbox, smtp_server


async def test_a_bad_sender_setting_leaves_every_email_pending(database_url):
    inbox = Inbox()
    async with (
        smtp_server(inbox) as port,
        mail_container(database_url, port, smtp_from="Quotes <q@renewals.example>") as container,
    ):
        await outbox(container, "one@acme.example")
        assert await deliver_pending(container) == 0

    assert inbox.messages == []
    assert await email_rows(container) == [("one@acme.example", "PENDING", 0)]
