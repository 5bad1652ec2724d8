"""The quote document as PDF, from plain values: what it shows, read back as text (pypdf)."""

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

from pypdf import PdfReader

from renewals.services.quote_document import (
    DocumentLine,
    DocumentPromotion,
    QuoteDocument,
    quote_pdf_url,
)
from renewals.services.quote_pdf import render_quote_pdf

LINE = DocumentLine(
    subscription_number="SUB-7",
    product="Revit",
    start_date=date(2027, 1, 26),
    end_date=date(2030, 1, 25),
    seats=12,
    term="THREE_YEAR",
    unit_price=Decimal("5985.00"),
    discount=Decimal("7182.00"),
    total=Decimal("64638.00"),
)
DOC = QuoteDocument(
    number="Q-2026-000042",
    type="CO_TERM",
    status="QUOTED",
    created_on=date(2026, 11, 26),
    expires_on=date(2026, 12, 26),
    customer_name="Zakład Budowlany Łódź Sp. z o.o.",
    customer_csn="5100000009",
    address=["ul. Piotrkowska 1", "90-001 Łódź", "PL"],
    address_is_current=False,
    reseller=None,
    payment_method="INVOICE",
    lines=[LINE],
    promotions=[DocumentPromotion("RENEW3Y", "10% off 3-year renewals", Decimal("7182.00"))],
    subtotal=Decimal("71820.00"),
    discount_total=Decimal("7182.00"),
    total=Decimal("64638.00"),
    currency="PLN",
)


def read(pdf: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(p.extract_text() for p in reader.pages), len(reader.pages)


def test_the_document_shows_every_part_of_the_quote():
    text, pages = read(render_quote_pdf(DOC))

    for expected in [
        "Quote Q-2026-000042",
        "Type: CO_TERM",
        "Status: QUOTED",
        "Expires on: 2026-12-26",
        "Currency: PLN",
        "Zakład Budowlany Łódź Sp. z o.o. (CSN 5100000009)",
        "ul. Piotrkowska 1\n90-001 Łódź\nPL",
        "SUB-7 Revit 2027-01-26 – 2030-01-25 12 THREE_YEAR 5,985.00 7,182.00 64,638.00",
        "RENEW3Y: 10% off 3-year renewals (-7,182.00 PLN)",
        "Subtotal 71,820.00 PLN",
        "Discount total -7,182.00 PLN",
        "Total 64,638.00 PLN",
    ]:
        assert expected in text, expected
    assert pages == 1
    assert "Reseller" not in text and "provisional" not in text and "checkout" not in text


def test_the_emailed_copy_ends_with_the_clickable_checkout_link():
    link = "https://renewals.example/checkout?token=" + "abc.def-ghi_" * 30
    pdf = render_quote_pdf(DOC, link)

    text, _ = read(pdf)
    assert link in text.replace("\n", "")
    annots = PdfReader(io.BytesIO(pdf)).pages[0]["/Annots"]
    assert {a.get_object()["/A"]["/URI"] for a in annots} == {link}


def test_many_lines_run_over_pages_each_numbered():
    doc = replace(DOC, lines=[replace(LINE, subscription_number=f"SUB-{i}") for i in range(80)])
    text, pages = read(render_quote_pdf(doc))

    assert pages > 1
    assert f"page {pages} of {pages}" in text
    assert all(f"SUB-{i} Revit" in text for i in range(80))


def test_the_pdf_url_is_absolute_under_the_public_url():
    assert quote_pdf_url("https://r.example/base/", "Q-2026-000042") == (
        "https://r.example/base/quotes/Q-2026-000042.pdf"
    )


def test_text_the_font_cannot_show_or_that_never_breaks_still_renders():
    odd = replace(
        DOC,
        customer_name="株式会社 東京 \x07 😀",
        address=["\u202eevil", "x" * 300],
        lines=[replace(LINE, product="Product-" + "y" * 120)],
    )
    text, pages = read(render_quote_pdf(odd))

    assert "Quote Q-2026-000042" in text and "Total 64,638.00 PLN" in text
    assert pages == 1
