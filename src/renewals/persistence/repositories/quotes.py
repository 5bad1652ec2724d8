"""Quotes and their lines, promotions, recipients and status history."""

import typing
from datetime import date
from typing import Any

from sqlalchemy import (
    Table,
    Text,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import make_transient_to_detached

from renewals.domain.enums import OPEN_STATUSES, QuoteStatus
from renewals.persistence import models as m
from renewals.persistence.repositories.base import Repository

Q = m.Quote
H, L, E = m.QuoteStatusChange, m.QuoteLine, m.WebhookEndpoint
QT = typing.cast(Table, Q.__table__)
LT = typing.cast(Table, L.__table__)
UNSET = ("address", "checkout_nonce", "failure_reason", "revision_of_id", "revised_by_id")


# Hot statements are built once: SQLAlchemy then reuses their cache keys and compiled forms
# (building and keying a statement costs more CPU than running it).
GET = select(Q).where(Q.id == bindparam("quote_id"))
GET_LOCKED = GET.with_for_update()
NEXT_ID = {
    True: select((func.coalesce(func.max(Q.id), 0) + 1).label("nid")).subquery(),
    False: select(
        func.nextval(func.pg_get_serial_sequence("quotes", "id")).label("nid")
    ).subquery(),
}
LISTENERS = {
    # How many active webhook endpoints may hear of a quote: sales' and its reseller's.
    reseller: select(func.count(E.id))
    .where(
        E.active.is_(True),
        or_(E.partner_id.is_(None), E.partner_id == bindparam("reseller_id"))
        if reseller
        else E.partner_id.is_(None),
    )
    .scalar_subquery()
    .label("listeners")
    for reseller in (True, False)
}
_built: dict[Any, Any] = {}


def _numbered_insert(is_sqlite: bool, columns: tuple[str, ...]) -> Any:
    key = ("numbered", is_sqlite, columns)
    if key not in _built:
        t, new_id = QT, NEXT_ID[is_sqlite]
        digits: Any
        if is_sqlite:
            digits = func.printf("%06d", new_id.c.nid)
        else:
            text = cast(new_id.c.nid, Text)
            digits = case((new_id.c.nid < 1_000_000, func.lpad(text, 6, "0")), else_=text)
        number = bindparam("number_prefix", type_=t.c.number.type) + digits
        values = (bindparam(c, type_=t.c[c].type) for c in columns)
        _built[key] = (
            insert(t)
            .from_select(["id", "number", *columns], select(new_id.c.nid, number, *values))
            .returning(t.c.id, t.c.number)
        )
    return _built[key]


def _history_insert(columns: tuple[str, ...], reseller: bool) -> Any:
    key = ("history", columns, reseller)
    if key not in _built:
        values = {c: bindparam(c, type_=H.__table__.c[c].type) for c in columns}
        _built[key] = insert(H).values(values).returning(H.id, LISTENERS[reseller])
    return _built[key]


def _move(columns: tuple[str, ...]) -> Any:
    key = ("move", columns)
    if key not in _built:
        t = QT
        _built[key] = (
            update(t)
            .where(t.c.id == bindparam("b_id"), t.c.status == bindparam("b_current"))
            .values({c: bindparam(c, type_=t.c[c].type) for c in columns})
        )
    return _built[key]


def _insert(table: Any) -> Any:
    key = ("insert", table)
    if key not in _built:
        _built[key] = insert(table)
    return _built[key]


def _lines_for_sending() -> Any:
    c, s, p = m.Customer, m.Subscription, m.Partner
    return (
        select(
            L.id,
            L.subscription_id,
            L.seats,
            L.term,
            L.start_date,
            L.end_date,
            L.unit_price,
            L.subtotal,
            L.discount,
            L.total,
            s.number.label("subscription_number"),
            s.product,
            c.name.label("customer_name"),
            c.csn.label("customer_csn"),
            c.address_line1,
            c.address_line2,
            c.city,
            c.postal_code,
            c.country,
            p.csn.label("reseller_csn"),
        )
        .join(s, s.id == L.subscription_id)
        .join(c, c.id == bindparam("customer_id"))
        .outerjoin(p, p.id == bindparam("reseller_id"))
        .where(L.quote_id == bindparam("quote_id"))
        .order_by(L.position)
    )


LINES_FOR_SENDING = _lines_for_sending()
REPRICE_LINES = (
    update(LT)
    .where(LT.c.id == bindparam("b_id"))
    .values(
        unit_price=bindparam("unit_price"),
        subtotal=bindparam("subtotal"),
        discount=bindparam("discount"),
        total=bindparam("total"),
    )
)
DROP_PROMOTIONS = delete(m.QuotePromotion).where(m.QuotePromotion.quote_id == bindparam("quote_id"))


class QuoteRepository(Repository):
    async def get(self, quote_id: int | None, *, for_update: bool = False) -> m.Quote | None:
        if quote_id is None:
            return None
        stmt = GET_LOCKED if for_update and not self.is_sqlite else GET
        result = await self.session.execute(stmt, {"quote_id": quote_id})
        return result.scalar_one_or_none()

    async def add(self, quote: m.Quote) -> m.Quote:
        """Inserts the quote (its id is known afterwards)."""
        self.session.add(quote)
        await self.session.flush()
        return quote

    async def insert_numbered(self, values: dict[str, Any], prefix: str) -> m.Quote:
        """Inserts the quote numbered `prefix` + its id (six digits at least) in one statement:
        the id is taken in it (SQLite: the next rowid, under the write lock BEGIN IMMEDIATE
        holds, as SQLite would pick it; PostgreSQL: the sequence). The quote is returned as a
        persistent object of the session, as if loaded."""
        stmt = _numbered_insert(self.is_sqlite, tuple(values))
        params = {**values, "number_prefix": prefix}
        row = (await self.session.execute(stmt, params)).one()
        quote = Q(id=row.id, number=row.number, **values, **dict.fromkeys(UNSET))
        make_transient_to_detached(quote)
        self.session.add(quote)
        return quote

    async def insert_rows(self, model: Any, rows: list[dict[str, Any]]) -> None:
        """Lines, promotions or recipients of a quote, all in one statement (none: nothing)."""
        if rows:
            await self.session.execute(_insert(model.__table__), rows)

    async def record_history(
        self, values: dict[str, Any], reseller_id: int | None
    ) -> tuple[int, int]:
        """Writes a history row; its id and, read by the same statement, how many active
        webhook endpoints may hear of it (sales' and the reseller's), so that a change nobody
        listens to costs no further statement."""
        stmt = _history_insert(tuple(values), reseller_id is not None)
        params = values if reseller_id is None else {**values, "reseller_id": reseller_id}
        row = (await self.session.execute(stmt, params)).one()
        return row.id, row.listeners

    async def lines_for_sending(
        self, quote_id: int, customer_id: int, reseller_id: int | None
    ) -> list[Any]:
        """A quote's lines in order, each with its subscription's number and product, the
        customer's name, CSN and address and the reseller's CSN (one statement)."""
        params = {"quote_id": quote_id, "customer_id": customer_id, "reseller_id": reseller_id}
        return list((await self.session.execute(LINES_FOR_SENDING, params)).all())

    async def reprice_lines(self, rows: list[dict[str, Any]]) -> None:
        """New prices of lines by id (`b_id`, unit_price, subtotal, discount, total)."""
        if rows:
            await self.session.execute(REPRICE_LINES, rows)

    def add_parts(self, *parts: Any) -> None:
        """Lines, promotions, recipients of a quote (written at the next flush or commit)."""
        self.session.add_all(parts)

    async def move(
        self,
        quote: m.Quote,
        current: QuoteStatus,
        target: QuoteStatus,
        reason: str | None,
        values: dict[str, Any] | None = None,
    ) -> bool:
        """Guarded: moves the quote only if it is still `current`, writing `values` with it (in
        the same statement); False if someone moved it first."""
        failure = reason if target == QuoteStatus.FAILED else None
        values = {"status": target, "failure_reason": failure, **(values or {})}
        stmt = _move(tuple(values)).execution_options(synchronize_session=False)
        params = {**values, "b_id": quote.id, "b_current": current}
        result = await self.session.execute(stmt, params)
        changed = typing.cast("CursorResult[Any]", result).rowcount
        return changed == 1

    async def add_history(self, change: m.QuoteStatusChange) -> m.QuoteStatusChange:
        self.session.add(change)
        await self.session.flush()
        return change

    async def lines(self, quote_id: int) -> list[m.QuoteLine]:
        stmt = select(m.QuoteLine).where(m.QuoteLine.quote_id == quote_id)
        return list((await self.session.execute(stmt.order_by(m.QuoteLine.position))).scalars())

    async def recipients(self, quote_id: int) -> list[m.QuoteRecipient]:
        stmt = select(m.QuoteRecipient).where(m.QuoteRecipient.quote_id == quote_id)
        return list((await self.session.execute(stmt.order_by(m.QuoteRecipient.id))).scalars())

    async def drop_promotions(self, quote_id: int) -> None:
        await self.session.execute(DROP_PROMOTIONS, {"quote_id": quote_id})

    async def keep_auto_renew_choice(self, quote_id: int, subscription_id: int) -> None:
        """An explicit setAutoRenew replaces what the open quote would have restored (R02)."""
        line = m.QuoteLine
        await self.update(
            update(line)
            .where(line.quote_id == quote_id, line.subscription_id == subscription_id)
            .values(auto_renew_switched_off=False)
        )

    async def expired(self, today: date, after: int) -> list[m.Quote]:
        """Open quotes past their expiry date, a locked batch."""
        return await self.batch_after(Q, after, Q.status.in_(OPEN_STATUSES), Q.expires_on < today)

    async def drop_parts(self, quote_id: int) -> None:
        """A draft's lines, promotions and recipients, before they are written anew."""
        for part in (m.QuoteLine, m.QuotePromotion, m.QuoteRecipient):
            await self.session.execute(delete(part).where(part.quote_id == quote_id))

    async def delete_draft(self, quote_id: int) -> bool:
        """Deletes a DRAFT and everything of it (it claimed nothing, was never sent)."""
        await self.drop_parts(quote_id)
        await self.session.execute(
            delete(m.QuoteStatusChange).where(m.QuoteStatusChange.quote_id == quote_id)
        )
        result = await self.session.execute(
            delete(Q).where(Q.id == quote_id, Q.status == QuoteStatus.DRAFT)
        )
        return bool(getattr(result, "rowcount", 0))

    async def stale_drafts(self, today: date, after: int) -> list[m.Quote]:
        """DRAFTs past their provisional expiry, a locked batch (the jobs remove them)."""
        return await self.batch_after(Q, after, Q.status == QuoteStatus.DRAFT, Q.expires_on < today)
