"""R02: a subscription never renews by itself while it is on a quote in ORDER_SUBMITTED."""

from datetime import timedelta

from renewals.domain.enums import OrderOrigin, QuoteStatus, Term
from renewals.domain.visibility import Visibility
from renewals.domain.windows import next_term
from renewals.services.orders import AcceptCommand, accept_quote
from renewals.services.worker import drain
from tests.factories import TODAY, document, subscription
from tests.helpers import seed
from tests.services.auto_renewal.helpers import RecordingGateway, orders
from tests.services.lifecycle.helpers import SALES, make_quote, quote_row
from tests.services.test_jobs import jobs_on, sub


async def test_no_automatic_renewal_while_the_order_is_submitted(container):
    container.payments = gateway = RecordingGateway()
    await seed(container, document([subscription("SUB-1", ends_in_days=5, auto_renew=True)]))
    quote_id = await make_quote(container, "SUB-1")
    await drain(container)
    await accept_quote(
        container, SALES, Visibility(), AcceptCommand(quote_id=quote_id, quote_id_given=True)
    )  # ORDER_SUBMITTED; the worker has not fulfilled it yet

    for days in (5, 6, 7):
        report = await jobs_on(container, TODAY + timedelta(days=days))
        assert report.renewed == 0
    assert (await quote_row(container, quote_id)).status == QuoteStatus.ORDER_SUBMITTED
    (order,) = await orders(container)
    assert order.origin == OrderOrigin.QUOTE

    await drain(container)  # fulfilled: one order, one charge, one term
    assert len(gateway.charged) == 1
    assert (await sub(container)).end_date == next_term(TODAY + timedelta(days=5), Term.ANNUAL)[1]
    assert (await jobs_on(container, TODAY + timedelta(days=8))).renewed == 0
    assert len(await orders(container)) == 1
