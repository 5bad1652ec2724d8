"""The read side's SQL: batch fetches for the DataLoaders and keyset-paginated lists.

Every function takes an AsyncConnection and returns records; none writes.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from renewals.domain.eligibility import ELIGIBLE_OFFERINGS
from renewals.domain.enums import ContactRole, QuoteStatus, Term
from renewals.domain.lifecycle import EXPIRING_STATUSES, QUOTE_VALIDITY_DAYS
from renewals.domain.values import PriceKey, Promotion
from renewals.domain.visibility import Visibility
from renewals.domain.windows import WINDOW_CLOSES_DAYS_AFTER, WINDOW_OPENS_DAYS_BEFORE
from renewals.persistence import models as m
from renewals.persistence.records import (
    ContactRecord,
    CustomerRecord,
    OrderLineRecord,
    OrderRecord,
    OrderStatusChangeRecord,
    PartnerRecord,
    QuoteLineRecord,
    QuotePromotionRecord,
    QuoteRecord,
    RecipientRecord,
    StatusChangeRecord,
    SubscriptionRecord,
)

R = TypeVar("R")
subs_t, cust_t, part_t = m.Subscription.__table__, m.Customer.__table__, m.Partner.__table__
quotes_t = m.Quote.__table__
orders_t, order_lines_t = m.Order.__table__, m.OrderLine.__table__
contacts_t = m.Contact.__table__

SUBSCRIPTION_COLUMNS = (
    subs_t.c.id,
    subs_t.c.number,
    cust_t.c.csn.label("customer_csn"),
    part_t.c.csn.label("reseller_csn"),
    subs_t.c.product,
    subs_t.c.offering_type,
    subs_t.c.term,
    subs_t.c.seats,
    subs_t.c.currency,
    subs_t.c.payment_method,
    subs_t.c.start_date,
    subs_t.c.end_date,
    subs_t.c.auto_renew,
    subs_t.c.customer_id,
    subs_t.c.reseller_id,
    subs_t.c.open_quote_id,
    quotes_t.c.status.label("open_quote_status"),
    quotes_t.c.expires_on.label("open_quote_expires_on"),
)
QUOTE_COLUMNS = tuple(quotes_t.c[name] for name in QuoteRecord.__dataclass_fields__)
assert [c.name for c in SUBSCRIPTION_COLUMNS] == list(SubscriptionRecord.__dataclass_fields__)


def subscription_select() -> Select[Any]:
    """Subscriptions with their customer's and reseller's CSN and the status and expiry of the
    quote that claimed them (whether the claim still holds depends on the business date)."""
    return select(*SUBSCRIPTION_COLUMNS).select_from(
        subs_t.join(cust_t, cust_t.c.id == subs_t.c.customer_id)
        .outerjoin(part_t, part_t.c.id == subs_t.c.reseller_id)
        .outerjoin(quotes_t, quotes_t.c.id == subs_t.c.open_quote_id)
    )


def _records(rows: Any, cls: type[R]) -> list[R]:
    """Positional: every select here lists its columns in the record's field order (checked below)."""
    return [cls(*row) for row in rows]


def _by_id(records: Sequence[Any], keys: Sequence[int]) -> list[Any]:
    found = {r.id: r for r in records}
    return [found.get(k) for k in keys]


def _grouped(records: Sequence[Any], attribute: str, keys: Sequence[int]) -> list[list[Any]]:
    groups: dict[int, list[Any]] = defaultdict(list)
    for r in records:
        groups[getattr(r, attribute)].append(r)
    return [groups.get(k, []) for k in keys]


async def subscriptions_by_id(conn: AsyncConnection, ids: Sequence[int]) -> list[Any]:
    rows = await conn.execute(subscription_select().where(subs_t.c.id.in_(ids)))
    return _by_id(_records(rows, SubscriptionRecord), ids)


async def customers_by_id(conn: AsyncConnection, ids: Sequence[int]) -> list[Any]:
    cols = [cust_t.c[n] for n in CustomerRecord.__dataclass_fields__]
    rows = await conn.execute(select(*cols).where(cust_t.c.id.in_(ids)))
    return _by_id(_records(rows, CustomerRecord), ids)


async def partners_by_id(conn: AsyncConnection, ids: Sequence[int]) -> list[Any]:
    rows = await conn.execute(
        select(part_t.c.id, part_t.c.csn, part_t.c.name).where(part_t.c.id.in_(ids))
    )
    return _by_id(_records(rows, PartnerRecord), ids)


async def ids_by_csn(conn: AsyncConnection, table: Any, csns: Sequence[str]) -> list[int | None]:
    rows = await conn.execute(select(table.c.csn, table.c.id).where(table.c.csn.in_(csns)))
    found: dict[str, int] = {csn: pk for csn, pk in rows.all()}
    return [found.get(c) for c in csns]


async def contacts_by_customer(conn: AsyncConnection, ids: Sequence[int]) -> list[list[Any]]:
    t = m.Contact.__table__
    cols = [t.c[n] for n in ContactRecord.__dataclass_fields__]
    rows = await conn.execute(select(*cols).where(t.c.customer_id.in_(ids)).order_by(t.c.id))
    return _grouped(_records(rows, ContactRecord), "customer_id", ids)


async def quotes_by_id(conn: AsyncConnection, ids: Sequence[int]) -> list[Any]:
    rows = await conn.execute(select(*QUOTE_COLUMNS).where(quotes_t.c.id.in_(ids)))
    return _by_id(_records(rows, QuoteRecord), ids)


async def quote_ids_by_number(conn: AsyncConnection, numbers: Sequence[str]) -> list[int | None]:
    rows = await conn.execute(
        select(quotes_t.c.number, quotes_t.c.id).where(quotes_t.c.number.in_(numbers))
    )
    found = dict(rows.all())
    return [found.get(n) for n in numbers]


async def _children(
    conn: AsyncConnection, model: Any, cls: Any, ids: Sequence[int], order: str
) -> list[list[Any]]:
    t = model.__table__
    cols = [t.c[n] for n in cls.__dataclass_fields__]
    rows = await conn.execute(select(*cols).where(t.c.quote_id.in_(ids)).order_by(t.c[order]))
    return _grouped(_records(rows, cls), "quote_id", ids)


async def lines_by_quote(conn: AsyncConnection, ids: Sequence[int]) -> list[list[Any]]:
    return await _children(conn, m.QuoteLine, QuoteLineRecord, ids, "position")


async def promotions_by_quote(conn: AsyncConnection, ids: Sequence[int]) -> list[list[Any]]:
    return await _children(conn, m.QuotePromotion, QuotePromotionRecord, ids, "id")


async def recipients_by_quote(conn: AsyncConnection, ids: Sequence[int]) -> list[list[Any]]:
    return await _children(conn, m.QuoteRecipient, RecipientRecord, ids, "id")


async def history_by_quote(conn: AsyncConnection, ids: Sequence[int]) -> list[list[Any]]:
    return await _children(conn, m.QuoteStatusChange, StatusChangeRecord, ids, "id")


ORDER_COLUMNS = tuple(orders_t.c[name] for name in OrderRecord.__dataclass_fields__)


async def orders_by_quote(conn: AsyncConnection, ids: Sequence[int]) -> list[Any]:
    rows = await conn.execute(select(*ORDER_COLUMNS).where(orders_t.c.quote_id.in_(ids)))
    found = {r.quote_id: r for r in _records(rows, OrderRecord)}
    return [found.get(k) for k in ids]


async def orders_by_id(conn: AsyncConnection, ids: Sequence[int]) -> list[Any]:
    rows = await conn.execute(select(*ORDER_COLUMNS).where(orders_t.c.id.in_(ids)))
    return _by_id(_records(rows, OrderRecord), ids)


async def order_ids_by_subscription(conn: AsyncConnection, ids: Sequence[int]) -> list[list[int]]:
    """Each subscription's orders, newest first (by id: orders are numbered as they are made)."""
    stmt = (
        select(order_lines_t.c.subscription_id, order_lines_t.c.order_id)
        .where(order_lines_t.c.subscription_id.in_(ids))
        .distinct()
        .order_by(order_lines_t.c.order_id.desc())
    )
    groups: dict[int, list[int]] = defaultdict(list)
    for subscription_id, order_id in await conn.execute(stmt):
        groups[subscription_id].append(order_id)
    return [groups.get(k, []) for k in ids]


async def _order_children(
    conn: AsyncConnection, model: Any, cls: Any, ids: Sequence[int], order: str
) -> list[list[Any]]:
    t = model.__table__
    cols = [t.c[n] for n in cls.__dataclass_fields__]
    rows = await conn.execute(select(*cols).where(t.c.order_id.in_(ids)).order_by(t.c[order]))
    return _grouped(_records(rows, cls), "order_id", ids)


async def lines_by_order(conn: AsyncConnection, ids: Sequence[int]) -> list[list[Any]]:
    return await _order_children(conn, m.OrderLine, OrderLineRecord, ids, "position")


async def history_by_order(conn: AsyncConnection, ids: Sequence[int]) -> list[list[Any]]:
    return await _order_children(conn, m.OrderStatusChange, OrderStatusChangeRecord, ids, "id")


@dataclass(frozen=True)
class OrderQuery:
    customer_id: int | None = None
    subscription_id: int | None = None


def _order_filters(stmt: Select[Any], q: OrderQuery) -> Select[Any]:
    if q.customer_id is not None:
        stmt = stmt.where(orders_t.c.customer_id == q.customer_id)
    if q.subscription_id is not None:
        stmt = stmt.where(
            orders_t.c.id.in_(
                select(order_lines_t.c.order_id).where(
                    order_lines_t.c.subscription_id == q.subscription_id
                )
            )
        )
    return stmt


async def order_page(
    conn: AsyncConnection, vis: Visibility, q: OrderQuery, after_id: int | None, limit: int
) -> list[OrderRecord]:
    """Newest first; keyset on id."""
    stmt = _order_filters(_visible(select(*ORDER_COLUMNS), orders_t, vis), q)
    if after_id is not None:
        stmt = stmt.where(orders_t.c.id < after_id)
    rows = await conn.execute(stmt.order_by(orders_t.c.id.desc()).limit(limit))
    return _records(rows, OrderRecord)


async def order_count(conn: AsyncConnection, vis: Visibility, q: OrderQuery) -> int:
    stmt = _order_filters(_visible(select(func.count()).select_from(orders_t), orders_t, vis), q)
    return (await conn.execute(stmt)).scalar_one()


async def price_book(conn: AsyncConnection, products: Iterable[str]) -> dict[PriceKey, Decimal]:
    """Every price of these products (all terms and currencies): the one price lookup."""
    t = m.Price.__table__
    rows = await conn.execute(
        select(t.c.product, t.c.term, t.c.currency, t.c.unit_price).where(
            t.c.product.in_(set(products))
        )
    )
    return {PriceKey(r.product, r.term, r.currency): r.unit_price for r in rows}


async def prices_by_key(conn: AsyncConnection, keys: Sequence[PriceKey]) -> list[Decimal | None]:
    book = await price_book(conn, (k.product for k in keys))
    return [book.get(k) for k in keys]


def promotion_of(r: Any) -> Promotion:
    """A promotions row (or a row with its columns) as the domain's Promotion."""
    return Promotion(
        r.code,
        r.description,
        r.percent_off,
        frozenset(r.products),
        frozenset(r.terms),
        r.valid_from,
        r.valid_to,
    )


async def promotions_on(conn: AsyncConnection, days: Sequence[date]) -> list[list[Promotion]]:
    t = m.Promotion.__table__
    rows = (await conn.execute(select(t).where(t.c.valid_to >= min(days)))).all()
    promos = [promotion_of(r) for r in rows]
    return [[p for p in promos if p.valid_from <= d <= p.valid_to] for d in days]


@dataclass(frozen=True)
class SubscriptionQuery:
    customer_id: int | None = None
    reseller_id: int | None = None
    renewable_on: date | None = None
    not_renewable_on: date | None = None
    end_date_from: date | None = None
    end_date_to: date | None = None
    numbers: tuple[str, ...] | None = None
    auto_renew: bool | None = None


def _visible(stmt: Select[Any], table: Any, vis: Visibility) -> Select[Any]:
    if vis.nothing:
        return stmt.where(false())
    if vis.customer_id is not None:
        stmt = stmt.where(table.c.customer_id == vis.customer_id)
    if vis.reseller_id is not None:
        stmt = stmt.where(table.c.reseller_id == vis.reseller_id)
    return stmt


def _subscription_filters(stmt: Select[Any], q: SubscriptionQuery) -> Select[Any]:
    if q.customer_id is not None:
        stmt = stmt.where(subs_t.c.customer_id == q.customer_id)
    if q.reseller_id is not None:
        stmt = stmt.where(subs_t.c.reseller_id == q.reseller_id)
    if q.renewable_on is not None:
        stmt = stmt.where(
            subs_t.c.end_date.between(
                q.renewable_on - timedelta(days=WINDOW_CLOSES_DAYS_AFTER),
                q.renewable_on + timedelta(days=WINDOW_OPENS_DAYS_BEFORE),
            )
        )
    if q.not_renewable_on is not None:
        stmt = stmt.where(
            or_(
                subs_t.c.end_date < q.not_renewable_on - timedelta(days=WINDOW_CLOSES_DAYS_AFTER),
                subs_t.c.end_date > q.not_renewable_on + timedelta(days=WINDOW_OPENS_DAYS_BEFORE),
            )
        )
    if q.end_date_from is not None:
        stmt = stmt.where(subs_t.c.end_date >= q.end_date_from)
    if q.end_date_to is not None:
        stmt = stmt.where(subs_t.c.end_date <= q.end_date_to)
    if q.numbers is not None:
        stmt = stmt.where(subs_t.c.number.in_(q.numbers))
    if q.auto_renew is not None:
        stmt = stmt.where(subs_t.c.auto_renew == q.auto_renew)
    return stmt


async def subscription_page(
    conn: AsyncConnection, vis: Visibility, q: SubscriptionQuery, after_id: int | None, limit: int
) -> list[SubscriptionRecord]:
    """Keyset pagination on id: stays correct when rows are added before or after the cursor."""
    stmt = _subscription_filters(_visible(subscription_select(), subs_t, vis), q)
    if after_id is not None:
        stmt = stmt.where(subs_t.c.id > after_id)
    rows = await conn.execute(stmt.order_by(subs_t.c.id).limit(limit))
    return _records(rows, SubscriptionRecord)


async def subscription_count(conn: AsyncConnection, vis: Visibility, q: SubscriptionQuery) -> int:
    stmt = _subscription_filters(_visible(select(func.count()).select_from(subs_t), subs_t, vis), q)
    return (await conn.execute(stmt)).scalar_one()


async def sees_any_subscription(
    conn: AsyncConnection, vis: Visibility, *, customer_id: int | None, reseller_id: int | None
) -> bool:
    """Whether a visible subscription links this customer and/or reseller (the visibility of a
    Customer or Partner node: a partner sees its customers, a buyer its resellers)."""
    stmt = _visible(select(subs_t.c.id), subs_t, vis)
    if customer_id is not None:
        stmt = stmt.where(subs_t.c.customer_id == customer_id)
    if reseller_id is not None:
        stmt = stmt.where(subs_t.c.reseller_id == reseller_id)
    return (await conn.execute(stmt.limit(1))).first() is not None


@dataclass(frozen=True)
class QuoteQuery:
    customer_id: int | None = None
    statuses: tuple[QuoteStatus, ...] | None = None  # effective statuses on `today`
    today: date | None = None  # None: the statuses as written


def effective_status_in(statuses: Iterable[QuoteStatus], today: date) -> Any:
    """SQL for `domain/lifecycle.effective_status(status, expires_on, today) in statuses`: an
    expiring (open) quote past `expires_on` is EXPIRED, whatever the expiry job has written yet.
    Plain comparisons on (status, expires_on), so ix_quotes_status_expires still serves it."""
    wanted = set(statuses)
    status, expires_on = quotes_t.c.status, quotes_t.c.expires_on
    conditions: list[Any] = []
    if steady := wanted - EXPIRING_STATUSES:
        conditions.append(status.in_(steady))
    if still_open := wanted & EXPIRING_STATUSES:
        conditions.append(status.in_(still_open) & (expires_on >= today))
    if QuoteStatus.EXPIRED in wanted:
        conditions.append(status.in_(EXPIRING_STATUSES) & (expires_on < today))
    return or_(false(), *conditions)


def _quote_filters(stmt: Select[Any], q: QuoteQuery) -> Select[Any]:
    if q.customer_id is not None:
        stmt = stmt.where(quotes_t.c.customer_id == q.customer_id)
    if q.statuses and q.today is not None:
        stmt = stmt.where(effective_status_in(q.statuses, q.today))
    elif q.statuses:
        stmt = stmt.where(quotes_t.c.status.in_(q.statuses))
    return stmt


async def quote_page(
    conn: AsyncConnection, vis: Visibility, q: QuoteQuery, after_id: int | None, limit: int
) -> list[QuoteRecord]:
    """Newest first; keyset on id."""
    stmt = _quote_filters(_visible(select(*QUOTE_COLUMNS), quotes_t, vis), q)
    if after_id is not None:
        stmt = stmt.where(quotes_t.c.id < after_id)
    rows = await conn.execute(stmt.order_by(quotes_t.c.id.desc()).limit(limit))
    return _records(rows, QuoteRecord)


async def quote_count(conn: AsyncConnection, vis: Visibility, q: QuoteQuery) -> int:
    stmt = _quote_filters(_visible(select(func.count()).select_from(quotes_t), quotes_t, vis), q)
    return (await conn.execute(stmt)).scalar_one()


async def renewable_subscriptions(
    conn: AsyncConnection, vis: Visibility, customer_id: int | None, today: date
) -> list[SubscriptionRecord]:
    """Candidates for eligibleRenewalGroups: visible, window open today (R01) by index range."""
    q = SubscriptionQuery(customer_id=customer_id, renewable_on=today)
    rows = await conn.execute(
        _subscription_filters(_visible(subscription_select(), subs_t, vis), q)
    )
    return _records(rows, SubscriptionRecord)


def has_buyer(customer_id: Any) -> Any:
    """Whether the customer has a BUYER contact, someone to send a quote to (R12, R13)."""
    return (
        select(contacts_t.c.id)
        .where(contacts_t.c.customer_id == customer_id, contacts_t.c.role == ContactRole.BUYER)
        .exists()
    )


async def customers_without_buyer(conn: AsyncConnection) -> list[tuple[str, str]]:
    """(CSN, name) of every customer without a BUYER contact, by CSN."""
    stmt = select(cust_t.c.csn, cust_t.c.name).where(~has_buyer(cust_t.c.id)).order_by(cust_t.c.csn)
    return [(csn, name) for csn, name in await conn.execute(stmt)]


async def automatic_quote_candidates(
    conn: AsyncConnection, today: date, after: int, limit: int
) -> list[Any]:
    """R12's SQL pre-filter (id, term, end date, auto-renew, has a BUYER contact); the domain
    decides which are due."""
    stmt = (
        select(
            subs_t.c.id,
            subs_t.c.term,
            subs_t.c.end_date,
            subs_t.c.auto_renew,
            has_buyer(subs_t.c.customer_id).label("has_buyer"),
        )
        .where(
            subs_t.c.term != Term.MONTHLY,
            subs_t.c.offering_type.in_(ELIGIBLE_OFFERINGS),
            subs_t.c.open_quote_id.is_(None),
            subs_t.c.auto_renew.is_(False),
            subs_t.c.end_date <= today + timedelta(days=QUOTE_VALIDITY_DAYS),
            subs_t.c.end_date >= today - timedelta(days=WINDOW_CLOSES_DAYS_AFTER),
            (subs_t.c.auto_quoted_end_date.is_(None))
            | (subs_t.c.auto_quoted_end_date != subs_t.c.end_date),
            subs_t.c.id > after,
        )
        .order_by(subs_t.c.id)
        .limit(limit)
    )
    return list((await conn.execute(stmt)).all())


async def email_backlog(conn: AsyncConnection) -> tuple[int, datetime | None]:
    """How many emails are not sent yet (PENDING, SENDING) and when the oldest was written
    (one statement, on the outbox's status index)."""
    emails = m.Email.__table__
    stmt = select(func.count(), func.min(emails.c.created_at)).where(
        emails.c.status.in_([m.EmailStatus.PENDING, m.EmailStatus.SENDING])
    )
    count, oldest = (await conn.execute(stmt)).one()
    return count, oldest
