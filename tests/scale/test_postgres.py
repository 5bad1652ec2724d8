"""Several processes on one PostgreSQL database: events, accepts, jobs and the listener."""

import asyncio

import asyncpg
import httpx
from sqlalchemy import func, select

from renewals.config import Settings
from renewals.container import build_container
from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.services import worker
from renewals.services.jobs import run_scheduled_jobs
from renewals.services.pg_listener import asyncpg_dsn
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from tests.factories import SECRET, TODAY, document, subscription
from tests.helpers import seed, token
from tests.scale.servers import post, serve, watch

BUYER, SALES = token(), token("sales", None)
GROUPS = "{ eligibleRenewalGroups { subscriptions { id } } }"
CREATE = """mutation($ids: [ID!]!) { createRenewalQuote(input: {subscriptionIds: $ids}) {
  quote { id number } userErrors { code } } }"""
ACCEPT = """mutation($id: ID!) { acceptQuote(input: {quoteId: $id}) {
  quote { status } order { number } userErrors { code } } }"""
QUOTE = "query($n: String!) { quote(number: $n) { status } }"
LIFECYCLE = [
    (None, "FINALIZING"),
    ("FINALIZING", "QUOTED"),
    ("QUOTED", "ORDER_SUBMITTED"),
    ("ORDER_SUBMITTED", "ORDERED"),
]


async def wait_for_status(base: str, number: str, status: str) -> None:
    for _ in range(150):
        body = await post(base, QUOTE, {"n": number}, auth=SALES)
        if body["data"]["quote"]["status"] == status:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{number} never became {status}")


async def create_quote(base: str) -> tuple[str, str]:
    groups = (await post(base, GROUPS, auth=BUYER))["data"]["eligibleRenewalGroups"]
    ids = [groups[0]["subscriptions"][0]["id"]]
    quote = (await post(base, CREATE, {"ids": ids}, auth=BUYER))["data"]["createRenewalQuote"][
        "quote"
    ]
    return quote["id"], quote["number"]


async def seeded(database_url: str, count: int = 3) -> Settings:
    settings = Settings(database_url=database_url, secret_key=SECRET, today=TODAY)
    container = build_container(settings)
    try:
        await seed(
            container,
            document([subscription(f"SUB-{i}", ends_in_days=40 + i) for i in range(count)]),
        )
    finally:
        await container.close()
    return settings


async def test_a_subscriber_on_one_server_sees_each_change_made_through_the_other_once(
    database_url,
):
    await seeded(database_url)
    with serve(database_url) as a, serve(database_url) as b:
        async with watch(a, SALES) as watcher:
            quote_id, number = await create_quote(b)
            await wait_for_status(b, number, "QUOTED")
            accepted = await post(b, ACCEPT, {"id": quote_id}, auth=BUYER)
            assert accepted["data"]["acceptQuote"]["userErrors"] == []
            events = await watcher.collect_until(4)
            await watcher.quiet_for(1.0)
    assert events == [(number, previous, status) for previous, status in LIFECYCLE]


async def test_twenty_concurrent_accepts_over_two_servers_make_one_order(database_url):
    await seeded(database_url)
    with serve(database_url) as a, serve(database_url) as b:
        quote_id, number = await create_quote(a)
        await wait_for_status(a, number, "QUOTED")
        results = await asyncio.gather(
            *(post((a, b)[i % 2], ACCEPT, {"id": quote_id}, auth=BUYER) for i in range(20))
        )
    codes = sorted(
        tuple(e["code"] for e in r["data"]["acceptQuote"]["userErrors"]) for r in results
    )
    assert codes == [()] + [("QUOTE_NOT_OPEN",)] * 19
    settings = Settings(database_url=database_url, secret_key=SECRET, today=TODAY)
    container = build_container(settings)
    try:
        async with container.db.read_engine.connect() as conn:
            assert (await conn.execute(select(func.count()).select_from(m.Order))).scalar_one() == 1
    finally:
        await container.close()


async def test_two_job_workers_drain_a_thousand_jobs_each_exactly_once(database_url, monkeypatch):
    settings = Settings(database_url=database_url, secret_key=SECRET, today=TODAY)
    first, second = build_container(settings), build_container(settings)
    ran: list[tuple[str, int]] = []
    current: dict[int, str] = {}

    async def probe(uow, container, quote):
        await asyncio.sleep(0)  # let the other worker interleave
        ran.append((current[id(container)], 1))

    monkeypatch.setitem(worker.HANDLERS, "probe", probe)
    current[id(first)], current[id(second)] = "first", "second"
    try:
        now = first.clock.now()
        async with first.db.write_engine.begin() as conn:
            await conn.execute(
                m.OutboxJob.__table__.insert(),
                [
                    {
                        "kind": "probe",
                        "quote_id": None,
                        "status": "PENDING",
                        "attempts": 0,
                        "run_after": now,
                        "created_at": now,
                    }
                ]
                * 1000,
            )

        async def drain(container):
            while await worker.run_one_job(container):
                pass

        await asyncio.gather(drain(first), drain(second))
        async with first.db.read_engine.connect() as conn:
            jobs = (await conn.execute(select(m.OutboxJob.status, m.OutboxJob.attempts))).all()
    finally:
        await first.close()
        await second.close()
    assert len(ran) == 1000
    assert sorted(set(jobs)) == [("DONE", 1)] and len(jobs) == 1000
    assert {who for who, _ in ran} == {"first", "second"}


async def test_scheduled_jobs_run_once_per_business_date_however_many_servers(database_url):
    await seeded(database_url)
    settings = Settings(database_url=database_url, secret_key=SECRET, today=TODAY)
    containers = [build_container(settings) for _ in range(3)]
    try:
        reports = await asyncio.gather(
            *(run_scheduled_jobs(c, f"server-{i}") for i, c in enumerate(containers))
        )
    finally:
        for c in containers:
            await c.close()
    assert sum(r is not None for r in reports) == 1


async def terminate_listeners(database_url: str) -> int:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'renewals-listener' AND datname = current_database()"
        )
        return len(rows)
    finally:
        await conn.close()


async def test_events_still_arrive_after_the_listener_connection_is_killed(database_url):
    """Quotes made by another process during and after the outage reach the subscriber once each."""
    settings = await seeded(database_url, count=3)
    writer = build_container(settings)  # another process's writes: only NOTIFY can bring them
    try:
        async with writer.db.read_engine.connect() as conn:
            ids = (
                (await conn.execute(select(m.Subscription.id).order_by(m.Subscription.id)))
                .scalars()
                .all()
            )
        with serve(database_url, RENEWALS_WORKER_INTERVAL_SECONDS="3600") as a:
            async with watch(a, SALES) as watcher:
                await create_renewal_quote(writer, None, Visibility(), CreateQuoteCommand([ids[0]]))
                await watcher.collect_until(1)
                assert await terminate_listeners(database_url) == 1
                await create_renewal_quote(writer, None, Visibility(), CreateQuoteCommand([ids[1]]))
                await watcher.collect_until(2)  # re-synced after the reconnect
                await create_renewal_quote(writer, None, Visibility(), CreateQuoteCommand([ids[2]]))
                events = await watcher.collect_until(3)
                await watcher.quiet_for(1.0)
            async with httpx.AsyncClient() as client:
                health = (await client.get(f"{a}/healthz")).json()
    finally:
        await writer.close()
    assert sorted(number for number, _, _ in events) == [
        f"Q-{TODAY.year}-{i:06d}" for i in (1, 2, 3)
    ]
    assert {(previous, status) for _, previous, status in events} == {(None, "FINALIZING")}
    assert health.get("listener") == "listening", health


async def test_serve_with_two_workers_on_postgresql_answers(database_url):
    await seeded(database_url)
    with serve(database_url, "--workers", "2") as base:
        bodies = await asyncio.gather(*(post(base, GROUPS, auth=BUYER) for _ in range(10)))
        async with httpx.AsyncClient() as client:
            health = (await client.get(f"{base}/healthz")).json()
    assert all(len(b["data"]["eligibleRenewalGroups"]) == 1 for b in bodies)
    assert health == {
        "status": "ok",
        "database": "ok",
        "listener": "listening",
        "mail": {"unsent": 0, "oldest_unsent_age_seconds": None},
    }
