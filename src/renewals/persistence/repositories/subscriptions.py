"""Subscriptions as the write side sees them: claimed by quotes, renewed, switched."""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.engine import CursorResult

from renewals.domain.visibility import Visibility
from renewals.domain.windows import WINDOW_CLOSES_DAYS_AFTER
from renewals.persistence import models as m
from renewals.persistence import reads
from renewals.persistence.records import SubscriptionRecord
from renewals.persistence.repositories.base import Repository

S = m.Subscription
ST = cast(Table, S.__table__)
# Built once (the create path runs them on every quote): SQLAlchemy reuses their cache keys.
IDS: Any = bindparam("ids", expanding=True)
PUT_ON_QUOTE = (
    update(ST)
    .where(ST.c.id.in_(IDS), ST.c.open_quote_id.is_(None))
    .values(open_quote_id=bindparam("quote_id"))
)
SET_AUTO_RENEW = update(ST).where(ST.c.id.in_(IDS)).values(auto_renew=bindparam("enabled"))
MARK_AUTO_QUOTED = update(ST).where(ST.c.id.in_(IDS)).values(auto_quoted_end_date=ST.c.end_date)


class SubscriptionRepository(Repository):
    async def visible(
        self, ids: list[int], visibility: Visibility
    ) -> dict[int, SubscriptionRecord]:
        """The subscriptions of these ids that the viewer may see, by id."""
        conn = await self.session.connection()
        records = [r for r in await reads.subscriptions_by_id(conn, ids) if r is not None]
        return {r.id: r for r in records if visibility.allows(r)}

    async def get(
        self, subscription_id: int | None, *, for_update: bool = False
    ) -> m.Subscription | None:
        if subscription_id is None:
            return None
        stmt = select(S).where(S.id == subscription_id)
        if for_update:
            stmt = self.locked(stmt)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def by_ids(self, ids: Iterable[int]) -> dict[int, m.Subscription]:
        rows = await self.session.execute(select(S).where(S.id.in_(list(ids))))
        return {s.id: s for s in rows.scalars()}

    async def put_on_quote(self, ids: list[int], quote_id: int) -> bool:
        """Guarded: only subscriptions on no open quote; False if another quote took one first."""
        result = await self.session.execute(PUT_ON_QUOTE, {"ids": ids, "quote_id": quote_id})
        return cast("CursorResult[Any]", result).rowcount == len(ids)

    async def release(self, quote_id: int) -> None:
        """Frees the quote's subscriptions and gives back the auto-renew it switched off (R02)."""
        switched_off = select(m.QuoteLine.subscription_id).where(
            m.QuoteLine.quote_id == quote_id, m.QuoteLine.auto_renew_switched_off.is_(True)
        )
        await self.update(update(S).where(S.id.in_(switched_off)).values(auto_renew=True))
        await self.update(update(S).where(S.open_quote_id == quote_id).values(open_quote_id=None))

    async def set_auto_renew(self, ids: list[int], enabled: bool) -> None:
        if ids:
            await self.session.execute(SET_AUTO_RENEW, {"ids": ids, "enabled": enabled})

    async def mark_auto_quoted(self, ids: list[int]) -> None:
        """R12: an automatic quote was made for this term (once per term)."""
        await self.session.execute(MARK_AUTO_QUOTED, {"ids": ids})

    async def due_for_auto_renewal(self, today: date, after: int) -> list[m.Subscription]:
        """R02: auto-renewing subscriptions at or past their end date and on no open quote.

        A pre-filter: lapsed subscriptions (window closed) are left out here so that they are not
        read every day; `domain/windows.may_auto_renew` decides.
        """
        return await self.batch_after(
            S,
            after,
            S.auto_renew.is_(True),
            S.open_quote_id.is_(None),
            S.end_date <= today,
            S.end_date >= today - timedelta(days=WINDOW_CLOSES_DAYS_AFTER),
        )

    async def move_term(self, subscription_id: int, start: date, end: date) -> None:
        """Renews in place, unless a quote claimed the subscription meanwhile."""
        await self.update(
            update(S)
            .where(S.id == subscription_id, S.open_quote_id.is_(None))
            .values(start_date=start, end_date=end)
        )
