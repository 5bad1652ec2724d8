"""The checkout page of the email's link: GET shows the quote, only the button's POST accepts."""

from html import escape
from urllib.parse import parse_qs, urlencode

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from renewals.auth import AuthError, read_checkout_token
from renewals.container import Container
from renewals.domain.enums import ErrorCode, QuoteType
from renewals.domain.errors import DomainError
from renewals.domain.lifecycle import check_not_revised
from renewals.persistence import reads
from renewals.persistence.models import Quote
from renewals.services import orders
from renewals.services.mail import format_money

STATUS_FOR = {ErrorCode.INVALID_CHECKOUT_TOKEN: 400, ErrorCode.QUOTE_EXPIRED: 410}
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;width:100%}}td,th{{padding:.3rem;border-bottom:1px solid #ddd;text-align:left}}
button{{font-size:1.1rem;padding:.6rem 1.4rem}}</style></head><body>{body}</body></html>"""

KIND = {
    QuoteType.RENEWAL: "Renewal quote",
    QuoteType.CO_TERM: "Co-term quote",
    QuoteType.NEW_PURCHASE: "Quote",
}


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        PAGE.format(title=escape(title), body=body),
        status_code=status,
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
    )


def problem(message: str, status: int = 400) -> HTMLResponse:
    return page(
        "Checkout not possible",
        f"<h1>Checkout not possible</h1><p>{escape(message)}</p>"
        "<p>You can find your open quotes in your account under Billing &amp; Orders &gt; Quotes.</p>",
        status,
    )


async def show(request: Request) -> HTMLResponse:
    """Never changes anything (mail scanners open links)."""
    container: Container = request.app.state.container
    token = request.query_params.get("token", "")
    try:
        claims = read_checkout_token(container.secret_key, token)
    except AuthError:
        return problem("This checkout link is not valid.")
    async with container.db.read_engine.connect() as conn:
        quote = (await reads.quotes_by_id(conn, [claims.quote_id]))[0]
        lines = (await reads.lines_by_quote(conn, [claims.quote_id]))[0]
        subs = await reads.subscriptions_by_id(conn, [ln.subscription_id for ln in lines])
        nonce = (
            await conn.execute(select(Quote.checkout_nonce).where(Quote.id == claims.quote_id))
        ).scalar()
    if quote is None or nonce != claims.nonce:
        return problem("This checkout link is not valid.")
    if quote.revised_by_id is not None:
        async with container.db.read_engine.connect() as conn:
            revision = (await reads.quotes_by_id(conn, [quote.revised_by_id]))[0]
        try:
            check_not_revised(quote.number, revision.number if revision else None)
        except DomainError as e:
            return problem(e.problems[0].message, 409)
    if quote.status.value != "QUOTED":
        return problem(
            f"Quote {quote.number} can no longer be bought (it is {quote.status.value}).", 409
        )
    if container.clock.today() > quote.expires_on:
        return problem(f"Quote {quote.number} expired on {quote.expires_on}.", 410)
    rows = "".join(
        f"<tr><td>{escape(s.number)}</td><td>{escape(s.product)}</td><td>{ln.seats}</td>"
        f"<td>{ln.term.value}</td><td>{ln.start_date} – {ln.end_date}</td>"
        f"<td>{escape(format_money(ln.total, quote.currency))}</td></tr>"
        for ln, s in zip(lines, subs, strict=True)
        if s is not None
    )
    body = (
        f"<h1>{KIND[quote.type]} {escape(quote.number)}</h1>"
        f"<table><tr><th>Subscription</th><th>Product</th><th>Seats</th><th>Term</th><th>Period</th>"
        f"<th>Total</th></tr>{rows}</table>"
        f"<p>Discounts: {escape(format_money(quote.discount_total, quote.currency))}<br>"
        f"<strong>Total (incl. discounts): {escape(format_money(quote.total, quote.currency))}</strong><br>"
        f"Expires on: {quote.expires_on}</p>"
        f'<form method="post" action="/checkout"><input type="hidden" name="token" value="{escape(token)}">'
        f'<button type="submit">Accept and buy</button></form>'
    )
    return page(f"Quote {quote.number}", body)


async def accept(request: Request) -> Response:
    """The button: accepts through the same service as the acceptQuote mutation, then redirects
    to the result page (post/redirect/get: a refresh does not submit again)."""
    container: Container = request.app.state.container
    # A plain urlencoded form; parsed here so no multipart library is needed.
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    token = (form.get("token") or [""])[0]
    try:
        await orders.accept_quote(container, None, None, orders.AcceptCommand(checkout_token=token))
    except DomainError as e:
        return problem(e.problems[0].message, STATUS_FOR.get(e.problems[0].code, 409))
    return RedirectResponse(f"/checkout/done?{urlencode({'token': token})}", status_code=303)


ACCEPTED = {"ORDER_SUBMITTED": "is being processed", "ORDERED": "is complete"}
OUTCOME = {
    QuoteType.RENEWAL: "the subscriptions renew for one more term",
    QuoteType.CO_TERM: "the subscriptions' end dates move to the aligned date",
}


async def done(request: Request) -> HTMLResponse:
    """The result page after the button: what became of the quote (read only)."""
    container: Container = request.app.state.container
    try:
        claims = read_checkout_token(container.secret_key, request.query_params.get("token", ""))
    except AuthError:
        return problem("This checkout link is not valid.")
    async with container.db.read_engine.connect() as conn:
        quote = (await reads.quotes_by_id(conn, [claims.quote_id]))[0]
    if quote is None:
        return problem("This checkout link is not valid.")
    status = quote.status.value
    if status not in ACCEPTED:
        return problem(f"Quote {quote.number} is {status}.", 409)
    return page(
        "Thank you",
        f"<h1>Thank you</h1><p>Quote {escape(quote.number)} is accepted; your order "
        f"{ACCEPTED[status]} and {OUTCOME.get(quote.type, OUTCOME[QuoteType.RENEWAL])}.</p>"
        f"<p>Status: <strong data-status>{status}</strong></p>",
    )
