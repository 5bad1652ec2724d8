"""Bulk upserts by natural keys for `renewals import` (one transaction, bounded IN lists)."""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update

from renewals.persistence import models as m
from renewals.persistence.repositories.base import Repository

CHUNK = 900  # bound parameters per IN query (SQLite's historic limit is 999)
Row = dict[str, Any]


@dataclass
class Changes:
    """What one upsert did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


def chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


class ImportRepository(Repository):
    async def ids(self, model: Any, csns: Iterable[str]) -> dict[str, int]:
        """CSN -> id for the given CSNs that exist."""
        found: dict[str, int] = {}
        for chunk in chunks(sorted(set(csns))):
            rows = await self.session.execute(
                select(model.csn, model.id).where(model.csn.in_(chunk))
            )
            found.update({csn: id_ for csn, id_ in rows})
        return found

    async def upsert(
        self,
        model: Any,
        key: tuple[str, ...],
        columns: tuple[str, ...],
        rows: Sequence[Row],
        defaults: Row | None = None,
    ) -> Changes:
        """Insert new rows, update changed ones by primary key, leave equal ones alone.

        A column missing from a row keeps its stored value (or takes `defaults` on insert).
        """
        counts = Changes()
        wanted = {tuple(r[k] for k in key): r for r in rows}
        existing: dict[tuple[Any, ...], Any] = {}
        first = getattr(model, key[0])
        for chunk in chunks(sorted({k[0] for k in wanted})):
            query = select(model.id, *(getattr(model, c) for c in columns)).where(first.in_(chunk))
            for found in await self.session.execute(query):
                existing[tuple(getattr(found, k) for k in key)] = found
        inserts: list[Row] = []
        updates: list[Row] = []
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
            await self.session.execute(insert(model), inserts)
        if updates:
            await self.session.execute(update(model), updates)
        counts.created, counts.updated = len(inserts), len(updates)
        return counts

    async def replace_contacts(
        self,
        contacts: dict[str, tuple[Row, ...]],
        customer_ids: dict[str, int],
    ) -> Changes:
        """Each listed customer's contacts become the file's list, matched by email (any case)."""
        counts = Changes()
        wanted = {customer_ids[csn]: rows for csn, rows in contacts.items()}
        existing: dict[int, dict[str, Any]] = {cid: {} for cid in wanted}
        deletes: list[int] = []
        t = m.Contact
        for chunk in chunks(sorted(wanted)):
            query = select(t.id, t.customer_id, t.email, t.name, t.role).where(
                t.customer_id.in_(chunk)
            )
            for old in await self.session.execute(query.order_by(t.id)):
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
        for chunk in chunks(deletes):
            await self.session.execute(delete(t).where(t.id.in_(chunk)))
        if updates:
            await self.session.execute(update(t), updates)
        if inserts:
            await self.session.execute(insert(t), inserts)
        counts.created, counts.updated, counts.deleted = len(inserts), len(updates), len(deletes)
        return counts
