"""The quote lifecycle below GraphQL: concurrency, crash recovery, retries, events, checkout page."""

import asyncio
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from renewals.api.core.ids import to_global_id
from renewals.auth import Viewer
from renewals.container import build_container
from renewals.domain.enums import ErrorCode, QuoteOrigin, QuoteStatus, Role
from renewals.domain.errors import DomainError
from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.services import orders, quotes, worker
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from renewals.services.worker import drain, run_one_job
from tests.factories import document, subscription
from tests.helpers import gql, seed, token

SALES = Viewer(Role.SALES, subject="sales-team")
BUYER = Viewer(Role.BUYER, customer_csn="5100000001", subject="buyer-5100000001")
ACCEPT = """mutation($input: AcceptQuoteInput!) { acceptQuote(input: $input) {
  quote { status } order { number } userErrors { code } } }"""


async def sub_pk(container, number: str) -> int:
    async with container.db.read_engine.connect() as conn:
        return (
            await conn.execute(select(m.Subscription.id).where(m.Subscription.number == number))
        ).scalar_one()


async def make_quote(container, *numbers: str) -> int:
    ids = [await sub_pk(container, n) for n in numbers or ("SUB-1",)]
    return await create_renewal_quote(container, SALES, Visibility(), CreateQuoteCommand(ids))


async def quote_row(container, quote_id: int):
    async with container.db.read_engine.connect() as conn:
        return (await conn.execute(select(m.Quote.__table__).where(m.Quote.id == quote_id))).one()


async def rows(container, model, *where):
    async with container.db.read_engine.connect() as conn:
        return (await conn.execute(select(model.__table__).where(*where))).all()


async def count(container, model, *where) -> int:
    async with container.db.read_engine.connect() as conn:
        return (
            await conn.execute(select(func.count()).select_from(model).where(*where))
        ).scalar_one()


def drain_queue(queue: asyncio.Queue) -> list:
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


# --- concurrency --------------------------------------------------------------------------------


async def test_twenty_concurrent_accepts_make_exactly_one_order(container):
    await seed(container, document([subscription("SUB-1")]))
    quote_id = await make_quote(container)
    await drain(container)

    results = await asyncio.gather(
        *(
            orders.accept_quote(
                container, SALES, Visibility(), orders.AcceptCommand(quote_id, quote_id_given=True)
            )
            for _ in range(20)
        ),
        return_exceptions=True,
    )
    winners = [r for r in results if r == quote_id]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1
    assert len(losers) == 19
    assert all(e.codes == [ErrorCode.QUOTE_NOT_OPEN] for e in losers)
    assert await count(container, m.Order) == 1
    assert (
        await count(
            container,
            m.QuoteStatusChange,
            m.QuoteStatusChange.status == QuoteStatus.ORDER_SUBMITTED,
        )
        == 1
    )
    assert await count(container, m.OutboxJob, m.OutboxJob.kind == "fulfil_order") == 1


async def test_twenty_concurrent_accepts_over_graphql(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote_id = await make_quote(container)
    await drain(container)
    gid = to_global_id("Quote", quote_id)
    bodies = await asyncio.gather(
        *(gql(client, ACCEPT, {"input": {"quoteId": gid}}, auth=token()) for _ in range(20))
    )
    payloads = [b["data"]["acceptQuote"] for b in bodies]
    ok = [p for p in payloads if not p["userErrors"]]
    assert len(ok) == 1
    assert ok[0]["quote"]["status"] == "ORDER_SUBMITTED"
    assert (
        sorted(p["userErrors"][0]["code"] for p in payloads if p["userErrors"])
        == ["QUOTE_NOT_OPEN"] * 19
    )
    assert await count(container, m.Order) == 1


async def test_concurrent_quotes_for_one_subscription_make_one(container):
    await seed(container, document([subscription("SUB-1")]))
    pk = await sub_pk(container, "SUB-1")
    results = await asyncio.gather(
        *(
            create_renewal_quote(container, SALES, Visibility(), CreateQuoteCommand([pk]))
            for _ in range(10)
        ),
        return_exceptions=True,
    )
    assert len([r for r in results if isinstance(r, int)]) == 1
    assert all(
        r.codes == [ErrorCode.ALREADY_ON_OPEN_QUOTE] for r in results if not isinstance(r, int)
    )
    assert await count(container, m.Quote) == 1


async def test_concurrent_creates_with_one_idempotency_key_make_one_quote(container):
    await seed(container, document([subscription("SUB-1")]))
    pk = await sub_pk(container, "SUB-1")
    command = CreateQuoteCommand([pk], idempotency_key="retry-me")
    async with container.db.read_engine.connect() as conn:
        customer_id = (await conn.execute(select(m.Customer.id))).scalar_one()
    results = await asyncio.gather(
        *(
            create_renewal_quote(container, BUYER, Visibility(customer_id=customer_id), command)
            for _ in range(8)
        ),
        return_exceptions=True,
    )
    assert len(set(results)) == 1 and isinstance(results[0], int), results
    assert await count(container, m.Quote) == 1
    assert await count(container, m.IdempotencyKey) == 1


# --- crash recovery and retries -----------------------------------------------------------------


async def test_a_job_left_by_a_crash_is_run_by_the_next_process(settings):
    first = build_container(settings)
    try:
        await seed(first, document([subscription("SUB-1"), subscription("SUB-2")]))
        quote_id = await make_quote(first, "SUB-1", "SUB-2")
        (job,) = await rows(first, m.OutboxJob)
        assert (job.kind, job.status, job.quote_id) == ("finalize_quote", "PENDING", quote_id)
    finally:
        await first.close()  # "crash": nobody drained

    second = build_container(settings)
    try:
        assert (await quote_row(second, quote_id)).status == QuoteStatus.FINALIZING
        assert await drain(second) == 1
        quote = await quote_row(second, quote_id)
        assert quote.status == QuoteStatus.QUOTED
        assert quote.checkout_nonce
        emails = await rows(second, m.Email, m.Email.quote_id == quote_id)
        assert [e.to_address for e in emails] == ["buyer@acme.example"]
        assert quote.number in emails[0].body
        (job,) = await rows(second, m.OutboxJob)
        assert (job.status, job.attempts) == ("DONE", 1)
        assert await drain(second) == 0
    finally:
        await second.close()


async def test_transient_failure_is_retried_with_backoff(container, monkeypatch):
    await seed(container, document([subscription("SUB-1")]))
    quote_id = await make_quote(container)
    real = worker.HANDLERS["finalize_quote"]
    calls = 0

    async def flaky(uow, c, quote):
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise ConnectionError("price service unreachable")
        await real(uow, c, quote)

    monkeypatch.setitem(worker.HANDLERS, "finalize_quote", flaky)
    assert await run_one_job(container) is True
    (job,) = await rows(container, m.OutboxJob)
    assert (job.status, job.attempts) == ("PENDING", 1)
    assert "ConnectionError" in job.last_error
    assert job.run_after > container.clock.now() + timedelta(seconds=1)
    assert (await quote_row(container, quote_id)).status == QuoteStatus.FINALIZING
    assert await count(container, m.Email) == 0  # the failed attempt left nothing behind
    # Not due yet: the worker does not spin on it.
    assert await run_one_job(container) is False

    async def make_due():
        async with container.db.write_engine.begin() as conn:
            await conn.execute(update(m.OutboxJob).values(run_after=datetime(2000, 1, 1)))

    await make_due()
    await run_one_job(container)
    (job,) = await rows(container, m.OutboxJob)
    assert (job.status, job.attempts) == ("PENDING", 2)
    first_backoff = job.run_after
    assert first_backoff > container.clock.now() + timedelta(seconds=3)  # grows: 2s, 4s, ...
    await make_due()
    await drain(container)
    (job,) = await rows(container, m.OutboxJob)
    assert (job.status, job.attempts) == ("DONE", 3)
    assert (await quote_row(container, quote_id)).status == QuoteStatus.QUOTED


async def test_permanent_failure_moves_the_quote_to_failed(container):
    await seed(container, document([subscription("SUB-1", auto_renew=True)]))
    pk = await sub_pk(container, "SUB-1")
    quote_id = await create_renewal_quote(
        container,
        SALES,
        Visibility(),
        CreateQuoteCommand([pk], disable_auto_renew=True),
    )
    # Prices are withdrawn between the request and finalization.
    async with container.db.write_engine.begin() as conn:
        await conn.execute(delete(m.Price).where(m.Price.product == "AutoCAD"))
    await drain(container)
    quote = await quote_row(container, quote_id)
    assert quote.status == QuoteStatus.FAILED
    assert "No price for AutoCAD" in quote.failure_reason
    (job,) = await rows(container, m.OutboxJob)
    assert (job.status, job.attempts) == ("FAILED", 1)
    history = await rows(container, m.QuoteStatusChange, m.QuoteStatusChange.quote_id == quote_id)
    assert [(h.status, h.reason is not None) for h in history] == [
        (QuoteStatus.FINALIZING, False),
        (QuoteStatus.FAILED, True),
    ]
    (sub,) = await rows(container, m.Subscription)
    assert sub.open_quote_id is None
    assert await count(container, m.Email) == 0


async def test_a_job_failing_every_time_gives_up(container, monkeypatch):
    await seed(container, document([subscription("SUB-1")]))
    quote_id = await make_quote(container)

    async def broken(uow, c, quote):
        raise ConnectionError("down")

    monkeypatch.setitem(worker.HANDLERS, "finalize_quote", broken)
    for _ in range(worker.MAX_ATTEMPTS):
        async with container.db.write_engine.begin() as conn:
            await conn.execute(update(m.OutboxJob).values(run_after=datetime(2000, 1, 1)))
        await run_one_job(container)
    (job,) = await rows(container, m.OutboxJob)
    assert (job.status, job.attempts) == ("FAILED", worker.MAX_ATTEMPTS)
    assert (await quote_row(container, quote_id)).status == QuoteStatus.FAILED


# --- events -------------------------------------------------------------------------------------


async def test_one_event_per_transition_published_after_commit(container, monkeypatch):
    await seed(container, document([subscription("SUB-1")]))
    published = []
    real_publish = container.bus.publish

    async def checking_publish(events):
        # Every event is visible to other connections when it is published: it was committed.
        for event in events:
            history = await rows(
                container, m.QuoteStatusChange, m.QuoteStatusChange.id == event.history_id
            )
            quote = await quote_row(container, event.quote_id)
            published.append((event.status, len(history), quote.status))
        await real_publish(events)

    monkeypatch.setattr(container.bus, "publish", checking_publish)
    async with container.bus.listen() as queue:
        quote_id = await make_quote(container)
        created = drain_queue(queue)
        assert [(e.status, e.previous_status) for e in created] == [(QuoteStatus.FINALIZING, None)]
        await drain(container)
        assert [(e.status, e.previous_status) for e in drain_queue(queue)] == [
            (QuoteStatus.QUOTED, QuoteStatus.FINALIZING)
        ]
        await orders.accept_quote(
            container,
            BUYER,
            Visibility(customer_id=created[0].customer_id),
            orders.AcceptCommand(quote_id, quote_id_given=True),
        )
        assert [e.status for e in drain_queue(queue)] == [QuoteStatus.ORDER_SUBMITTED]
        # A refused second accept publishes nothing.
        with pytest.raises(DomainError):
            await orders.accept_quote(
                container, SALES, Visibility(), orders.AcceptCommand(quote_id, quote_id_given=True)
            )
        assert drain_queue(queue) == []
        await drain(container)
        events = drain_queue(queue)
        assert [(e.status, e.previous_status) for e in events] == [
            (QuoteStatus.ORDERED, QuoteStatus.ORDER_SUBMITTED)
        ]
        assert events[0].quote_id == quote_id
    assert published == [
        (QuoteStatus.FINALIZING, 1, QuoteStatus.FINALIZING),
        (QuoteStatus.QUOTED, 1, QuoteStatus.QUOTED),
        (QuoteStatus.ORDER_SUBMITTED, 1, QuoteStatus.ORDER_SUBMITTED),
        (QuoteStatus.ORDERED, 1, QuoteStatus.ORDERED),
    ]
    history = await rows(container, m.QuoteStatusChange)
    assert len(history) == 4


async def test_a_rolled_back_change_publishes_nothing(container, monkeypatch):
    await seed(container, document([subscription("SUB-1")]))

    async def fail_late(*args, **kwargs):
        raise RuntimeError("disk full")  # after the FINALIZING history row was flushed

    monkeypatch.setattr(quotes, "settle", fail_late)
    async with container.bus.listen() as queue:
        with pytest.raises(RuntimeError):
            await make_quote(container)
        assert drain_queue(queue) == []
    assert await count(container, m.Quote) == 0
    assert await count(container, m.QuoteStatusChange) == 0
    assert await count(container, m.OutboxJob) == 0
    (sub,) = await rows(container, m.Subscription)
    assert sub.open_quote_id is None


async def test_a_refused_mutation_publishes_nothing(client, container):
    await seed(container, document([subscription("SUB-1", ends_in_days=200)]))
    gid = to_global_id("Subscription", await sub_pk(container, "SUB-1"))
    async with container.bus.listen() as queue:
        body = await gql(
            client,
            "mutation($i: CreateRenewalQuoteInput!) { createRenewalQuote(input: $i) {"
            " userErrors { code } } }",
            {"i": {"subscriptionIds": [gid]}},
            auth=token(),
        )
        assert body["data"]["createRenewalQuote"]["userErrors"] == [
            {"code": "OUTSIDE_RENEWAL_WINDOW"}
        ]
        assert drain_queue(queue) == []


async def test_cancel_and_expiry_each_publish_one_event(container):
    await seed(container, document([subscription("SUB-1"), subscription("SUB-2")]))
    async with container.bus.listen() as queue:
        cancelled = await make_quote(container, "SUB-1")
        expiring = await make_quote(container, "SUB-2")
        await drain(container)
        drain_queue(queue)
        await orders.cancel_quote(container, SALES, Visibility(), cancelled, "no longer needed")
        assert [(e.quote_id, e.status) for e in drain_queue(queue)] == [
            (cancelled, QuoteStatus.CANCELLED)
        ]
        from renewals.services.jobs import expire_quotes

        container.clock.fixed_today = (await quote_row(container, expiring)).expires_on + timedelta(
            days=1
        )
        assert await expire_quotes(container) == 1
        assert [(e.quote_id, e.status) for e in drain_queue(queue)] == [
            (expiring, QuoteStatus.EXPIRED)
        ]
        assert await expire_quotes(container) == 0
        assert drain_queue(queue) == []


# --- checkout page ------------------------------------------------------------------------------


async def email_link(container, quote_id: int) -> str:
    (email,) = await rows(container, m.Email, m.Email.quote_id == quote_id)
    return re.search(r"token=([^\s]+)", email.body).group(1)


async def test_checkout_get_shows_the_quote_and_changes_nothing(client, container):
    await seed(
        container,
        document([subscription("SUB-1"), subscription("SUB-2", product="Revit", seats=2)]),
    )
    quote_id = await make_quote(container, "SUB-1", "SUB-2")
    await drain(container)
    quote = await quote_row(container, quote_id)
    link = await email_link(container, quote_id)
    for _ in range(3):
        response = await client.get("/checkout", params={"token": link})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        assert quote.number in html
        assert "SUB-1" in html and "SUB-2" in html and "Revit" in html
        assert "EUR 14,700.00" in html  # 5 × 2100 + 2 × 2100
        assert quote.expires_on.isoformat() in html
        assert '<form method="post" action="/checkout">' in html
        assert f'name="token" value="{link}"' in html
    assert (await quote_row(container, quote_id)).status == QuoteStatus.QUOTED
    assert await count(container, m.Order) == 0
    assert await count(container, m.OutboxJob, m.OutboxJob.kind == "fulfil_order") == 0


async def test_checkout_post_accepts_once(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote_id = await make_quote(container)
    await drain(container)
    link = await email_link(container, quote_id)
    number = (await quote_row(container, quote_id)).number

    response = await client.post("/checkout", data={"token": link})
    # Post/redirect/get: the result page is a GET, so a refresh never submits again.
    assert response.status_code == 303
    result = response.headers["location"]
    assert result.startswith("/checkout/done?token=")
    page = await client.get(result)
    assert page.status_code == 200
    assert "Thank you" in page.text and number in page.text and "ORDER_SUBMITTED" in page.text
    assert (await quote_row(container, quote_id)).status == QuoteStatus.ORDER_SUBMITTED
    await drain(container)
    assert (await quote_row(container, quote_id)).status == QuoteStatus.ORDERED
    refreshed = await client.get(result)
    assert refreshed.status_code == 200 and "ORDERED" in refreshed.text

    again = await client.post("/checkout", data={"token": link})
    assert again.status_code == 409
    assert "Checkout not possible" in again.text
    used = await client.get("/checkout", params={"token": link})
    assert used.status_code == 409
    assert number in used.text and "ORDERED" in used.text
    assert await count(container, m.Order) == 1


@pytest.mark.parametrize("link", ["garbage", "", "eyJhbGciOiJIUzI1NiJ9.e30.x"])
async def test_checkout_with_an_invalid_token_is_a_clear_page(client, container, link):
    await seed(container, document([subscription("SUB-1")]))
    for response in (
        await client.get("/checkout", params={"token": link}),
        await client.get("/checkout"),
        await client.get("/checkout/done", params={"token": link}),
        await client.post("/checkout", data={"token": link}),
        await client.post("/checkout", content=b"\xff\xfe", headers={"content-type": "x/y"}),
    ):
        assert 400 <= response.status_code < 500, response.status_code
        assert response.headers["content-type"].startswith("text/html")
        assert "Checkout not possible" in response.text
        assert "not valid" in response.text
        assert "Traceback" not in response.text


async def test_checkout_of_an_expired_quote(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote_id = await make_quote(container)
    await drain(container)
    link = await email_link(container, quote_id)
    quote = await quote_row(container, quote_id)
    container.clock.fixed_today = quote.expires_on + timedelta(days=1)
    response = await client.get("/checkout", params={"token": link})
    assert response.status_code == 410
    assert "expired" in response.text and "Traceback" not in response.text
    posted = await client.post("/checkout", data={"token": link})
    assert posted.status_code == 410  # the same answer as the page's GET
    assert "expired" in posted.text
    assert (await quote_row(container, quote_id)).status == QuoteStatus.QUOTED


async def test_automatic_origin_is_kept(container):
    await seed(container, document([subscription("SUB-1")]))
    pk = await sub_pk(container, "SUB-1")
    quote_id = await create_renewal_quote(
        container, None, Visibility(), CreateQuoteCommand([pk]), origin=QuoteOrigin.AUTOMATIC
    )
    assert (await quote_row(container, quote_id)).origin == QuoteOrigin.AUTOMATIC


# --- R10 address snapshot and events from other processes --------------------------------------

QUOTE_ADDRESS = """query($n: String!) { quote(number: $n) { address { line1 city }
  customer { address { line1 city } } } }"""


async def test_r10_a_sent_quote_keeps_its_address_when_the_customer_moves(client, container):
    await seed(container, document([subscription("SUB-1")]))
    quote_id = await make_quote(container)
    await drain(container)
    moved = document([subscription("SUB-1")])
    moved["customers"][0]["address"] = {
        "line1": "Neuer Weg 9",
        "city": "Hamburg",
        "postalCode": "20095",
        "country": "DE",
    }
    await seed(container, moved)

    number = (await quote_row(container, quote_id)).number
    body = await gql(client, QUOTE_ADDRESS, {"n": number}, auth=token("sales", None))

    assert body["data"]["quote"] == {
        "address": {"line1": "Hauptstr. 1", "city": "Berlin"},
        "customer": {"address": {"line1": "Neuer Weg 9", "city": "Hamburg"}},
    }


async def test_changes_committed_by_another_process_reach_this_bus_once(settings, container):
    """`renewals jobs run` beside `serve`: the relay publishes the other process's history rows."""
    from renewals.services.relay import HistoryRelay

    await seed(container, document([subscription("SUB-1")]))
    relay = HistoryRelay(container)
    await relay.poll()  # starts after what already exists
    other = build_container(settings)  # the other process: its own bus
    try:
        ids = [await sub_pk(other, "SUB-1")]
        async with container.bus.listen() as queue:
            quote_id = await create_renewal_quote(
                other, SALES, Visibility(), CreateQuoteCommand(ids)
            )
            await drain(other)
            assert await relay.poll() == 2
            assert await relay.poll() == 0
            events = drain_queue(queue)
    finally:
        await other.close()
    assert [(e.quote_id, e.previous_status, e.status) for e in events] == [
        (quote_id, None, QuoteStatus.FINALIZING),
        (quote_id, QuoteStatus.FINALIZING, QuoteStatus.QUOTED),
    ]


async def test_an_event_published_here_is_not_relayed_again(container):
    from renewals.services.relay import HistoryRelay

    await seed(container, document([subscription("SUB-1")]))
    relay = HistoryRelay(container)
    await relay.poll()
    async with container.bus.listen() as queue:
        await make_quote(container)
        assert await relay.poll() == 1  # found, but the bus already delivered it
        assert len(drain_queue(queue)) == 1


def test_the_access_log_never_shows_a_checkout_token():
    import logging

    from renewals.app import RedactTokens

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/checkout?token=eyJ.secret.sig", "1.1", 200),
        None,
    )
    RedactTokens().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /checkout?token=[redacted] HTTP/1.1" 200'
