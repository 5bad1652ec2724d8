"""Migrations are the only way the schema is made: they match the models, and 0003 gives the
orders that existed before it an origin, a status, lines and a history from their quotes."""

import uuid
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from renewals.persistence.db import create_database
from renewals.persistence.migrate import upgrade
from renewals.persistence.models import Base
from renewals.services.importer import import_document
from tests.dbs import ON_POSTGRES, _admin, _pg_url, run_async
from tests.factories import document, subscription


@pytest.fixture
def empty_url(tmp_path):
    if ON_POSTGRES:
        name = f"rt_mig_{uuid.uuid4().hex[:12]}"
        _admin(f'CREATE DATABASE "{name}"')
        yield _pg_url(name)
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}"


def sync_url(url: str) -> str:
    return url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")


def test_the_migrations_make_exactly_the_models(empty_url):
    upgrade(empty_url)

    async def diff() -> list:
        db = create_database(empty_url)
        try:
            async with db.read_engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
                )
        finally:
            await db.dispose()

    assert run_async(diff) == []


def test_0003_fills_the_orders_made_before_it_from_their_quotes(empty_url):
    upgrade(empty_url, "0002")
    doc = document([subscription("SUB-1", seats=4)])

    async def seed() -> None:
        db = create_database(empty_url)
        try:
            await import_document(db, doc)
            async with db.write_engine.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO quotes (id, number, type, origin, status, customer_id, "
                        "reseller_id, currency, payment_method, subtotal, discount_total, total, "
                        "created_on, expires_on, created_at, created_by) VALUES (7, 'Q-2026-000007', "
                        "'RENEWAL', 'SALES', 'ORDERED', 1, NULL, 'EUR', 'INVOICE', '8400.00', "
                        "'0.00', '8400.00', '2026-11-01', '2026-12-01', '2026-11-01 10:00:00', "
                        "'sales')"
                    )
                )
                await conn.execute(
                    text(
                        "INSERT INTO quote_lines (quote_id, subscription_id, position, seats, term, "
                        "start_date, end_date, unit_price, subtotal, discount, total, "
                        "auto_renew_switched_off) VALUES (7, 1, 0, 4, 'ANNUAL', '2027-01-25', "
                        "'2028-01-24', '2100.00', '8400.00', '0.00', '8400.00', false)"
                    )
                )
                await conn.execute(
                    text(
                        "INSERT INTO orders (number, quote_id, total, currency, payment_reference, "
                        "created_at) VALUES ('O-2026-000007', 7, '8400.00', 'EUR', 'SIM-1', "
                        "'2026-11-02 09:00:00')"
                    )
                )
        finally:
            await db.dispose()

    run_async(seed)
    upgrade(empty_url)

    async def read() -> tuple:
        db = create_database(empty_url)
        try:
            async with db.read_engine.connect() as conn:
                order = (await conn.execute(text("SELECT * FROM orders"))).mappings().one()
                lines = (await conn.execute(text("SELECT * FROM order_lines"))).mappings().all()
                history = (
                    (await conn.execute(text("SELECT * FROM order_status_history")))
                    .mappings()
                    .all()
                )
                return dict(order), [dict(r) for r in lines], [dict(r) for r in history]
        finally:
            await db.dispose()

    order, lines, history = run_async(read)
    assert (order["origin"], order["status"], order["customer_id"], order["declines"]) == (
        "QUOTE",
        "COMPLETED",
        1,
        0,
    )
    assert order["payment_method"] == "INVOICE"
    assert Decimal(str(order["subtotal"])) == Decimal("8400.00")
    ((line),) = lines
    assert (line["order_id"], line["subscription_id"], line["seats"]) == (order["id"], 1, 4)
    assert [(h["status"], h["actor"]) for h in history] == [("COMPLETED", "migration 0003")]
