"""The read-side SQL filter on effective status agrees with domain/lifecycle.effective_status."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select

from renewals.domain.enums import PaymentMethod, QuoteOrigin, QuoteStatus, QuoteType
from renewals.domain.lifecycle import effective_status
from renewals.persistence import models as m
from renewals.persistence import reads
from tests.factories import TODAY, document, subscription
from tests.helpers import seed

OFFSETS = (-1, 0, 1)  # expiresOn yesterday, today, tomorrow


async def every_status_and_expiry(container) -> dict[int, tuple[QuoteStatus, object]]:
    await seed(container, document([subscription("SUB-1")]))
    async with container.db.write_engine.begin() as conn:
        customer_id = (await conn.execute(select(m.Customer.id))).scalar_one()
        made = {}
        for status in QuoteStatus:
            for offset in OFFSETS:
                expires_on = TODAY + timedelta(days=offset)
                row = await conn.execute(
                    insert(m.Quote.__table__)
                    .values(
                        number=f"Q-{status.value}-{offset}",
                        type=QuoteType.RENEWAL,
                        origin=QuoteOrigin.SALES,
                        status=status,
                        customer_id=customer_id,
                        currency="EUR",
                        payment_method=PaymentMethod.CREDIT_CARD,
                        subtotal=0,
                        discount_total=0,
                        total=0,
                        created_on=TODAY - timedelta(days=30),
                        expires_on=expires_on,
                        created_at=datetime(2026, 10, 27),
                        created_by="test",
                    )
                    .returning(m.Quote.id)
                )
                made[row.scalar_one()] = (status, expires_on)
    return made


@pytest.mark.parametrize(
    "wanted",
    [(s,) for s in QuoteStatus]
    + [(QuoteStatus.QUOTED, QuoteStatus.EXPIRED), (QuoteStatus.FINALIZING, QuoteStatus.QUOTED)],
)
async def test_sql_filter_and_domain_rule_agree(container, wanted):
    made = await every_status_and_expiry(container)
    expected = {
        pk
        for pk, (status, expires) in made.items()
        if effective_status(status, expires, TODAY) in wanted
    }
    async with container.db.read_engine.connect() as conn:
        stmt = select(m.Quote.id).where(reads.effective_status_in(wanted, TODAY))
        found = set((await conn.execute(stmt)).scalars())
    assert found == expected
    assert found  # every status is present on some row
