"""Lists the email outbox for `renewals emails` (bodies only on request: they hold checkout links)."""

from sqlalchemy import select

from renewals.config import Settings
from renewals.persistence import models as m
from renewals.persistence.db import create_database


async def list_emails(settings: Settings, *, status: str | None, show_body: bool) -> list[str]:
    db = create_database(settings.database_url)
    try:
        async with db.read_engine.connect() as conn:
            stmt = select(m.Email.__table__).order_by(m.Email.id)
            if status:
                stmt = stmt.where(m.Email.__table__.c.status == status)
            rows = (await conn.execute(stmt)).all()
    finally:
        await db.dispose()
    out = []
    for r in rows:
        out.append(
            f"#{r.id} {r.status} to={r.to_address} attempts={r.attempts} subject={r.subject!r}"
        )
        if show_body:
            out += [r.body, "-" * 60]
    return out
