"""Quotes and their lines, promotions, recipients and status history."""

from datetime import date
from typing import Any

from sqlalchemy import delete, select, update

from renewals.domain.enums import OPEN_STATUSES, QuoteStatus
from renewals.persistence import models as m
from renewals.persistence.repositories.base import Repository

Q = m.Quote


class QuoteRepository(Repository):
    async def get(self, quote_id: int | None, *, for_update: bool = False) -> m.Quote | None:
        if quote_id is None:
            return None
        stmt = select(Q).where(Q.id == quote_id)
        if for_update:
            stmt = self.locked(stmt)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def add(self, quote: m.Quote) -> m.Quote:
        """Inserts the quote (its id is known afterwards)."""
        self.session.add(quote)
        await self.session.flush()
        return quote

    def add_parts(self, *parts: Any) -> None:
        """Lines, promotions, recipients of a quote (written at the next flush or commit)."""
        self.session.add_all(parts)

    async def move(
        self, quote: m.Quote, current: QuoteStatus, target: QuoteStatus, reason: str | None
    ) -> bool:
        """Guarded: moves the quote only if it is still `current`; False if someone moved it first."""
        failure = reason if target == QuoteStatus.FAILED else None
        changed = await self.update(
            update(Q)
            .where(Q.id == quote.id, Q.status == current)
            .values(status=target, failure_reason=failure)
        )
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
        await self.session.execute(
            delete(m.QuotePromotion).where(m.QuotePromotion.quote_id == quote_id)
        )

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
