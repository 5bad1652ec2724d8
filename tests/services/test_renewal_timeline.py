"""D1: auto-renew never lets a subscription lapse by accident, within R02 (no renewal while a
quote is open): no automatic quote for auto-renew subscriptions (R12), and a quote that keeps
auto-renew on expires at the latest on the end date. The business date walks day by day."""

from datetime import date, timedelta

from renewals.auth import Viewer
from renewals.domain.enums import QuoteOrigin, QuoteStatus, Role, Term
from renewals.domain.visibility import Visibility
from renewals.domain.windows import next_term
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from renewals.services.worker import drain
from tests.factories import document, subscription
from tests.helpers import seed
from tests.services.test_jobs import all_quotes, jobs_on, sub

BUYER = Viewer(Role.BUYER, customer_csn="5100000001", subject="bea")


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def buyer_quote(container, day: date, number: str = "SUB-1") -> int:
    container.clock.fixed_today = day
    pk = (await sub(container, number)).id
    quote_id = await create_renewal_quote(container, BUYER, Visibility(), CreateQuoteCommand([pk]))
    await drain(container)
    return quote_id


async def walk(container, first: date, last: date) -> list[date]:
    """Runs the jobs (and the worker) on every day; returns the days the term had lapsed."""
    lapsed = []
    for day in days(first, last):
        await jobs_on(container, day)
        await drain(container)
        if (await sub(container)).end_date < day:
            lapsed.append(day)
    return lapsed


async def test_the_measured_timeline_renews_on_the_end_date_without_a_gap(container):
    end = date(2026, 7, 13)
    await seed(
        container, document([subscription("SUB-1", today=end, ends_in_days=0, auto_renew=True)])
    )
    quote_id = await buyer_quote(container, date(2026, 6, 1))
    (quote,) = await all_quotes(container)
    assert quote.expires_on == date(2026, 7, 1)  # 30 days came first; unbought

    assert await walk(container, date(2026, 6, 1), date(2026, 7, 20)) == []

    # The buyer's quote expired on 07-02; no automatic quote (auto-renew on: R02 renews it).
    (quote,) = await all_quotes(container)
    assert (quote.id, quote.status) == (quote_id, QuoteStatus.EXPIRED)
    renewed = await sub(container)
    assert (renewed.start_date, renewed.end_date) == next_term(end, Term.ANNUAL)
    assert (renewed.auto_renew, renewed.open_quote_id) == (True, None)


async def test_a_quote_keeping_auto_renew_on_ends_with_the_term_then_it_renews(container):
    end = date(2026, 7, 31)
    await seed(
        container, document([subscription("SUB-1", today=end, ends_in_days=0, auto_renew=True)])
    )
    await buyer_quote(container, date(2026, 7, 2))
    (quote,) = await all_quotes(container)
    assert quote.expires_on == end  # not 08-01: it must not hold the subscription past its term

    # On the end date the quote is still open: R02 holds the renewal for that day ...
    report = await jobs_on(container, end)
    assert (report.expired, report.renewed, report.quoted) == (0, 0, 0)
    assert (await sub(container)).end_date == end
    # ... and the next day the quote expires and the term moves on without a gap.
    report = await jobs_on(container, end + timedelta(days=1))
    assert (report.expired, report.renewed, report.quoted) == (1, 1, 0)
    renewed = await sub(container)
    assert (renewed.start_date, renewed.end_date) == next_term(end, Term.ANNUAL)
    assert renewed.open_quote_id is None
    assert [q.origin for q in await all_quotes(container)] == [QuoteOrigin.SELF_SERVICE]


async def test_auto_renew_subscriptions_get_no_automatic_quote_on_any_day(container):
    end = date(2026, 7, 31)
    await seed(
        container,
        document(
            [
                subscription("SUB-1", today=end, ends_in_days=0, auto_renew=True),
                subscription("SUB-2", today=end, ends_in_days=0),
            ]
        ),
    )
    quoted = [(await jobs_on(container, day)).quoted for day in days(end - timedelta(days=35), end)]
    assert sum(quoted) == 1  # SUB-2 alone, without auto-renew
    (quote,) = await all_quotes(container)
    assert quote.origin == QuoteOrigin.AUTOMATIC
    assert (await sub(container, "SUB-1")).open_quote_id is None
    assert (await sub(container, "SUB-2")).open_quote_id == quote.id
