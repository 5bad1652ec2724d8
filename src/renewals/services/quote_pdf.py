"""The quote as a PDF (fpdf2): for the download without the checkout link, for the email with it.

The email's copy is rendered when the email is first sent, not when the quote is finalized:
rendering costs 0.1-0.25 s of CPU, which would otherwise bound how fast quotes are finalized
(see docs/performance.md, "Writes and jobs")."""

import asyncio
import dataclasses
from decimal import Decimal
from functools import cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace
from sqlalchemy import select

from renewals.auth import mint_checkout_token
from renewals.container import Container
from renewals.domain.enums import QuoteStatus
from renewals.persistence import models as m
from renewals.services.mail import checkout_url
from renewals.services.quote_document import QuoteDocument, read_quote_document

FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVu"  # a Unicode font: customer and product names are not limited to Latin-1
HEADERS = ("Subscription", "Product", "Period", "Seats", "Term", "Unit price", "Discount", "Total")
WIDTHS = (26, 30, 40, 12, 22, 20, 20, 20)  # mm, 190 in all (A4 less margins)
NUMERIC = ("LEFT", "LEFT", "LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT")


@cache
def _font_files() -> tuple[str, str]:
    return str(FONTS / "DejaVuSansCondensed.ttf"), str(FONTS / "DejaVuSansCondensed-Bold.ttf")


def amount(value: Decimal) -> str:
    return f"{value:,.2f}"


class _Pdf(FPDF):
    def __init__(self, number: str) -> None:
        super().__init__(format="A4")
        self.number = number
        regular, bold = _font_files()
        self.add_font(FONT, "", regular)
        self.add_font(FONT, "B", bold)
        self.set_margins(10, 12, 10)
        self.set_auto_page_break(True, margin=16)
        self.set_title(f"Quote {number}")
        self.set_creator("renewals")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.cell(0, 5, f"Quote {self.number} - page {self.page_no()} of {{nb}}", align="C")


def render_quote_pdf(doc: QuoteDocument, checkout_link: str | None = None) -> bytes:
    """The document; with `checkout_link` (the email's copy) it ends with the link to buy."""
    pdf = _Pdf(doc.number)
    pdf.add_page()
    _heading(pdf, doc)
    _parties(pdf, doc)
    _lines(pdf, doc)
    _totals(pdf, doc)
    if checkout_link:
        _checkout(pdf, checkout_link)
    return bytes(pdf.output())


def _text(pdf: FPDF, text: str, size: float = 10, bold: bool = False, height: float = 5) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: FPDF, doc: QuoteDocument) -> None:
    _text(pdf, f"Quote {doc.number}", size=18, bold=True, height=9)
    _text(pdf, f"Type: {doc.type}    Status: {doc.status}")
    _text(
        pdf, f"Created on: {doc.created_on.isoformat()}    Expires on: {doc.expires_on.isoformat()}"
    )
    _text(pdf, f"Currency: {doc.currency}    Payment method: {doc.payment_method}")
    if doc.provisional:
        _text(pdf, "This quote is being finalized: its prices are provisional until it is quoted.")
    pdf.ln(3)


def _parties(pdf: FPDF, doc: QuoteDocument) -> None:
    _text(pdf, "Customer", size=11, bold=True, height=6)
    _text(pdf, f"{doc.customer_name} (CSN {doc.customer_csn})")
    label = "Billing address"
    if doc.address_is_current:
        label += " (the customer's current address; the quote takes its snapshot when finalized)"
    _text(pdf, f"{label}:")
    _text(pdf, "\n".join(doc.address) or "-")
    if doc.reseller:
        pdf.ln(2)
        _text(pdf, "Reseller", size=11, bold=True, height=6)
        _text(pdf, doc.reseller)
    pdf.ln(3)


def _lines(pdf: FPDF, doc: QuoteDocument) -> None:
    _text(pdf, f"Lines (amounts in {doc.currency})", size=11, bold=True, height=6)
    pdf.set_font(FONT, "", 8.5)
    with pdf.table(
        col_widths=WIDTHS,
        text_align=NUMERIC,
        line_height=4.5,
        padding=1,
        headings_style=FontFace(family=FONT, emphasis="BOLD", fill_color=(230, 230, 230)),
        first_row_as_headings=True,
    ) as table:
        table.row(HEADERS)
        for ln in doc.lines:
            table.row(
                (
                    ln.subscription_number,
                    ln.product,
                    f"{ln.start_date.isoformat()} – {ln.end_date.isoformat()}",
                    str(ln.seats),
                    ln.term,
                    amount(ln.unit_price),
                    amount(ln.discount),
                    amount(ln.total),
                )
            )
    pdf.ln(3)


def _totals(pdf: FPDF, doc: QuoteDocument) -> None:
    if doc.promotions:
        _text(pdf, "Applied promotions", size=11, bold=True, height=6)
        for p in doc.promotions:
            _text(pdf, f"{p.code}: {p.description} (-{amount(p.discount)} {doc.currency})")
        pdf.ln(2)
    rows = [
        ("Subtotal", doc.subtotal, False),
        (
            "Discount total",
            -doc.discount_total if doc.discount_total else doc.discount_total,
            False,
        ),
        ("Total", doc.total, True),
    ]
    for label, value, bold in rows:
        pdf.set_font(FONT, "B" if bold else "", 11 if bold else 10)
        pdf.cell(150, 6, label, align="R")
        pdf.cell(40, 6, f"{amount(value)} {doc.currency}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _checkout(pdf: FPDF, link: str) -> None:
    _text(pdf, "Accept and buy", size=11, bold=True, height=6)
    _text(pdf, "Open the checkout page to accept this quote and buy it:")
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(0, 0, 200)
    # The link has no spaces: it wraps by character, and the whole of it stays clickable.
    pdf.multi_cell(0, 4, link, link=link, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def emailed_pdf_name(number: str) -> str:
    """The file name of the quote's PDF attached to its email."""
    return f"{number}.pdf"


async def render_emailed_pdf(container: Container, quote_id: int) -> bytes | None:
    """The PDF attached to the quote's email (R13): the quote as it was sent (QUOTED, the address
    snapshot, the finalized prices) with the same checkout link as the email's body (the token is
    derived from the quote's nonce and expiry, which finalization fixed); None if the quote is
    gone or was never finalized. Reads on the read engine, renders off the event loop."""
    async with container.db.read_engine.connect() as conn:
        sent = (
            await conn.execute(
                select(m.Quote.checkout_nonce, m.Quote.expires_on).where(m.Quote.id == quote_id)
            )
        ).first()
        if sent is None or sent.checkout_nonce is None:
            return None
        document = await read_quote_document(conn, quote_id, container.clock.today())
    if document is None:
        return None
    # Whatever happened since (bought, expired, revised), the email shows the quote as sent.
    document = dataclasses.replace(document, status=QuoteStatus.QUOTED.value)
    token = mint_checkout_token(
        container.secret_key, quote_id, sent.checkout_nonce, sent.expires_on
    )
    link = checkout_url(container.settings.public_url, token)
    return await asyncio.to_thread(render_quote_pdf, document, link)
