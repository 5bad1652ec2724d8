"""Lists the email outbox for `renewals emails` (bodies only on request: they hold checkout links)."""

from renewals.config import Settings
from renewals.persistence.db import create_database
from renewals.persistence.uow import UnitOfWork


async def list_emails(settings: Settings, *, status: str | None, show_body: bool) -> list[str]:
    db = create_database(settings.database_url)
    try:
        async with UnitOfWork(db) as uow:
            rows = await uow.emails.listing(status)
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
