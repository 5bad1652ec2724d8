"""What the quote PDF shows, read from the database as plain values (see quote_pdf.py)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote as url_quote

from sqlalchemy.ext.asyncio import AsyncConnection

from renewals.domain.enums import QuoteStatus
from renewals.domain.lifecycle import effective_status
from renewals.persistence import reads


@dataclass(frozen=True, slots=True)
class DocumentLine:
    subscription_number: str
    product: str
    start_date: date
    end_date: date
    seats: int
    term: str
    unit_price: Decimal
    discount: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class DocumentPromotion:
    code: str
    description: str
    discount: Decimal


@dataclass(frozen=True, slots=True)
class QuoteDocument:
    number: str
    type: str
    status: str
    created_on: date
    expires_on: date
    customer_name: str
    customer_csn: str
    address: list[str]
    # No snapshot yet (a FINALIZING quote): the customer's current address is shown, and said so.
    address_is_current: bool
    reseller: str | None
    payment_method: str
    lines: list[DocumentLine]
    promotions: list[DocumentPromotion]
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    currency: str

    @property
    def provisional(self) -> bool:
        """Prices of a quote still being finalized are re-priced at finalization (R11)."""
        return self.status == QuoteStatus.FINALIZING.value


def quote_pdf_url(public_url: str, number: str) -> str:
    """Where `GET /quotes/<number>.pdf` serves the quote (absolute, like checkout links)."""
    return f"{public_url.rstrip('/')}/quotes/{url_quote(number, safe='')}.pdf"


def address_lines(address: dict[str, Any]) -> list[str]:
    """A snapshot (`quotes.address`) or a customer's address as printable lines."""
    city = " ".join(p for p in (address.get("postal_code"), address.get("city")) if p)
    parts = [address.get("line1"), address.get("line2"), city, address.get("country")]
    return [str(p) for p in parts if p]


async def read_quote_document(
    conn: AsyncConnection, quote_id: int, today: date
) -> QuoteDocument | None:
    """The quote as its PDF shows it, with the status it reads as today; None if it is gone."""
    quote = (await reads.quotes_by_id(conn, [quote_id]))[0]
    if quote is None:
        return None
    lines = (await reads.lines_by_quote(conn, [quote_id]))[0]
    promotions = (await reads.promotions_by_quote(conn, [quote_id]))[0]
    subs = await reads.subscriptions_by_id(conn, [ln.subscription_id for ln in lines])
    customer = (await reads.customers_by_id(conn, [quote.customer_id]))[0]
    reseller = None
    if quote.reseller_id is not None:
        partner = (await reads.partners_by_id(conn, [quote.reseller_id]))[0]
        reseller = f"{partner.name} (CSN {partner.csn})" if partner else None
    current = {
        "line1": customer.address_line1,
        "line2": customer.address_line2,
        "city": customer.city,
        "postal_code": customer.postal_code,
        "country": customer.country,
    }
    return QuoteDocument(
        number=quote.number,
        type=quote.type.value,
        status=effective_status(quote.status, quote.expires_on, today).value,
        created_on=quote.created_on,
        expires_on=quote.expires_on,
        customer_name=customer.name,
        customer_csn=customer.csn,
        address=address_lines(quote.address or current),
        address_is_current=quote.address is None,
        reseller=reseller,
        payment_method=quote.payment_method.value,
        lines=[
            DocumentLine(
                subscription_number=sub.number if sub else "?",
                product=sub.product if sub else "?",
                start_date=ln.start_date,
                end_date=ln.end_date,
                seats=ln.seats,
                term=ln.term.value,
                unit_price=ln.unit_price,
                discount=ln.discount,
                total=ln.total,
            )
            for ln, sub in zip(lines, subs, strict=True)
        ],
        promotions=[DocumentPromotion(p.code, p.description, p.discount) for p in promotions],
        subtotal=quote.subtotal,
        discount_total=quote.discount_total,
        total=quote.total,
        currency=quote.currency,
    )
