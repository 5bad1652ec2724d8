"""/healthz means it: a database that answers reads but refuses writes (a full disk) is
unavailable, and the mail backlog (unsent emails, the oldest one's age) is reported."""

from datetime import timedelta

from sqlalchemy import insert, text

from renewals.persistence import models as m

# What a full disk does to every write, made on purpose (SQLite and PostgreSQL); undone after,
# since PostgreSQL runs reuse one database.
REFUSE_WRITES = {
    "sqlite": [
        f"CREATE TRIGGER disk_full_{op} BEFORE {op} ON health_checks"
        " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        for op in ("INSERT", "UPDATE")
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$",
        "CREATE TRIGGER disk_full BEFORE INSERT OR UPDATE ON health_checks"
        " FOR EACH ROW EXECUTE FUNCTION disk_full()",
    ],
}
ALLOW_WRITES = {
    "sqlite": ["DROP TRIGGER disk_full_INSERT", "DROP TRIGGER disk_full_UPDATE"],
    "postgresql": ["DROP TRIGGER disk_full ON health_checks", "DROP FUNCTION disk_full()"],
}


async def run_sql(container, statements: dict[str, list[str]]) -> None:
    async with container.db.write_engine.begin() as conn:
        for statement in statements[conn.dialect.name]:
            await conn.execute(text(statement))


async def test_a_database_that_refuses_writes_is_unavailable(client, container):
    await run_sql(container, REFUSE_WRITES)
    try:
        response = await client.get("/healthz")
    finally:
        await run_sql(container, ALLOW_WRITES)
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "not writable"


async def test_healthz_writes_each_time_it_is_asked(client, container):
    async def checked_at():
        async with container.db.read_engine.connect() as conn:
            return (await conn.execute(text("SELECT checked_at FROM health_checks"))).scalar()

    assert await checked_at() is None
    assert (await client.get("/healthz")).json()["database"] == "ok"
    assert await checked_at() is not None


async def test_the_mail_backlog_counts_unsent_emails_and_the_oldest_ones_age(client, container):
    now = container.clock.now()
    async with container.db.write_engine.begin() as conn:
        for status, age in [("PENDING", 90), ("SENDING", 30), ("SENT", 900), ("FAILED", 600)]:
            await conn.execute(
                insert(m.Email).values(
                    to_address="buyer@acme.example",
                    subject="Quote",
                    body="Body",
                    status=status,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now - timedelta(seconds=age),
                )
            )
    mail = (await client.get("/healthz")).json()["mail"]
    assert mail["unsent"] == 2
    assert 90 <= mail["oldest_unsent_age_seconds"] < 150
