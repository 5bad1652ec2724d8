"""Builds a benchmark data set in a fresh, migrated database.

Customers, partners, contacts, prices and promotions go through the importer (validated, small);
subscriptions are bulk Core inserts in chunks; quotes are made by the real services (create,
finalize, accept, cancel, expire, fail) so that every status exists with consistent rows.

Shapes (deterministic for a seed):
- the focus customer (S1's buyer, 5100000001) has `focus_eligible` eligible subscriptions in four
  renewal groups (half of them in group A: EUR, credit card, reseller P000000001), a third as many
  in-window ones that are not eligible (FLEX, SUCCESS_PLAN, a product without a price), and
  out-of-window ones up to the average per customer;
- every other subscription is random: end dates from 120 days ago to 400 days ahead, mostly
  STANDARD, 80 % resold by one of the partners, a few products without a price;
- `quotes_per_status` quotes in each of the seven statuses, on other customers' subscriptions,
  the first few on the focus partner's lowest ids (so S2's first page shows open quotes).
FINALIZING and ORDER_SUBMITTED quotes keep their outbox job, postponed a year, so a server
started on the data set does not move them on.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update

from bench.settings import FOCUS_CUSTOMER, FOCUS_PARTNER, SECRET, TODAY, JobsSpec, Spec
from renewals.auth import Viewer
from renewals.config import Settings
from renewals.container import Container, build_container
from renewals.domain.enums import (
    OfferingType,
    PaymentMethod,
    QuoteStatus,
    Role,
    Term,
)
from renewals.domain.visibility import Visibility
from renewals.domain.windows import add_months
from renewals.persistence import models as m
from renewals.persistence.migrate import upgrade_async
from renewals.persistence.uow import UnitOfWork
from renewals.services import orders
from renewals.services.importer import import_document
from renewals.services.lifecycle import transition
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from renewals.services.worker import drain

PRODUCTS = {
    "AutoCAD": "2100.00",
    "Revit": "3150.00",
    "Maya": "1950.00",
    "Inventor": "2650.00",
    "Civil3D": "2900.00",
    "Fusion": "680.00",
}
UNPRICED = "LegacyCAD"
CURRENCIES = ("EUR", "USD", "GBP")
TERM_MONTHS = {Term.MONTHLY: 1, Term.ANNUAL: 12, Term.THREE_YEAR: 36}
CHUNK = 2000
SALES = Viewer(Role.SALES, subject="bench")
STATUSES = (
    QuoteStatus.FINALIZING,
    QuoteStatus.QUOTED,
    QuoteStatus.ORDER_SUBMITTED,
    QuoteStatus.ORDERED,
    QuoteStatus.EXPIRED,
    QuoteStatus.CANCELLED,
    QuoteStatus.FAILED,
)
# The focus customer's renewal groups: currency, payment method, partner index (None: direct).
FOCUS_GROUPS = (
    ("EUR", PaymentMethod.CREDIT_CARD, 0),
    ("EUR", PaymentMethod.INVOICE, None),
    ("USD", PaymentMethod.CREDIT_CARD, 1),
    ("EUR", PaymentMethod.PAYPAL, None),
)


def settings_for(url: str, **extra: Any) -> Settings:
    return Settings(
        database_url=url,
        secret_key=SECRET,
        today=TODAY,
        smtp_url=None,
        log_level="WARNING",
        **extra,
    )


def partner_csn(i: int) -> str:
    return f"P{i + 1:09d}"


def customer_csn(i: int) -> str:
    return f"{5100000001 + i}"


def unit_price(product: str, term: Term) -> str:
    annual = float(PRODUCTS[product])
    factor = {Term.MONTHLY: 0.1, Term.ANNUAL: 1.0, Term.THREE_YEAR: 2.85}[term]
    return f"{annual * factor:.2f}"


def master_data(customers: int, partners: int) -> dict[str, Any]:
    """The import document: partners, customers with a buyer and an employee, prices, promotions."""
    return {
        "partners": [
            {"csn": partner_csn(i), "name": f"Partner {i + 1} GmbH"} for i in range(partners)
        ],
        "customers": [
            {
                "csn": customer_csn(i),
                "name": f"Customer {i + 1} AG",
                "address": {
                    "line1": f"Hauptstr. {i + 1}",
                    "city": "Berlin",
                    "postalCode": f"{10115 + i % 800}",
                    "country": "DE",
                },
                "contacts": [
                    {
                        "email": f"buyer{i + 1}@customer.example",
                        "name": "Bea Buyer",
                        "role": "BUYER",
                    },
                    {
                        "email": f"eng{i + 1}@customer.example",
                        "name": "Eli Eng",
                        "role": "EMPLOYEE",
                    },
                ],
            }
            for i in range(customers)
        ],
        "prices": [
            {"product": p, "term": t.value, "currency": c, "unitPrice": unit_price(p, t)}
            for p in PRODUCTS
            for t in Term
            for c in CURRENCIES
        ],
        "promotions": [
            {
                "code": "RENEW3Y",
                "description": "10% off three-year renewals",
                "percentOff": "10",
                "products": ["AutoCAD", "Revit"],
                "terms": ["THREE_YEAR"],
                "validFrom": (TODAY - timedelta(days=200)).isoformat(),
                "validTo": (TODAY + timedelta(days=400)).isoformat(),
            },
            {
                "code": "MAYA5",
                "description": "5% off Maya annual renewals",
                "percentOff": "5",
                "products": ["Maya"],
                "terms": ["ANNUAL"],
                "validFrom": (TODAY - timedelta(days=30)).isoformat(),
                "validTo": (TODAY + timedelta(days=60)).isoformat(),
            },
        ],
        "subscriptions": [],
    }


def subscription_row(
    number: str,
    customer_id: int,
    reseller_id: int | None,
    *,
    product: str,
    offering: OfferingType,
    term: Term,
    currency: str,
    method: PaymentMethod,
    end: date,
    seats: int,
    auto_renew: bool,
) -> dict[str, Any]:
    start = add_months(end, -TERM_MONTHS[term]) + timedelta(days=1)
    return {
        "number": number,
        "customer_id": customer_id,
        "reseller_id": reseller_id,
        "product": product,
        "offering_type": offering,
        "term": term,
        "seats": seats,
        "currency": currency,
        "payment_method": method,
        "start_date": start,
        "end_date": end,
        "auto_renew": auto_renew,
        "open_quote_id": None,
        "auto_quoted_end_date": None,
    }


def in_window(end: date) -> bool:
    return end - timedelta(days=90) <= TODAY <= end + timedelta(days=45)


def is_eligible(row: dict[str, Any]) -> bool:
    return (
        row["offering_type"] == OfferingType.STANDARD
        and row["product"] in PRODUCTS
        and in_window(row["end_date"])
    )


@dataclass
class DataSet:
    url: str
    spec: Spec
    focus_customer_id: int
    focus_partner_id: int
    quotes: dict[str, int] = field(default_factory=dict)  # status -> count
    free_ids: list[int] = field(default_factory=list)  # eligible, not on a quote, not the focus'
    focus_group_ids: list[int] = field(default_factory=list)  # the focus customer's group A

    def take_free(self, count: int) -> list[int]:
        """Eligible subscriptions for new quotes (each handed out once)."""
        if count > len(self.free_ids):
            raise RuntimeError(
                f"the data set has {len(self.free_ids)} free subscriptions, {count} asked"
            )
        taken, self.free_ids = self.free_ids[:count], self.free_ids[count:]
        return taken


async def bulk_insert(container: Container, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        async with container.db.write_engine.begin() as conn:
            await conn.execute(insert(table), list(rows[start : start + CHUNK]))


async def ids_by_csn(container: Container, model: Any) -> dict[str, int]:
    async with container.db.read_engine.connect() as conn:
        return dict((await conn.execute(select(model.csn, model.id))).all())


def focus_rows(spec: Spec, rng: random.Random, cid: int, pids: list[int]) -> list[dict[str, Any]]:
    """The S1 buyer: eligible ones in four groups (half in A), some in-window ineligible, the rest out."""
    rows = []
    eligible_groups = [0] * ((spec.focus_eligible + 1) // 2) + [
        1 + i % 3 for i in range(spec.focus_eligible // 2)
    ]
    for group in eligible_groups:
        currency, method, partner = FOCUS_GROUPS[group]
        rows.append(
            dict(
                customer_id=cid,
                reseller_id=pids[partner] if partner is not None else None,
                product=rng.choice(list(PRODUCTS)),
                offering=OfferingType.STANDARD,
                term=rng.choice((Term.ANNUAL, Term.THREE_YEAR)),
                currency=currency,
                method=method,
                end=TODAY + timedelta(days=rng.randint(-40, 85)),
                seats=rng.randint(1, 40),
                auto_renew=False,
            )
        )
    for i in range(max(1, spec.focus_eligible // 3)):
        kind = i % 3
        rows.append(
            dict(
                customer_id=cid,
                reseller_id=pids[0],
                product=UNPRICED if kind == 2 else rng.choice(list(PRODUCTS)),
                offering=(OfferingType.FLEX, OfferingType.SUCCESS_PLAN, OfferingType.STANDARD)[
                    kind
                ],
                term=Term.ANNUAL,
                currency="EUR",
                method=PaymentMethod.CREDIT_CARD,
                end=TODAY + timedelta(days=rng.randint(-40, 85)),
                seats=rng.randint(1, 40),
                auto_renew=False,
            )
        )
    average = spec.subscriptions // spec.customers
    for _ in range(max(0, average - len(rows))):
        ahead = rng.random() < 0.8
        rows.append(
            dict(
                customer_id=cid,
                reseller_id=rng.choice([pids[0], None]),
                product=rng.choice(list(PRODUCTS)),
                offering=OfferingType.STANDARD,
                term=rng.choice((Term.ANNUAL, Term.THREE_YEAR, Term.MONTHLY)),
                currency="EUR",
                method=PaymentMethod.CREDIT_CARD,
                end=TODAY
                + timedelta(days=rng.randint(100, 500) if ahead else -rng.randint(50, 300)),
                seats=rng.randint(1, 40),
                auto_renew=rng.random() < 0.3,
            )
        )
    return rows


def random_row(rng: random.Random, cid: int, pids: list[int]) -> dict[str, Any]:
    r = rng.random()
    offering = (
        OfferingType.STANDARD
        if r < 0.85
        else OfferingType.SUCCESS_PLAN
        if r < 0.95
        else OfferingType.FLEX
    )
    return dict(
        customer_id=cid,
        reseller_id=rng.choice(pids) if rng.random() < 0.8 else None,
        product=UNPRICED if rng.random() < 0.03 else rng.choice(list(PRODUCTS)),
        offering=offering,
        term=rng.choices((Term.ANNUAL, Term.THREE_YEAR, Term.MONTHLY), (60, 25, 15))[0],
        currency=rng.choices(CURRENCIES, (60, 30, 10))[0],
        method=rng.choices(list(PaymentMethod), (50, 15, 10, 25))[0],
        end=TODAY + timedelta(days=rng.randint(-120, 400)),
        seats=rng.randint(1, 50),
        auto_renew=rng.random() < 0.3,
    )


def partner_row(rng: random.Random, cid: int, pid: int) -> dict[str, Any]:
    """An eligible subscription resold by `pid`."""
    return dict(
        customer_id=cid,
        reseller_id=pid,
        product=rng.choice(list(PRODUCTS)),
        offering=OfferingType.STANDARD,
        term=Term.ANNUAL,
        currency="EUR",
        method=PaymentMethod.CREDIT_CARD,
        end=TODAY + timedelta(days=rng.randint(-30, 80)),
        seats=rng.randint(1, 50),
        auto_renew=False,
    )


async def build_dataset(url: str, spec: Spec, *, log: Any = None) -> DataSet:
    """Migrates `url` (a fresh database) and fills it; returns what the scenarios need to know."""
    await upgrade_async(url)
    rng = random.Random(spec.seed)
    container = build_container(settings_for(url))
    try:
        await import_document(container.db, master_data(spec.customers, spec.partners))
        cids = await ids_by_csn(container, m.Customer)
        pids_by_csn = await ids_by_csn(container, m.Partner)
        pids = [pids_by_csn[partner_csn(i)] for i in range(spec.partners)]
        focus_id, others = (
            cids[FOCUS_CUSTOMER],
            [cids[customer_csn(i)] for i in range(1, spec.customers)],
        )
        shapes = focus_rows(spec, rng, focus_id, pids)
        while len(shapes) < spec.subscriptions:
            shapes.append(random_row(rng, rng.choice(others) if others else focus_id, pids))
        rng.shuffle(shapes)  # ids interleave customers, as in a real table
        if others:
            # The focus partner's lowest ids are quotable, so S2's first page has open quotes;
            # the probes (all alike: no promotion applies) stay free for the quote scenarios.
            shapes[:0] = [partner_row(rng, rng.choice(others), pids[0]) for _ in range(3)]
            shapes[len(shapes) // 2 : len(shapes) // 2] = [
                {
                    **partner_row(rng, rng.choice(others), pids[-1]),
                    "product": "AutoCAD",
                    "probe": True,
                }
                for _ in range(spec.reserve)
            ]
            del shapes[spec.subscriptions + spec.reserve :]
        probes = {f"S{i:08d}" for i, s in enumerate(shapes) if s.pop("probe", False)}
        rows = [
            subscription_row(f"S{i:08d}", s.pop("customer_id"), s.pop("reseller_id"), **s)
            for i, s in enumerate(shapes)
        ]
        await bulk_insert(container, m.Subscription.__table__, rows)
        async with container.db.read_engine.connect() as conn:
            sub_ids = dict(
                (await conn.execute(select(m.Subscription.number, m.Subscription.id))).all()
            )
        for row in rows:
            row["id"] = sub_ids[row["number"]]
        data = DataSet(url, spec, focus_id, pids_by_csn[FOCUS_PARTNER])
        data.focus_group_ids = [
            r["id"]
            for r in rows
            if r["customer_id"] == focus_id
            and is_eligible(r)
            and (r["currency"], r["payment_method"], r["reseller_id"])
            == ("EUR", PaymentMethod.CREDIT_CARD, pids[0])
        ]
        candidates = [r for r in rows if r["customer_id"] != focus_id and is_eligible(r)]
        rng.shuffle(candidates)
        # A few stay free whatever the size, for the scenarios that create quotes.
        reserved = [r for r in candidates if r["number"] in probes]
        candidates = [r for r in candidates if r["number"] not in probes]
        used = await make_quotes(container, data, candidates, spec.quotes_per_status)
        data.free_ids = [r["id"] for r in reserved + candidates if r["id"] not in used]
        if log:
            log(
                f"data set: {len(rows)} subscriptions, {spec.customers} customers, quotes {data.quotes}"
            )
        return data
    finally:
        await container.close()


def quote_groups(
    candidates: list[dict[str, Any]], count: int, front_partner: int
) -> list[list[int]]:
    """`count` selections of one or (every fourth) two subscriptions of one renewal group.

    The focus partner's lowest ids come first, so S2's first page has quotes on it."""
    by_group: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for r in sorted(candidates, key=lambda r: r["id"]):
        key = (r["customer_id"], r["currency"], r["payment_method"], r["reseller_id"])
        by_group[key].append(r)
    partner_first = sorted(
        (key for key in by_group if key[3] == front_partner), key=lambda k: by_group[k][0]["id"]
    )
    order = partner_first[:10] + [k for k in by_group if k not in set(partner_first[:10])]
    selections: list[list[int]] = []
    while len(selections) < count and any(by_group.values()):
        for key in order:
            group = by_group[key]
            if not group or len(selections) >= count:
                continue
            size = 2 if len(selections) % 4 == 3 and len(group) >= 2 else 1
            selections.append([group.pop(0)["id"] for _ in range(size)])
    return selections


async def make_quotes(
    container: Container, data: DataSet, candidates: list[dict[str, Any]], per_status: int
) -> set[int]:
    """Quotes in every status through the services; returns the subscription ids they used."""
    selections = quote_groups(candidates, per_status * len(STATUSES), data.focus_partner_id)
    planned: dict[QuoteStatus, list[int]] = defaultdict(list)
    used: set[int] = set()
    for i, ids in enumerate(selections):
        quote_id = await create_renewal_quote(
            container, SALES, Visibility(), CreateQuoteCommand(subscription_ids=list(ids))
        )
        planned[STATUSES[i % len(STATUSES)]].append(quote_id)
        used.update(ids)
    later = container.clock.now() + timedelta(days=365)
    # FAILED straight from FINALIZING (as a finalization that will not pass); its job is done.
    for quote_id in planned[QuoteStatus.FAILED]:
        await move(container, quote_id, QuoteStatus.FAILED, "bench: finalization failed")
    await set_jobs(container, planned[QuoteStatus.FAILED], status="DONE")
    await set_jobs(container, planned[QuoteStatus.FINALIZING], run_after=later)
    await drain(container)  # everything else is QUOTED now
    for quote_id in planned[QuoteStatus.ORDERED]:
        await orders.accept_quote(
            container,
            SALES,
            Visibility(),
            orders.AcceptCommand(quote_id=quote_id, quote_id_given=True),
        )
    await drain(container)
    for quote_id in planned[QuoteStatus.ORDER_SUBMITTED]:
        await orders.accept_quote(
            container,
            SALES,
            Visibility(),
            orders.AcceptCommand(quote_id=quote_id, quote_id_given=True),
        )
    await set_jobs(container, planned[QuoteStatus.ORDER_SUBMITTED], run_after=later)
    for quote_id in planned[QuoteStatus.CANCELLED]:
        await orders.cancel_quote(container, SALES, Visibility(), quote_id, "bench")
    for quote_id in planned[QuoteStatus.EXPIRED]:
        await move(container, quote_id, QuoteStatus.EXPIRED, None)
    async with container.db.read_engine.connect() as conn:
        counts = (
            await conn.execute(select(m.Quote.status, func.count()).group_by(m.Quote.status))
        ).all()
    data.quotes = {status.value: n for status, n in counts}
    return used


async def move(
    container: Container, quote_id: int, target: QuoteStatus, reason: str | None
) -> None:
    async with UnitOfWork(container.db) as uow:
        quote = await uow.quotes.get(quote_id, for_update=True)
        assert quote is not None
        await transition(uow, container, quote, target, "bench", reason)
        await uow.commit()


async def set_jobs(container: Container, quote_ids: Iterable[int], **values: Any) -> None:
    ids = list(quote_ids)
    if not ids:
        return
    async with container.db.write_engine.begin() as conn:
        await conn.execute(
            update(m.OutboxJob.__table__)
            .where(
                m.OutboxJob.__table__.c.quote_id.in_(ids),
                m.OutboxJob.__table__.c.status == "PENDING",
            )
            .values(**values)
        )


async def build_jobs_dataset(url: str, spec: JobsSpec, *, log: Any = None) -> int:
    """S5: `spec.due` subscriptions due for an R12 automatic quote (ANNUAL, STANDARD, priced, no
    auto-renew, end date within 30 days), the rest not due (later end dates; or MONTHLY / FLEX inside the window).
    Returns how many are due."""
    await upgrade_async(url)
    rng = random.Random(spec.seed)
    container = build_container(settings_for(url))
    try:
        await import_document(container.db, master_data(spec.customers, 10))
        cids = list((await ids_by_csn(container, m.Customer)).values())
        pids = list((await ids_by_csn(container, m.Partner)).values())
        batch: list[dict[str, Any]] = []
        step, made_due = max(1, spec.subscriptions // max(1, spec.due)), 0
        for i in range(spec.subscriptions):
            due = i % step == 0 and made_due < spec.due
            made_due += due
            cid, pid = rng.choice(cids), rng.choice(pids) if rng.random() < 0.8 else None
            if due:
                shape = dict(
                    product=rng.choice(list(PRODUCTS)),
                    offering=OfferingType.STANDARD,
                    term=Term.ANNUAL,
                    end=TODAY + timedelta(days=rng.randint(1, 30)),
                    auto_renew=False,  # with auto-renew on it renews by itself: no quote (R12)
                )
            elif rng.random() < 0.05:  # inside the window, but MONTHLY or FLEX: never automatic
                shape = dict(
                    product=rng.choice(list(PRODUCTS)),
                    offering=rng.choice((OfferingType.STANDARD, OfferingType.FLEX)),
                    term=Term.MONTHLY,
                    end=TODAY + timedelta(days=rng.randint(1, 30)),
                    auto_renew=False,
                )
            else:
                shape = dict(
                    product=rng.choice(list(PRODUCTS)),
                    offering=OfferingType.STANDARD,
                    term=rng.choice((Term.ANNUAL, Term.THREE_YEAR)),
                    end=TODAY + timedelta(days=rng.randint(31, 900)),
                    auto_renew=rng.random() < 0.3,
                )
            batch.append(
                subscription_row(
                    f"J{i:08d}",
                    cid,
                    pid,
                    currency=rng.choices(CURRENCIES, (60, 30, 10))[0],
                    method=rng.choice(list(PaymentMethod)),
                    seats=rng.randint(1, 50),
                    **shape,
                )
            )
            if len(batch) >= CHUNK:
                await bulk_insert(container, m.Subscription.__table__, batch)
                batch = []
        await bulk_insert(container, m.Subscription.__table__, batch)
        if log:
            log(f"jobs data set: {spec.subscriptions} subscriptions, {spec.due} due")
        return spec.due
    finally:
        await container.close()
