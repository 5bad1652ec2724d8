"""A co-term quote through the services and jobs (R06): re-priced pro rata when finalized, it
holds its subscriptions like a renewal quote, and once ordered the automatic renewal (R02) and
the renewal window (R01) follow the aligned end date."""

import re
from datetime import date
from decimal import Decimal

from renewals.domain.enums import OrderOrigin, QuoteStatus, QuoteType
from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.services.coterm import CreateCoTermCommand, create_co_term_quote
from renewals.services.orders import AcceptCommand, accept_quote
from renewals.services.worker import drain
from tests.factories import PRICES, document, subscription
from tests.helpers import seed
from tests.services.auto_renewal.helpers import order_lines, orders
from tests.services.lifecycle.helpers import SALES, quote_row, rows, sub_pk
from tests.services.test_jobs import jobs_on, sub

ALIGNED = date(2027, 3, 31)


async def co_term(container, *numbers: str, align_to: date = ALIGNED) -> int:
    ids: list[int | None] = [await sub_pk(container, n) for n in numbers]
    return await create_co_term_quote(
        container, SALES, Visibility(), CreateCoTermCommand(ids, align_to=align_to)
    )


async def buy(container, quote_id: int) -> None:
    await accept_quote(
        container, SALES, Visibility(), AcceptCommand(quote_id=quote_id, quote_id_given=True)
    )
    await drain(container)


async def test_finalization_reprices_co_term_lines_pro_rata_at_the_new_price(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=35)]))  # ends 2026-12-31
    quote_id = await co_term(container, "SUB-1")
    assert (await quote_row(container, quote_id)).total == Decimal("2589.04")  # 2100 × 5 × 90/365

    dearer = [dict(p, unitPrice="2200.00") if p["term"] == "ANNUAL" else p for p in PRICES]
    await seed(container, document([subscription("SUB-1", ends_in_days=35)], prices=dearer))
    await drain(container)

    quote = await quote_row(container, quote_id)
    assert (quote.type, quote.status) == (QuoteType.CO_TERM, QuoteStatus.QUOTED)
    ((line),) = await rows(container, m.QuoteLine, m.QuoteLine.quote_id == quote_id)
    # 2200.00 × 5 × 90/365 = 2712.328… → 2712.33, not a full term's 11000.00
    assert (line.unit_price, line.subtotal, line.total) == (
        Decimal("2200.00"),
        Decimal("2712.33"),
        Decimal("2712.33"),
    )
    assert quote.total == Decimal("2712.33")


async def test_auto_renewal_follows_the_aligned_end_date(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=20, auto_renew=True)]))
    before = await sub(container)
    quote_id = await co_term(container, "SUB-1")
    await drain(container)
    await buy(container, quote_id)
    (order,) = await orders(container)
    assert order.origin == OrderOrigin.QUOTE
    after = await sub(container)
    assert (after.end_date, after.start_date, after.seats, after.term, after.auto_renew) == (
        ALIGNED,
        before.start_date,
        before.seats,
        before.term,
        True,
    )

    # the old end date passes: nothing renews; the aligned date comes: it renews from the day after
    assert (await jobs_on(container, before.end_date)).renewed == 0
    assert (await jobs_on(container, ALIGNED)).renewed == 1
    renewal = (await orders(container))[-1]
    (line,) = await order_lines(container, renewal.id)
    assert (line.start_date, line.end_date) == (date(2027, 4, 1), date(2028, 3, 31))


async def test_an_expired_co_term_quote_frees_its_subscription_unchanged(container):
    # ends 2027-03-06: no automatic quote (R12) is due when the expiry job runs
    await seed(container, document([subscription("SUB-1", ends_in_days=100)]))
    before = await sub(container)
    quote_id = await co_term(container, "SUB-1")
    await drain(container)
    expires_on = (await quote_row(container, quote_id)).expires_on
    assert expires_on == date(2026, 12, 26)  # 30 days after TODAY

    assert (await jobs_on(container, date(2026, 12, 27))).expired == 1
    assert (await quote_row(container, quote_id)).status == QuoteStatus.EXPIRED
    after = await sub(container)
    assert (after.open_quote_id, after.end_date) == (None, before.end_date)
    # free again: a new co-term quote is accepted
    assert await co_term(container, "SUB-1") != quote_id


async def test_a_subscription_ending_today_can_still_be_co_termed(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=0)]))
    quote_id = await co_term(container, "SUB-1", align_to=date(2027, 1, 31))
    ((line),) = await rows(container, m.QuoteLine, m.QuoteLine.quote_id == quote_id)
    assert (line.start_date, line.end_date) == (date(2026, 11, 27), date(2027, 1, 31))


async def test_the_buyer_is_emailed_a_co_term_quote_with_its_dates_and_amount(container):
    await seed(container, document([subscription("SUB-1", ends_in_days=35)]))  # ends 2026-12-31
    quote_id = await co_term(container, "SUB-1")
    await drain(container)
    number = (await quote_row(container, quote_id)).number
    (email,) = await rows(container, m.Email, m.Email.quote_id == quote_id)
    assert email.to_address == "buyer@acme.example"
    assert email.subject == f"Your co-term quote {number} (total EUR 2,589.04)"
    assert "SUB-1 AutoCAD: 5 seats, ANNUAL, 2027-01-01 to 2027-03-31: EUR 2,589.04" in email.body


async def test_the_checkout_page_shows_a_co_term_quote_and_its_outcome(client, container):
    await seed(container, document([subscription("SUB-1", ends_in_days=35)]))
    quote_id = await co_term(container, "SUB-1")
    await drain(container)
    number = (await quote_row(container, quote_id)).number
    (email,) = await rows(container, m.Email, m.Email.quote_id == quote_id)
    link = re.search(r"token=([^\s]+)", email.body).group(1)

    shown = await client.get("/checkout", params={"token": link})
    assert f"<h1>Co-term quote {number}</h1>" in shown.text
    assert "2027-01-01 – 2027-03-31" in shown.text and "EUR 2,589.04" in shown.text
    accepted = await client.post("/checkout", data={"token": link})
    done = await client.get(accepted.headers["location"])
    assert "end dates move to the aligned date" in done.text
    assert "renew for one more term" not in done.text
