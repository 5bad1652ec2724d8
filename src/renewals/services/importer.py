"""`renewals import`: validate the whole file, then upsert it by natural keys in one transaction."""

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from renewals.persistence import models as m
from renewals.persistence.db import Database
from renewals.persistence.uow import UnitOfWork
from renewals.services.import_validation import (
    ImportInvalid,
    ImportPlan,
    ImportProblem,
    Row,
    check_document,
    validate_document,
)

__all__ = [
    "ImportInvalid",
    "ImportPlan",
    "ImportProblem",
    "ImportReport",
    "KindCounts",
    "check_document",
    "import_document",
    "parse_json",
    "validate_document",
]

CHUNK = 900  # bound parameters per IN query (SQLite's historic limit is 999)
CUSTOMER_COLUMNS = (
    "csn", "name", "address_line1", "address_line2", "city", "postal_code", "country",
)  # fmt: skip
NEW_CUSTOMER = {
    "address_line1": "",
    "address_line2": None,
    "city": "",
    "postal_code": "",
    "country": "",
}
# Never open_quote_id or auto_quoted_end_date: those belong to the quote lifecycle.
SUBSCRIPTION_COLUMNS = (
    "number", "customer_id", "reseller_id", "product", "offering_type", "term", "seats",
    "currency", "payment_method", "start_date", "end_date", "auto_renew",
)  # fmt: skip


@dataclass
class KindCounts:
    """What the import did to one kind of record."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class ImportReport:
    """Counts per kind; contacts can also be deleted (a customer's list in the file replaces it)."""

    partners: KindCounts = field(default_factory=KindCounts)
    customers: KindCounts = field(default_factory=KindCounts)
    contacts: KindCounts = field(default_factory=KindCounts)
    prices: KindCounts = field(default_factory=KindCounts)
    promotions: KindCounts = field(default_factory=KindCounts)
    subscriptions: KindCounts = field(default_factory=KindCounts)
    #: Unknown fields: ignored, but said (a misspelt optional field would otherwise go unnoticed).
    warnings: tuple[ImportProblem, ...] = ()

    @property
    def changed(self) -> bool:
        """True when anything was created, updated or deleted."""
        return any(c["created"] or c["updated"] or c["deleted"] for c in self.as_dict().values())

    def as_dict(self) -> dict[str, dict[str, int]]:
        """`{"partners": {"created": 1, "updated": 0, "unchanged": 0, "deleted": 0}, ...}`."""
        counts = asdict(self)
        counts.pop("warnings")
        return counts

    def summary(self) -> str:
        """One line per kind, e.g. `subscriptions: 3 created, 1 updated, 10 unchanged`."""
        lines = []
        for kind, c in self.as_dict().items():
            parts = [f"{c[k]} {k}" for k in ("created", "updated", "unchanged")]
            parts += [f"{c['deleted']} deleted"] if c["deleted"] else []
            lines.append(f"{kind}: {', '.join(parts)}")
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def parse_json(text: str | bytes) -> object:
    """Parse an import file's JSON; bad syntax or a key repeated in one object is ImportInvalid."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        repeated.extend(sorted({k for k in keys if keys.count(k) > 1}))
        return dict(items)

    def constant(name: str) -> None:
        raise ValueError(f"{name} is not allowed in JSON")

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ImportInvalid([ImportProblem("$", f"not valid JSON: {exc}")]) from None
    if repeated:
        message = "key {!r} appears twice in one object; expected each key once"
        raise ImportInvalid([ImportProblem("$", message.format(k)) for k in repeated])
    return data


async def import_document(db: Database, data: object) -> ImportReport:
    """Validate, then upsert `data` in one transaction; on ImportInvalid nothing is written.

    The file's own problems and its references to customers and partners that are in neither the
    file nor the database are reported together.
    """
    plan = check_document(data)
    try:
        return await _import_plan(db, plan)
    except IntegrityError as e:
        # Only a concurrent import (PostgreSQL) can get here: the same new key in both.
        raise ImportInvalid(
            [
                ImportProblem(
                    "$", "another import wrote the same records at the same time; run it again"
                )
            ]
        ) from e


async def _import_plan(db: Database, plan: ImportPlan) -> ImportReport:
    report = ImportReport(warnings=plan.warnings)
    async with UnitOfWork(db) as uow:
        session = uow.session
        customer_ids = await _ids(session, m.Customer, plan.external_customer_csns)
        partner_ids = await _ids(session, m.Partner, plan.external_partner_csns)
        problems = [*plan.problems, *plan.reference_problems(customer_ids, partner_ids)]
        if problems:
            raise ImportInvalid(problems)
        await _upsert(session, m.Partner, ("csn",), ("csn", "name"), plan.partners, report.partners)
        partner_ids.update(await _ids(session, m.Partner, (r["csn"] for r in plan.partners)))
        await _upsert(
            session, m.Customer, ("csn",), CUSTOMER_COLUMNS, plan.customers, report.customers,
            defaults=NEW_CUSTOMER,
        )  # fmt: skip
        customer_ids.update(await _ids(session, m.Customer, (r["csn"] for r in plan.customers)))
        await _replace_contacts(session, plan.contacts, customer_ids, report.contacts)
        price_key = ("product", "term", "currency")
        await _upsert(
            session, m.Price, price_key, (*price_key, "unit_price"), plan.prices, report.prices
        )
        promotion_columns = ("code", "description", "percent_off", "products", "terms")
        await _upsert(
            session, m.Promotion, ("code",), (*promotion_columns, "valid_from", "valid_to"),
            plan.promotions, report.promotions,
        )  # fmt: skip
        subscriptions = [
            {
                **{k: v for k, v in s.items() if k not in ("customer_csn", "reseller_csn")},
                "customer_id": customer_ids[s["customer_csn"]],
                "reseller_id": partner_ids[s["reseller_csn"]] if s["reseller_csn"] else None,
            }
            for s in plan.subscriptions
        ]
        await _upsert(
            session, m.Subscription, ("number",), SUBSCRIPTION_COLUMNS, subscriptions,
            report.subscriptions,
        )  # fmt: skip
        await uow.commit()
    return report


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


async def _ids(session: AsyncSession, model: Any, csns: Iterable[str]) -> dict[str, int]:
    """CSN -> id for the given CSNs that exist."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(csns))):
        rows = await session.execute(select(model.csn, model.id).where(model.csn.in_(chunk)))
        found.update({csn: id_ for csn, id_ in rows})
    return found


async def _upsert(
    session: AsyncSession,
    model: Any,
    key: tuple[str, ...],
    columns: tuple[str, ...],
    rows: Sequence[Row],
    counts: KindCounts,
    defaults: Row | None = None,
) -> None:
    """Insert new rows, update changed ones by primary key, leave equal ones alone.

    A column missing from a row keeps its stored value (or takes `defaults` on insert).
    """
    wanted = {tuple(r[k] for k in key): r for r in rows}
    existing: dict[tuple[Any, ...], Any] = {}
    first = getattr(model, key[0])
    for chunk in _chunks(sorted({k[0] for k in wanted})):
        query = select(model.id, *(getattr(model, c) for c in columns)).where(first.in_(chunk))
        for old in await session.execute(query):
            existing[tuple(getattr(old, k) for k in key)] = old
    inserts, updates = [], []
    for natural_key, row in wanted.items():
        old = existing.get(natural_key)
        if old is None:
            inserts.append({c: row[c] if c in row else (defaults or {})[c] for c in columns})
            continue
        new = {c: row[c] if c in row else getattr(old, c) for c in columns}
        if any(new[c] != getattr(old, c) for c in columns):
            updates.append({"id": old.id, **new})
        else:
            counts.unchanged += 1
    if inserts:
        await session.execute(insert(model), inserts)
    if updates:
        await session.execute(update(model), updates)
    counts.created += len(inserts)
    counts.updated += len(updates)


async def _replace_contacts(
    session: AsyncSession,
    contacts: dict[str, tuple[Row, ...]],
    customer_ids: dict[str, int],
    counts: KindCounts,
) -> None:
    """Each listed customer's contacts become the file's list, matched by email (any case)."""
    wanted = {customer_ids[csn]: rows for csn, rows in contacts.items()}
    existing: dict[int, dict[str, Any]] = {cid: {} for cid in wanted}
    deletes: list[int] = []
    t = m.Contact
    for chunk in _chunks(sorted(wanted)):
        query = select(t.id, t.customer_id, t.email, t.name, t.role).where(t.customer_id.in_(chunk))
        for old in await session.execute(query.order_by(t.id)):
            by_email = existing[old.customer_id]
            if old.email.lower() in by_email:
                deletes.append(old.id)  # a case-variant duplicate
            else:
                by_email[old.email.lower()] = old
    inserts, updates = [], []
    for cid, rows in wanted.items():
        by_email = existing[cid]
        for row in rows:
            new = {"customer_id": cid, **row}
            old = by_email.pop(row["email"].lower(), None)
            if old is None:
                inserts.append(new)
            elif (old.email, old.name, old.role) != (row["email"], row["name"], row["role"]):
                updates.append({"id": old.id, **new})
            else:
                counts.unchanged += 1
        deletes.extend(old.id for old in by_email.values())
    for chunk in _chunks(deletes):
        await session.execute(delete(t).where(t.id.in_(chunk)))
    if updates:
        await session.execute(update(t), updates)
    if inserts:
        await session.execute(insert(t), inserts)
    counts.created += len(inserts)
    counts.updated += len(updates)
    counts.deleted += len(deletes)
