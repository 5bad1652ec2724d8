"""The quote email carries the quote's PDF, the same document as the download but with the
checkout link, which is the body's link and still opens the checkout page."""

import io
import logging
import re
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import httpx
from pypdf import PdfReader
from sqlalchemy import select, update

from renewals.app import create_app
from renewals.domain.enums import QuoteStatus
from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.services.delivery import deliver_pending
from renewals.services.quotes import CreateQuoteCommand, Recipient, create_renewal_quote
from renewals.services.worker import run_due_jobs
from tests.factories import document, subscription
from tests.helpers import seed
from tests.services.mail.helpers import Inbox, mail_container, smtp_server


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def links(content: bytes) -> set[str]:
    return {
        annot.get_object()["/A"]["/URI"]
        for page in PdfReader(io.BytesIO(content)).pages
        for annot in page.get("/Annots", [])
    }


async def finalized_quote(container, **command) -> str:
    await seed(container, document([subscription("SUB-1", reseller_csn="P000000001")]))
    async with container.db.read_engine.connect() as conn:
        sub_id = (await conn.execute(select(m.Subscription.id))).scalar_one()
    await create_renewal_quote(
        container, None, Visibility(), CreateQuoteCommand([sub_id], **command)
    )
    await run_due_jobs(container)
    async with container.db.read_engine.connect() as conn:
        return (await conn.execute(select(m.Quote.number))).scalar_one()


async def test_each_recipient_gets_the_pdf_with_the_checkout_link_of_the_body(database_url, caplog):
    caplog.set_level(logging.INFO)  # what `renewals serve` logs by default
    inbox = Inbox()
    async with (
        smtp_server(inbox) as port,
        mail_container(database_url, port, public_url="http://testserver") as container,
    ):
        number = await finalized_quote(
            container, recipients=[Recipient("carl@acme.example", "Carl")]
        )
        assert await deliver_pending(container) == 2

        messages = [message_from_bytes(e.content, policy=policy.default) for e in inbox.messages]
        assert sorted(str(msg["To"]) for msg in messages) == [
            "buyer@acme.example",
            "carl@acme.example",
        ]
        for msg in messages:
            body = msg.get_body(("plain",)).get_content()
            link = re.search(r"http://testserver/checkout\?token=\S+", body).group(0)
            [attachment] = list(msg.iter_attachments())
            assert attachment.get_content_type() == "application/pdf"
            assert attachment.get_filename() == f"{number}.pdf"
            pdf = attachment.get_content()

            text = pdf_text(pdf)
            assert f"Quote {number}" in text
            assert "Status: QUOTED" in text
            assert "CAD Partner GmbH (CSN P000000001)" in text
            assert "current address" not in text  # the snapshot taken at finalization
            assert link in text.replace("\n", "")
            assert links(pdf) == {link}

            # The link in the PDF opens the checkout page, as the body's always did.
            app = create_app(container=container, background=False)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                url = urlsplit(link)
                page = await c.get(f"{url.path}?{url.query}")
            assert page.status_code == 200
            assert "Accept and buy" in page.text

    # Neither the link nor the document reaches the log (httpx is this test's own client).
    token = link.split("token=")[1]
    logged = [r.getMessage() for r in caplog.records if r.name != "httpx"]
    assert logged and not [text for text in logged if token in text or "%PDF" in text]


async def test_the_outbox_names_the_pdf_at_finalization_and_keeps_the_bytes_it_sent(
    database_url,
):
    inbox = Inbox()
    async with (
        smtp_server(inbox) as port,
        mail_container(database_url, port, public_url="http://testserver") as container,
    ):
        number = await finalized_quote(container)
        async with container.db.read_engine.connect() as conn:
            rows = (await conn.execute(select(m.Email.attachment_name, m.Email.attachment))).all()
        # Rendering waits for the sending: finalization does not pay for it.
        assert rows == [(f"{number}.pdf", None)]

        assert await deliver_pending(container) == 1
        async with container.db.read_engine.connect() as conn:
            rows = (await conn.execute(select(m.Email.attachment_name, m.Email.attachment))).all()
        [message] = [message_from_bytes(e.content, policy=policy.default) for e in inbox.messages]

    [attachment] = list(message.iter_attachments())
    assert [name for name, _ in rows] == [f"{number}.pdf"]
    assert rows[0][1].startswith(b"%PDF-")
    assert rows[0][1] == attachment.get_content()  # a retry would send these very bytes


async def test_the_emailed_pdf_shows_the_quote_as_sent_even_if_it_moved_on_before_sending(
    database_url,
):
    inbox = Inbox()
    async with (
        smtp_server(inbox) as port,
        mail_container(database_url, port, public_url="http://testserver") as container,
    ):
        number = await finalized_quote(container)
        async with container.db.write_engine.begin() as conn:
            await conn.execute(
                update(m.Quote).values(status=QuoteStatus.CANCELLED, failure_reason=None)
            )
        assert await deliver_pending(container) == 1
        [message] = [message_from_bytes(e.content, policy=policy.default) for e in inbox.messages]

    [attachment] = list(message.iter_attachments())
    text = pdf_text(attachment.get_content())
    assert f"Quote {number}" in text
    assert "Status: QUOTED" in text
