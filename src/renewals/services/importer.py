"""`renewals import`: validate the whole file, then upsert it by natural keys in one transaction."""

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError

from renewals.persistence import models as m
from renewals.persistence.db import Database
from renewals.persistence.repositories.imports import Changes
from renewals.persistence.uow import UnitOfWork
from renewals.services.import_validation import (
    ImportInvalid,
    ImportPlan,
    ImportProblem,
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

    def add(self, changes: Changes) -> None:
        self.created += changes.created
        self.updated += changes.updated
        self.unchanged += changes.unchanged
        self.deleted += changes.deleted


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
        customer_ids = await uow.imports.ids(m.Customer, plan.external_customer_csns)
        partner_ids = await uow.imports.ids(m.Partner, plan.external_partner_csns)
        problems = [*plan.problems, *plan.reference_problems(customer_ids, partner_ids)]
        if problems:
            raise ImportInvalid(problems)
        report.partners.add(
            await uow.imports.upsert(m.Partner, ("csn",), ("csn", "name"), plan.partners)
        )
        partner_ids.update(await uow.imports.ids(m.Partner, (r["csn"] for r in plan.partners)))
        report.customers.add(
            await uow.imports.upsert(
                m.Customer, ("csn",), CUSTOMER_COLUMNS, plan.customers, defaults=NEW_CUSTOMER
            )
        )
        customer_ids.update(await uow.imports.ids(m.Customer, (r["csn"] for r in plan.customers)))
        report.contacts.add(await uow.imports.replace_contacts(plan.contacts, customer_ids))
        price_key = ("product", "term", "currency")
        report.prices.add(
            await uow.imports.upsert(m.Price, price_key, (*price_key, "unit_price"), plan.prices)
        )
        promotion_columns = ("code", "description", "percent_off", "products", "terms")
        report.promotions.add(
            await uow.imports.upsert(
                m.Promotion,
                ("code",),
                (*promotion_columns, "valid_from", "valid_to"),
                plan.promotions,
            )  # fmt: skip
        )
        subscriptions = [
            {
                **{k: v for k, v in s.items() if k not in ("customer_csn", "reseller_csn")},
                "customer_id": customer_ids[s["customer_csn"]],
                "reseller_id": partner_ids[s["reseller_csn"]] if s["reseller_csn"] else None,
            }
            for s in plan.subscriptions
        ]
        report.subscriptions.add(
            await uow.imports.upsert(
                m.Subscription, ("number",), SUBSCRIPTION_COLUMNS, subscriptions
            )
        )
        await uow.commit()
    return report
