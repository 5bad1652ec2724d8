"""What finalizing a quote computes, shared by the single path (worker.finalize_quote) and the
batch path (finalize_batch.finalize_quotes), so each rule has one implementation whichever path
runs it: the repricing requests (R11, R06), the address snapshot (R10), the email (R13)."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from renewals.auth import mint_checkout_token
from renewals.container import Container
from renewals.domain.enums import QuoteType, Term
from renewals.domain.pricing import LineRequest
from renewals.domain.prorata import co_term_pro_rata
from renewals.services.mail import checkout_url, format_money, quote_email, seats


class PricedLine(Protocol):
    """A quote line as finalization reads it."""

    @property
    def id(self) -> int: ...
    @property
    def product(self) -> str: ...
    @property
    def term(self) -> Term: ...
    @property
    def seats(self) -> int: ...
    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date: ...
    @property
    def subscription_number(self) -> str: ...


def repricing(
    quote_type: QuoteType, currency: str, lines: Iterable[PricedLine]
) -> list[LineRequest]:
    """R11 at the finalization date: every line priced anew; a co-term line pro rata for its own
    dates (R06)."""
    co_term = quote_type == QuoteType.CO_TERM
    return [
        LineRequest(
            ln.id,
            ln.product,
            ln.term,
            currency,
            ln.seats,
            co_term_pro_rata(ln.start_date, ln.end_date, ln.term) if co_term else None,
        )
        for ln in lines
    ]


def address_snapshot(source: Any) -> dict[str, Any]:
    """R10: the customer's billing address as the quote is sent with it."""
    return {
        "line1": source.address_line1,
        "line2": source.address_line2,
        "city": source.city,
        "postal_code": source.postal_code,
        "country": source.country,
    }


def quote_message(
    container: Container,
    quote: Any,
    nonce: str,
    customer_name: str,
    lines: Iterable[PricedLine],
    totals: Iterable[Decimal],
) -> tuple[str, str]:
    """R13: the subject and body of a quote's email: number, expiry, totals, a line each and the
    checkout link (a token for this nonce). `quote` has number, expires_on, total,
    discount_total, currency and type."""
    token = mint_checkout_token(container.secret_key, quote.id, nonce, quote.expires_on)
    return quote_email(
        number=quote.number,
        customer_name=customer_name,
        expires_on=quote.expires_on,
        total=quote.total,
        discount_total=quote.discount_total,
        currency=quote.currency,
        lines=[
            f"{ln.subscription_number} {ln.product}: "
            f"{seats(ln.seats)}, {ln.term.value}, {ln.start_date} to {ln.end_date}: "
            f"{format_money(total, quote.currency)}"
            for ln, total in zip(lines, totals, strict=True)
        ],
        link=checkout_url(container.settings.public_url, token),
        kind="co-term quote" if quote.type == QuoteType.CO_TERM else "renewal quote",
    )
