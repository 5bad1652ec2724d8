"""R12 automatic quotes and their finalization, set-based: the same rows as one quote at a
time, and a bad item in a set fails alone."""

import asyncio
import json
import logging
import re
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, select

from renewals.container import build_container
from renewals.domain.enums import QuoteOrigin, QuoteStatus
from renewals.domain.quotes import Recipient
from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.persistence.repositories.batches import BatchRepository
from renewals.persistence.statements import count_statements
from renewals.persistence.uow import UnitOfWork
from renewals.services import finalize_batch, jobs, worker
from renewals.services.coterm import CreateCoTermCommand, create_co_term_quote
from renewals.services.jobs import run_jobs
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from renewals.services.worker import run_due_jobs
from tests.dbs import Template
from tests.factories import PRICES, TODAY, customer, document, subscription
from tests.helpers import seed
from tests.services.lifecycle.helpers import (
    SALES,
    count,
    drain_queue,
    make_quote,
    rows,
    sub_pk,
)

DAY = TODAY + timedelta(days=10)  # 30 days before the end of the subscriptions ending in 40
TABLES = (
    m.Quote,
    m.QuoteLine,
    m.QuotePromotion,
    m.QuoteRecipient,
    m.QuoteStatusChange,
    m.OutboxJob,
    m.Email,
    m.WebhookDelivery,
    m.Subscription,
)
RANDOM = {"uid", "checkout_nonce", "traceparent"}  # new each time, by design


def mixed_document() -> dict:
    """Customers with one and two buyers and none, resellers, promotions, refusals."""
    two_buyers = customer("5100000002", "Beta GmbH", "b1@beta.example")
    two_buyers["contacts"].append({"email": "B2@beta.example", "name": "Bo", "role": "BUYER"})
    no_buyer = customer("5100000003", "Gamma AG")
    no_buyer["contacts"] = [c for c in no_buyer["contacts"] if c["role"] != "BUYER"]
    subs = [
        subscription("SUB-1", ends_in_days=40),
        subscription("SUB-2", ends_in_days=35, term="THREE_YEAR", seats=7),  # RENEW3Y
        subscription(
            "SUB-3", ends_in_days=40, customer_csn="5100000002", reseller_csn="P000000001"
        ),
        subscription("SUB-4", ends_in_days=38, customer_csn="5100000002", product="Revit"),
        subscription("SUB-5", ends_in_days=40, customer_csn="5100000003"),  # no buyer
        subscription("SUB-6", ends_in_days=40, currency="GBP"),  # no price: refused
        subscription("SUB-7", ends_in_days=40, reseller_csn="P000000002", currency="USD"),
        subscription("SUB-8", ends_in_days=40, auto_renew=True),  # renews by itself
    ]
    return document(subs, [customer(), two_buyers, no_buyer])


async def add_endpoints(container) -> None:
    """Sales' endpoint for every event, a partner's for quoted quotes, an inactive one."""
    now = datetime(2026, 11, 1)
    async with UnitOfWork(container.db) as uow:
        partner = await uow.session.scalar(
            select(m.Partner.id).where(m.Partner.csn == "P000000001")
        )
        for owner, events, active in (
            (None, ["*"], True),
            (partner, ["quote.quoted"], True),
            (None, ["*"], False),
        ):
            uow.add(
                m.WebhookEndpoint(
                    partner_id=owner,
                    url="https://hooks.example/x",
                    events=events,
                    active=active,
                    secret="whsec_x",
                    created_at=now,
                    updated_at=now,
                )
            )
        await uow.commit()


async def snapshot(container) -> dict[str, list[dict]]:
    """Every row the jobs write, without what is new each time (times, uids, nonces, tokens)."""
    found: dict[str, list[dict]] = {}
    async with container.db.read_engine.connect() as conn:
        for model in TABLES:
            t = model.__table__
            table_rows = (await conn.execute(select(t).order_by(t.c.id))).mappings().all()
            found[t.name] = [normal(dict(r)) for r in table_rows]
    return found


def normal(row: dict) -> dict:
    row = {k: v for k, v in row.items() if k not in RANDOM and not isinstance(v, datetime)}
    if isinstance(row.get("body"), str):
        body = re.sub(r"token=[\w.-]+", "token=T", row["body"])
        if body.startswith("{"):  # a webhook's JSON: its id and times are new each time
            event = json.loads(body)
            event.pop("id"), event.pop("created"), event["data"].pop("occurredAt")
            body = json.dumps(event, sort_keys=True)
        row["body"] = body
    return row


async def run_day(container) -> tuple[jobs.JobReport, int]:
    container.clock.fixed_today = DAY
    report = await run_jobs(container)
    return report, await run_due_jobs(container)


async def test_set_based_jobs_write_the_same_rows_as_one_quote_at_a_time(
    container, monkeypatch, tmp_path: Path, caplog
):
    (tmp_path / "one-by-one").mkdir()
    name = f"one_by_one_{uuid.uuid4().hex[:8]}"
    other_db = await asyncio.to_thread(Template, tmp_path / "one-by-one", name)
    one_by_one = build_container(
        container.settings.model_copy(update={"database_url": other_db.url})
    )
    try:
        for c in (container, one_by_one):
            await seed(c, mixed_document())
            await add_endpoints(c)
        caplog.set_level(logging.INFO)
        # Given the set-based path here...
        async with container.bus.listen() as queue:
            with count_statements(container.db) as statements:
                report, finalized = await run_day(container)
            events = drain_queue(queue)
        assert "one by one" not in caplog.text  # no set fell back to the per-item path
        # ...and the per-item path there.
        monkeypatch.setattr(jobs, "_automatic_quotes", jobs._one_by_one)
        monkeypatch.setattr(worker, "BATCH_HANDLERS", {})
        async with one_by_one.bus.listen() as queue:
            with count_statements(one_by_one.db) as reference_statements:
                reference, reference_finalized = await run_day(one_by_one)
            reference_events = drain_queue(queue)

        assert (report.quoted, report.skipped, report.no_buyer) == (5, 1, 1)
        assert (reference.quoted, reference.skipped, reference.no_buyer) == (5, 1, 1)
        assert finalized == reference_finalized == 5
        set_based, per_item = await snapshot(container), await snapshot(one_by_one)
        assert set_based == per_item
        quotes = set_based["quotes"]
        assert {q["status"] for q in quotes} == {QuoteStatus.QUOTED}
        assert sorted(q["origin"] for q in quotes) == [QuoteOrigin.AUTOMATIC] * 5
        assert len(set_based["webhook_deliveries"]) == 11  # 5 + 5 sales, 1 partner (SUB-3)
        assert len(set_based["emails"]) == 7  # Acme: 3 quotes, 1 buyer; Beta: 2 quotes, 2 buyers
        assert len(set_based["quote_promotions"]) == 1

        def shape(e):
            return (e.quote_id, e.status, e.previous_status, e.customer_id, e.reseller_id)

        assert sorted(map(shape, events)) == sorted(map(shape, reference_events))
        assert len(events) == 10
        # A constant number of statements per set instead of ~11 to create and ~10 to finalize
        # each quote: here about a third for five quotes (the other daily jobs included).
        assert statements.total * 2 < reference_statements.total
    finally:
        await one_by_one.close()
        await asyncio.to_thread(other_db.drop)


async def made_through_the_api(container) -> None:
    """A co-term quote, a two-line sales quote with an extra recipient and a three-year quote
    with a promotion; then the annual price rises, so finalization reprices some lines."""
    subs = [
        subscription("SUB-1", ends_in_days=35),
        subscription("SUB-2", ends_in_days=50),
        subscription("SUB-3", ends_in_days=55),
        subscription("SUB-4", ends_in_days=60, term="THREE_YEAR"),
    ]
    await seed(container, document(subs))
    ids = [await sub_pk(container, f"SUB-{i}") for i in (1, 2, 3, 4)]
    await create_co_term_quote(
        container, SALES, Visibility(), CreateCoTermCommand([ids[0]], align_to=date(2027, 3, 31))
    )
    extra = [Recipient("cfo@acme.example", "Cy")]
    await create_renewal_quote(
        container, SALES, Visibility(), CreateQuoteCommand(ids[1:3], recipients=extra)
    )
    await create_renewal_quote(container, SALES, Visibility(), CreateQuoteCommand([ids[3]]))
    dearer = [dict(p, unitPrice="2200.00") if p["term"] == "ANNUAL" else p for p in PRICES]
    await seed(container, document(subs, prices=dearer))


async def test_finalizing_a_set_writes_the_same_rows_as_one_job_at_a_time(
    container, monkeypatch, tmp_path: Path, caplog
):
    (tmp_path / "one-by-one").mkdir()
    name = f"one_by_one_{uuid.uuid4().hex[:8]}"
    other_db = await asyncio.to_thread(Template, tmp_path / "one-by-one", name)
    one_by_one = build_container(
        container.settings.model_copy(update={"database_url": other_db.url})
    )
    try:
        caplog.set_level(logging.INFO)
        for c in (container, one_by_one):
            await made_through_the_api(c)
            await add_endpoints(c)
        assert await run_due_jobs(container) == 3
        assert "one by one" not in caplog.text
        monkeypatch.setattr(worker, "BATCH_HANDLERS", {})
        assert await run_due_jobs(one_by_one) == 3

        set_based, per_item = await snapshot(container), await snapshot(one_by_one)
        assert set_based == per_item
        assert {q["status"] for q in set_based["quotes"]} == {QuoteStatus.QUOTED}
        repriced = [ln for ln in set_based["quote_lines"] if ln["unit_price"] == Decimal("2200.00")]
        assert len(repriced) == 3  # the co-term line and the two annual lines
        assert len(set_based["emails"]) == 4  # the buyer of each quote, and the extra recipient
    finally:
        await one_by_one.close()
        await asyncio.to_thread(other_db.drop)


async def test_a_subscription_claimed_meanwhile_is_refused_alone(container, monkeypatch):
    await seed(container, document([subscription(f"SUB-{i}", ends_in_days=40) for i in (1, 2, 3)]))
    real = jobs.reads.automatic_quote_candidates
    manual: list[int] = []

    async def claim_sub_2_after_reading(*args, **kwargs):
        found = await real(*args, **kwargs)
        if not manual:  # a buyer's quote claims SUB-2 between the read and the write
            manual.append(await make_quote(container, "SUB-2"))
        return found

    monkeypatch.setattr(jobs.reads, "automatic_quote_candidates", claim_sub_2_after_reading)
    container.clock.fixed_today = DAY
    report = await run_jobs(container)

    assert (report.quoted, report.skipped) == (2, 1)
    claimed = {s.number: s.open_quote_id for s in await rows(container, m.Subscription)}
    assert claimed["SUB-2"] == manual[0]
    automatic = await rows(container, m.Quote, m.Quote.origin == QuoteOrigin.AUTOMATIC)
    assert {claimed["SUB-1"], claimed["SUB-3"]} == {q.id for q in automatic}
    assert await count(container, m.OutboxJob) == 3


async def test_a_set_lost_at_its_claim_is_written_one_by_one(container, monkeypatch):
    await seed(container, document([subscription(f"SUB-{i}", ends_in_days=40) for i in (1, 2, 3)]))

    async def lost(self, claims):
        return False  # another quote took a subscription between read and claim

    monkeypatch.setattr(BatchRepository, "put_on_quotes", lost)
    container.clock.fixed_today = DAY
    async with container.bus.listen() as queue:
        report = await run_jobs(container)
        events = drain_queue(queue)

    assert (report.quoted, report.skipped) == (3, 0)
    made = await rows(container, m.Quote)
    assert len(made) == 3  # the set's writes were undone: nothing twice
    assert await count(container, m.QuoteStatusChange) == 3
    assert await count(container, m.QuoteLine) == 3
    assert sorted(e.quote_id for e in events) == sorted(q.id for q in made)


async def test_an_unpriceable_quote_fails_alone_in_a_finalize_set(container):
    subs = [subscription("SUB-1"), subscription("SUB-2", product="Revit"), subscription("SUB-3")]
    await seed(container, document(subs))
    ids = [await make_quote(container, f"SUB-{i}") for i in (1, 2, 3)]
    async with container.db.write_engine.begin() as conn:  # Revit's price is withdrawn
        await conn.execute(delete(m.Price.__table__).where(m.Price.product == "Revit"))

    async with container.bus.listen() as queue:
        assert await run_due_jobs(container) == 3
        events = drain_queue(queue)

    status = {q.id: q.status for q in await rows(container, m.Quote)}
    assert status == {
        ids[0]: QuoteStatus.QUOTED,
        ids[1]: QuoteStatus.FAILED,
        ids[2]: QuoteStatus.QUOTED,
    }
    assert sorted((e.quote_id, e.status) for e in events) == sorted(status.items())
    assert {e.quote_id for e in await rows(container, m.Email)} == {ids[0], ids[2]}
    jobs_ = {j.quote_id: (j.status, j.attempts) for j in await rows(container, m.OutboxJob)}
    assert jobs_ == {ids[0]: ("DONE", 1), ids[1]: ("FAILED", 1), ids[2]: ("DONE", 1)}
    (failed,) = await rows(container, m.OutboxJob, m.OutboxJob.quote_id == ids[1])
    assert "PRICE_UNAVAILABLE" in failed.last_error or "No price for Revit" in failed.last_error


async def test_a_finalize_set_that_fails_as_a_whole_runs_one_by_one(container, monkeypatch):
    await seed(container, document([subscription(f"SUB-{i}") for i in (1, 2, 3)]))
    ids = [await make_quote(container, f"SUB-{i}") for i in (1, 2, 3)]
    real = finalize_batch.record_statuses

    async def then_fail(*args, **kwargs):
        await real(*args, **kwargs)  # history, webhooks, events written, then the set fails
        raise RuntimeError("disk full")

    monkeypatch.setattr(finalize_batch, "record_statuses", then_fail)
    async with container.bus.listen() as queue:
        assert await run_due_jobs(container) == 3
        events = drain_queue(queue)

    assert {q.status for q in await rows(container, m.Quote)} == {QuoteStatus.QUOTED}
    assert sorted(e.quote_id for e in events) == ids  # each published once, by the single path
    quoted = await rows(
        container, m.QuoteStatusChange, m.QuoteStatusChange.status == QuoteStatus.QUOTED
    )
    assert sorted(h.quote_id for h in quoted) == ids
    assert await count(container, m.Email) == 3
    assert {(j.status, j.attempts) for j in await rows(container, m.OutboxJob)} == {("DONE", 1)}
    assert await sub_pk(container, "SUB-1")
