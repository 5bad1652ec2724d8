"""Viewers, a quote made through the service, and readers of the rows the lifecycle writes."""

import asyncio

from sqlalchemy import func, select

from renewals.auth import Viewer
from renewals.domain.enums import Role
from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote

SALES = Viewer(Role.SALES, subject="sales-team")
BUYER = Viewer(Role.BUYER, customer_csn="5100000001", subject="buyer-5100000001")


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
