"""The R12 job and the worker write in batches: one transaction for many quotes or jobs, yet a
refused or failing one is undone alone, and every committed change is published once."""

from datetime import timedelta

from renewals.container import build_container
from renewals.domain.enums import ErrorCode, QuoteOrigin, QuoteStatus
from renewals.domain.errors import DomainError
from renewals.persistence import models as m
from renewals.persistence.repositories.batches import BatchRepository
from renewals.services import quotes, worker
from renewals.services.jobs import run_jobs
from renewals.services.worker import run_due_jobs
from tests.factories import TODAY, document, subscription
from tests.helpers import seed
from tests.services.lifecycle.helpers import count, drain_queue, make_quote, rows


async def lost_claim(self, claims):
    return False


async def test_a_refused_automatic_quote_is_undone_alone_and_the_batch_commits(
    container, monkeypatch
):
    due = [subscription(f"SUB-{i}", ends_in_days=40) for i in range(1, 4)]
    await seed(container, document(due))
    real_settle, calls = quotes.settle, 0

    async def refuse_the_second(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 2:  # after its quote, lines, claim and history row were written
            raise DomainError.one(ErrorCode.ALREADY_ON_OPEN_QUOTE, "taken meanwhile")
        await real_settle(*args, **kwargs)

    monkeypatch.setattr(quotes, "settle", refuse_the_second)
    # The set loses its claim as a whole, so the quotes are written one by one, where the
    # second is refused (test_jobs_set_based.py covers the set-based path's own refusals).
    monkeypatch.setattr(BatchRepository, "put_on_quotes", lost_claim)
    container.clock.fixed_today = TODAY + timedelta(days=10)  # end - 30
    async with container.bus.listen() as queue:
        report = await run_jobs(container)
        events = drain_queue(queue)

    assert (report.quoted, report.skipped) == (2, 1)
    made = await rows(container, m.Quote)
    assert len(made) == 2
    assert {q.origin for q in made} == {QuoteOrigin.AUTOMATIC}
    assert await count(container, m.QuoteStatusChange) == 2
    assert await count(container, m.OutboxJob) == 2
    assert sorted((e.quote_id, e.status) for e in events) == sorted(
        (q.id, QuoteStatus.FINALIZING) for q in made
    )
    claimed = {s.number: s.open_quote_id for s in await rows(container, m.Subscription)}
    assert claimed["SUB-2"] is None  # the refused one claimed nothing
    assert {claimed["SUB-1"], claimed["SUB-3"]} == {q.id for q in made}


async def test_a_failing_job_in_a_batch_fails_alone_and_the_others_are_quoted(
    container, monkeypatch
):
    await seed(container, document([subscription(f"SUB-{i}") for i in range(1, 4)]))
    ids = [await make_quote(container, f"SUB-{i}") for i in range(1, 4)]
    real = worker.HANDLERS["finalize_quote"]

    async def fail_the_second(uow, c, quote):
        await real(uow, c, quote)  # writes its status, history and emails, then fails
        if quote.id == ids[1]:
            raise worker.PermanentJobError("cannot be priced")

    monkeypatch.setitem(worker.HANDLERS, "finalize_quote", fail_the_second)
    monkeypatch.setattr(worker, "BATCH_HANDLERS", {})  # the one-by-one path (a set's fallback)
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
    jobs = {j.quote_id: (j.status, j.attempts) for j in await rows(container, m.OutboxJob)}
    assert jobs == {ids[0]: ("DONE", 1), ids[1]: ("FAILED", 1), ids[2]: ("DONE", 1)}
    history = await rows(container, m.QuoteStatusChange, m.QuoteStatusChange.quote_id == ids[1])
    assert [h.status for h in history] == [QuoteStatus.FINALIZING, QuoteStatus.FAILED]


async def test_concurrent_claimers_run_each_job_once(settings):
    container = build_container(
        settings.model_copy(update={"worker_concurrency": 3, "worker_batch_size": 2})
    )
    try:
        await seed(container, document([subscription(f"SUB-{i}") for i in range(1, 8)]))
        ids = [await make_quote(container, f"SUB-{i}") for i in range(1, 8)]
        assert await run_due_jobs(container) == 7
        assert await run_due_jobs(container) == 0
        quoted = await rows(
            container, m.QuoteStatusChange, m.QuoteStatusChange.status == QuoteStatus.QUOTED
        )
        assert sorted(h.quote_id for h in quoted) == sorted(ids)
        jobs = await rows(container, m.OutboxJob)
        assert {(j.status, j.attempts) for j in jobs} == {("DONE", 1)}
        assert await count(container, m.Email) == 7
    finally:
        await container.close()
