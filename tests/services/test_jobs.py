"""Scheduled jobs across business dates: R12 automatic quotes, expiry, automatic renewal (R02)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from renewals.auth import Viewer
from renewals.domain.enums import ContactRole, QuoteOrigin, QuoteStatus, Role, Term
from renewals.domain.quotes import LineChange
from renewals.domain.visibility import Visibility
from renewals.domain.windows import add_months, next_term
from renewals.persistence import models as m
from renewals.persistence.uow import UnitOfWork
from renewals.services.jobs import run_jobs
from renewals.services.lifecycle import transition
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from renewals.services.worker import drain
from tests.factories import TODAY, customer, document, subscription
from tests.helpers import seed

SALES = Viewer(Role.SALES, subject="sales-team")


async def sub(container, number: str = "SUB-1"):
    async with container.db.read_engine.connect() as conn:
        return (
            await conn.execute(
                select(m.Subscription.__table__).where(m.Subscription.number == number)
            )
        ).one()


async def all_quotes(container):
    async with container.db.read_engine.connect() as conn:
        return (await conn.execute(select(m.Quote.__table__).order_by(m.Quote.id))).all()


async def recipients(container, quote_id: int) -> list[str]:
    async with container.db.read_engine.connect() as conn:
        rows = await conn.execute(
            select(m.QuoteRecipient.email).where(m.QuoteRecipient.quote_id == quote_id)
        )
        return [r[0] for r in rows]


async def quote_subscriptions(container, quote_id: int) -> list[str]:
    async with container.db.read_engine.connect() as conn:
        rows = await conn.execute(
            select(m.Subscription.number)
            .join(m.QuoteLine, m.QuoteLine.subscription_id == m.Subscription.id)
            .where(m.QuoteLine.quote_id == quote_id)
        )
        return [r[0] for r in rows]


async def jobs_on(container, day: date):
    container.clock.fixed_today = day
    return await run_jobs(container)


async def manual_quote(container, number: str, **command) -> int:
    pk = (await sub(container, number)).id
    changes = [LineChange(pk, **c) for c in command.pop("changes", [])]
    return await create_renewal_quote(
        container, SALES, Visibility(), CreateQuoteCommand([pk], changes=changes, **command)
    )


# --- R12 automatic quotes -----------------------------------------------------------------------


@pytest.mark.parametrize("term", ["ANNUAL", "THREE_YEAR"])
async def test_automatic_quote_exactly_on_day_end_minus_30(container, term):
    await seed(container, document([subscription("SUB-1", term=term, ends_in_days=45)]))
    end = TODAY + timedelta(days=45)
    for day in (end - timedelta(days=45), end - timedelta(days=31)):
        report = await jobs_on(container, day)
        assert report.quoted == 0
        assert await all_quotes(container) == []

    report = await jobs_on(container, end - timedelta(days=30))
    assert report.quoted == 1
    (quote,) = await all_quotes(container)
    assert quote.origin == QuoteOrigin.AUTOMATIC
    assert quote.status == QuoteStatus.FINALIZING
    assert quote.created_by == "job:automatic-quotes"
    assert quote.created_on == end - timedelta(days=30)
    assert quote.expires_on == end  # created + 30
    assert await recipients(container, quote.id) == ["buyer@acme.example"]
    assert await quote_subscriptions(container, quote.id) == ["SUB-1"]
    assert (await sub(container)).open_quote_id == quote.id

    # Running again, the same day or later, makes nothing more.
    assert (await run_jobs(container)).quoted == 0
    assert (await jobs_on(container, end - timedelta(days=29))).quoted == 0
    assert len(await all_quotes(container)) == 1

    # The worker finalizes and emails the buyer, purchasable from the email (R12, R13).
    await drain(container)
    (quote,) = await all_quotes(container)
    assert quote.status == QuoteStatus.QUOTED
    async with container.db.read_engine.connect() as conn:
        emails = (await conn.execute(select(m.Email.to_address, m.Email.body))).all()
    assert [e.to_address for e in emails] == ["buyer@acme.example"]
    assert quote.number in emails[0].body and "/checkout?token=" in emails[0].body
    expected_price = "10500.00" if term == "ANNUAL" else "26932.50"  # R11 on three years
    assert str(quote.total) == expected_price


async def test_monthly_terms_get_no_automatic_quote(container):
    await seed(container, document([subscription("SUB-1", term="MONTHLY", ends_in_days=20)]))
    for offset in (0, 10, 20):
        assert (await jobs_on(container, TODAY + timedelta(days=offset))).quoted == 0
    assert await all_quotes(container) == []


async def test_ineligible_offerings_get_no_automatic_quote(container):
    await seed(
        container, document([subscription("SUB-1", offering_type="SUCCESS_PLAN", ends_in_days=20)])
    )
    assert (await jobs_on(container, TODAY)).quoted == 0
    assert await all_quotes(container) == []


async def test_a_subscription_already_on_an_open_quote_is_skipped(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=40)]))
    manual = await manual_quote(container, "SUB-1")
    report = await jobs_on(container, TODAY + timedelta(days=10))  # end - 30
    assert report.quoted == 0
    assert [q.id for q in await all_quotes(container)] == [manual]


async def test_a_missed_day_is_caught_up(container):
    await seed(
        container,
        document([subscription("SUB-1", ends_in_days=40), subscription("SUB-2", ends_in_days=100)]),
    )
    end = TODAY + timedelta(days=40)
    assert (await jobs_on(container, end - timedelta(days=40))).quoted == 0
    # The scheduler did not run for 15 days.
    report = await jobs_on(container, end - timedelta(days=25))
    assert report.quoted == 1
    (quote,) = await all_quotes(container)
    assert await quote_subscriptions(container, quote.id) == ["SUB-1"]
    assert quote.created_on == end - timedelta(days=25)
    assert quote.expires_on == end + timedelta(days=5)
    assert (await run_jobs(container)).quoted == 0


async def test_one_automatic_quote_per_term_even_after_it_closes(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=30)]))
    end = TODAY + timedelta(days=30)
    assert (await jobs_on(container, TODAY)).quoted == 1
    (quote,) = await all_quotes(container)
    from renewals.services.orders import cancel_quote

    await cancel_quote(container, SALES, Visibility(), quote.id, "customer declined")
    # Freed, but this term had its automatic quote: no second one.
    assert (await jobs_on(container, end - timedelta(days=10))).quoted == 0
    assert len(await all_quotes(container)) == 1


async def test_auto_renew_subscription_gets_no_automatic_quote_and_renews_itself(container):
    # R12 skips auto-renew subscriptions: they renew by themselves (R02), a quote would hold them.
    await seed(container, document([subscription("SUB-1", ends_in_days=30, auto_renew=True)]))
    end = TODAY + timedelta(days=30)
    assert (await jobs_on(container, TODAY)).quoted == 0
    assert (await jobs_on(container, end - timedelta(days=1))).quoted == 0
    assert await all_quotes(container) == []
    report = await jobs_on(container, end)
    assert (report.expired, report.renewed, report.quoted) == (0, 1, 0)
    renewed = await sub(container)
    assert (renewed.start_date, renewed.end_date) == next_term(end, Term.ANNUAL)
    assert renewed.open_quote_id is None


async def test_a_customer_without_a_buyer_gets_no_automatic_quote(container):
    nobody = customer("5100000002", "Ohne Einkauf GmbH")
    nobody["contacts"] = [c for c in nobody["contacts"] if c["role"] != "BUYER"]
    await seed(
        container,
        document(
            [
                subscription("SUB-1", ends_in_days=30),
                subscription("SUB-2", ends_in_days=30, customer_csn="5100000002"),
                subscription("SUB-3", ends_in_days=20, customer_csn="5100000002"),
            ],
            customers=[customer(), nobody],
        ),
    )
    report = await jobs_on(container, TODAY)
    assert (report.quoted, report.skipped, report.no_buyer) == (1, 0, 2)
    assert "skipped for having no buyer: 2" in report.summary()
    (quote,) = await all_quotes(container)
    assert await quote_subscriptions(container, quote.id) == ["SUB-1"]
    # Nothing holds them: a buyer added later still gets their quotes.
    assert (await sub(container, "SUB-2")).open_quote_id is None


# --- expiry -------------------------------------------------------------------------------------


async def test_expired_quote_restores_the_auto_renew_it_switched_off(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=80, auto_renew=True)]))
    quote_id = await manual_quote(
        container, "SUB-1", changes=[{"seats": 3}], disable_auto_renew=True
    )
    await drain(container)
    assert (await sub(container)).auto_renew is False
    (quote,) = await all_quotes(container)
    assert quote.expires_on == TODAY + timedelta(days=30)

    assert (await jobs_on(container, quote.expires_on)).expired == 0  # last day still valid
    report = await jobs_on(container, quote.expires_on + timedelta(days=1))
    assert report.expired == 1
    (quote,) = await all_quotes(container)
    assert quote.status == QuoteStatus.EXPIRED
    after = await sub(container)
    assert (after.auto_renew, after.open_quote_id, after.seats) == (True, None, 5)
    assert (await run_jobs(container)).expired == 0
    async with container.db.read_engine.connect() as conn:
        statuses = (
            await conn.execute(
                select(m.QuoteStatusChange.status, m.QuoteStatusChange.actor)
                .where(m.QuoteStatusChange.quote_id == quote_id)
                .order_by(m.QuoteStatusChange.id)
            )
        ).all()
    assert [tuple(s) for s in statuses] == [
        (QuoteStatus.FINALIZING, "sales:*:sales-team"),
        (QuoteStatus.QUOTED, "worker"),
        (QuoteStatus.EXPIRED, "job:expiry"),
    ]


async def test_a_finalizing_quote_past_expiry_expires_too(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=80)]))
    await manual_quote(container, "SUB-1")
    report = await jobs_on(container, TODAY + timedelta(days=31))
    assert report.expired == 1
    (quote,) = await all_quotes(container)
    assert quote.status == QuoteStatus.EXPIRED
    await drain(container)  # the pending finalize job leaves a closed quote alone
    (quote,) = await all_quotes(container)
    assert quote.status == QuoteStatus.EXPIRED


@pytest.mark.parametrize(
    ("ends_in", "expected"),
    [
        (60, TODAY + timedelta(days=30)),  # created + 30 comes first
        (-40, TODAY + timedelta(days=5)),  # the window closes (end + 45) first
        (-15, TODAY + timedelta(days=30)),  # exactly equal
    ],
)
async def test_expiry_is_the_earlier_of_30_days_and_window_close(container, ends_in, expected):
    await seed(container, document([subscription("SUB-1", ends_in_days=ends_in)]))
    await manual_quote(container, "SUB-1")
    (quote,) = await all_quotes(container)
    assert quote.expires_on == expected


async def test_expiry_of_a_group_uses_the_earliest_window_close(container):
    await seed(
        container,
        document([subscription("SUB-1", ends_in_days=-40), subscription("SUB-2", ends_in_days=60)]),
    )
    pks = [(await sub(container, n)).id for n in ("SUB-1", "SUB-2")]
    await create_renewal_quote(container, SALES, Visibility(), CreateQuoteCommand(pks))
    (quote,) = await all_quotes(container)
    assert quote.expires_on == TODAY + timedelta(days=5)


# --- R02 automatic renewal ----------------------------------------------------------------------


async def test_auto_renew_renews_on_the_end_date_not_before(container):
    await seed(
        container,
        document([subscription("SUB-1", term="MONTHLY", ends_in_days=5, auto_renew=True)]),
    )
    end = TODAY + timedelta(days=5)
    before = await sub(container)
    assert (await jobs_on(container, end - timedelta(days=1))).renewed == 0
    assert await sub(container) == before

    assert (await jobs_on(container, end)).renewed == 1
    renewed = await sub(container)
    assert renewed.start_date == end + timedelta(days=1)
    assert renewed.end_date == add_months(end + timedelta(days=1), 1) - timedelta(days=1)
    assert (renewed.seats, renewed.term, renewed.auto_renew) == (5, Term.MONTHLY, True)
    assert (await run_jobs(container)).renewed == 0  # twice the same day: nothing more
    assert await sub(container) == renewed


async def test_annual_auto_renewal_moves_one_term_without_a_gap(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=5, auto_renew=True)]))
    end = TODAY + timedelta(days=5)
    report = await jobs_on(container, end)
    assert (report.renewed, report.quoted) == (1, 0)
    renewed = await sub(container)
    assert (renewed.start_date, renewed.end_date) == next_term(end, Term.ANNUAL)
    assert await all_quotes(container) == []


async def test_missed_auto_renewals_are_caught_up_without_a_gap(container):
    await seed(
        container,
        document([subscription("SUB-1", term="MONTHLY", ends_in_days=0, auto_renew=True)]),
    )
    end, day = TODAY, TODAY + timedelta(days=40)  # the window is still open (R01: 45 days)
    report = await jobs_on(container, day)
    assert report.renewed == 2  # two missed monthly terms: an order (and a charge) each
    renewed = await sub(container)
    start, stop = next_term(end, Term.MONTHLY)
    while stop <= day:
        start, stop = next_term(stop, Term.MONTHLY)
    assert (renewed.start_date, renewed.end_date) == (start, stop)
    assert renewed.end_date > day


@pytest.mark.parametrize("term", ["MONTHLY", "ANNUAL"])
async def test_a_lapsed_subscription_is_not_renewed_even_with_auto_renew_on(container, term):
    """Ended 2026-04-16, its window closed on 2026-05-31: not renewed on 2026-07-20 (R01, R02)."""
    end = date(2026, 4, 16)
    await seed(
        container,
        document(
            [subscription("SUB-1", term=term, auto_renew=True, ends_in_days=(end - TODAY).days)]
        ),
    )
    before = await sub(container)
    assert before.end_date == end and before.auto_renew is True
    for day in (date(2026, 6, 1), date(2026, 7, 20)):
        assert (await jobs_on(container, day)).renewed == 0
        assert await sub(container) == before


async def test_auto_renewal_catches_up_through_the_windows_last_day(container):
    end = date(2026, 4, 16)
    await seed(
        container,
        document([subscription("SUB-1", auto_renew=True, ends_in_days=(end - TODAY).days)]),
    )
    assert (await jobs_on(container, date(2026, 5, 31))).renewed == 1
    assert ((await sub(container)).start_date, (await sub(container)).end_date) == next_term(
        end, Term.ANNUAL
    )


async def test_subscriptions_without_auto_renew_do_not_renew(container):
    await seed(container, document([subscription("SUB-1", term="MONTHLY", ends_in_days=0)]))
    before = await sub(container)
    assert (await jobs_on(container, TODAY + timedelta(days=3))).renewed == 0
    assert await sub(container) == before


async def test_auto_renewal_never_processes_a_subscription_on_an_open_quote(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=10, auto_renew=True)]))
    quote_id = await manual_quote(container, "SUB-1")
    await drain(container)
    before = await sub(container)
    assert before.auto_renew is True and before.open_quote_id == quote_id
    # The quote keeps auto-renew on, so it expires with the term (D1) ...
    (quote,) = await all_quotes(container)
    assert quote.expires_on == TODAY + timedelta(days=10)
    # ... and until then, the end date included, R02 holds the renewal.
    for offset in (9, 10):
        report = await jobs_on(container, TODAY + timedelta(days=offset))
        assert report.renewed == 0
    assert await sub(container) == before
    report = await jobs_on(container, TODAY + timedelta(days=11))
    assert (report.expired, report.renewed) == (1, 1)
    assert (await sub(container)).end_date == next_term(before.end_date, Term.ANNUAL)[1]
    async with container.db.read_engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(m.Quote))).scalar_one() == 1


async def test_a_quote_switching_auto_renew_off_holds_the_subscription_past_its_end(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=10, auto_renew=True)]))
    await manual_quote(container, "SUB-1", changes=[{"seats": 3}], disable_auto_renew=True)
    (quote,) = await all_quotes(container)
    assert quote.expires_on == TODAY + timedelta(days=30)  # the caller chose to hold it (R02)
    for offset in (10, 11, 20):
        assert (await jobs_on(container, TODAY + timedelta(days=offset))).renewed == 0


# --- telling the buyers (R02: auto-renew given back) --------------------------------------------


async def notices(container) -> list[tuple[str, str, str]]:
    """(to, subject, body) of every email but the quote emails (R13)."""
    async with container.db.read_engine.connect() as conn:
        rows = await conn.execute(
            select(m.Email.to_address, m.Email.subject, m.Email.body)
            .where(m.Email.subject.not_like("Your renewal quote % (total %"))
            .order_by(m.Email.id)
        )
        return [tuple(r) for r in rows]


async def test_an_expiry_that_gives_auto_renew_back_tells_the_buyers_once(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=80, auto_renew=True)]))
    await manual_quote(container, "SUB-1", changes=[{"seats": 3}], disable_auto_renew=True)
    await drain(container)
    (quote,) = await all_quotes(container)
    assert await notices(container) == []

    await jobs_on(container, quote.expires_on + timedelta(days=1))
    ((to, subject, body),) = await notices(container)
    assert to == "buyer@acme.example"
    assert subject == f"Auto-renew is on again: your renewal quote {quote.number} expired"
    renews_on = (TODAY + timedelta(days=81)).isoformat()
    # The subscription's own seats and term, not the quote's 3 seats.
    assert f"SUB-1 AutoCAD: renews on {renews_on} with 5 seats, annual term" in body
    assert "3 seats" not in body
    assert f"your renewal quote {quote.number} expired without an order" in body

    assert (await run_jobs(container)).expired == 0
    assert len(await notices(container)) == 1  # at most once


async def test_an_expiry_after_the_end_date_renews_at_the_next_daily_run(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=10, auto_renew=True)]))
    await manual_quote(container, "SUB-1", changes=[{"seats": 3}], disable_auto_renew=True)
    (quote,) = await all_quotes(container)
    report = await jobs_on(container, quote.expires_on + timedelta(days=1))
    assert (report.expired, report.renewed) == (1, 1)
    (_, _, body), (_, renewed_subject, _) = await notices(container)
    assert "SUB-1 AutoCAD: renews at the next daily run with 5 seats, annual term" in body
    assert renewed_subject.startswith("Your subscription SUB-1 renewed automatically")


async def test_an_expiry_without_disable_auto_renew_tells_nobody(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=80, auto_renew=True)]))
    await manual_quote(container, "SUB-1")
    await drain(container)
    (quote,) = await all_quotes(container)
    assert (await jobs_on(container, quote.expires_on + timedelta(days=1))).expired == 1
    assert await notices(container) == []


async def test_an_expiry_for_a_customer_without_buyers_emails_nobody(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=80, auto_renew=True)]))
    await manual_quote(container, "SUB-1", changes=[{"seats": 3}], disable_auto_renew=True)
    async with container.db.write_engine.begin() as conn:  # the buyer leaves meanwhile
        await conn.execute(delete(m.Contact).where(m.Contact.role == ContactRole.BUYER))
    (quote,) = await all_quotes(container)
    assert (await jobs_on(container, quote.expires_on + timedelta(days=1))).expired == 1
    assert (await sub(container)).auto_renew is True
    assert await notices(container) == []


async def test_a_rolled_back_expiry_tells_nobody(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=80, auto_renew=True)]))
    quote_id = await manual_quote(
        container, "SUB-1", changes=[{"seats": 3}], disable_auto_renew=True
    )
    async with UnitOfWork(container.db) as uow:  # left without commit: rolled back
        quote = await uow.quotes.get(quote_id, for_update=True)
        await transition(uow, container, quote, QuoteStatus.EXPIRED, "job:expiry")
    assert await notices(container) == []
    assert (await sub(container)).auto_renew is False
