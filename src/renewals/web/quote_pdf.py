"""`GET /quotes/<number>.pdf`: the quote as PDF, without the checkout link, for whoever may see it
through `quote(number:)` (the same context, loaders and visibility decide)."""

import asyncio

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response

from renewals.api.core.context import Context
from renewals.container import Container
from renewals.services.quote_document import read_quote_document
from renewals.services.quote_pdf import render_quote_pdf

MAX_NUMBER_LENGTH = 40
NO_STORE = {"Cache-Control": "private, no-store"}


def _error(message: str, code: str, status: int) -> Response:
    headers = dict(NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="renewals"'
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def _not_found(number: str) -> Response:
    # The same answer for an unknown number and one the viewer may not see.
    return _error(f"No quote {number!r} that you can see.", "NOT_FOUND", 404)


async def download(request: Request) -> Response:
    container: Container = request.app.state.container
    number = request.path_params["number"]
    context = Context(container, authorization=request.headers.get("authorization"))
    try:
        await context.visibility()
    except GraphQLError as e:  # no token, or a bad one: UNAUTHENTICATED as over /graphql
        return _error(e.message, "UNAUTHENTICATED", 401)
    if len(number) > MAX_NUMBER_LENGTH or not number.isprintable():
        return _not_found(number[:MAX_NUMBER_LENGTH])
    quote_id = await context.loaders.quote_id_by_number.load(number)
    record = await context.loaders.quote_by_id.load(quote_id) if quote_id else None
    if record is None or not await context.can_see(record):
        return _not_found(number)
    async with container.db.read_engine.connect() as conn:
        document = await read_quote_document(conn, record.id, context.today)
    if document is None:
        return _not_found(number)
    pdf = await asyncio.to_thread(render_quote_pdf, document)  # CPU: off the event loop
    headers = {**NO_STORE, "Content-Disposition": f'inline; filename="{record.number}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)
