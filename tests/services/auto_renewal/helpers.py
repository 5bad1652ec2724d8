"""A payment gateway that behaves like a real one (keys replayed, declines, timeouts) and keeps
count, and readers of the orders the automatic renewal writes."""

from dataclasses import dataclass, field

from sqlalchemy import select

from renewals.persistence import models as m
from renewals.services.payments import Charge, PaymentError, PaymentResult


@dataclass
class RecordingGateway:
    """Answers a repeated idempotency key as it did the first time without charging again.
    `decline` and `fail` (unknown outcome, after charging) act on the next calls."""

    decline: int = 0
    fail_after_charging: int = 0
    requests: list[Charge] = field(default_factory=list)
    charged: dict[str, PaymentResult] = field(default_factory=dict)

    async def charge(self, charge: Charge) -> PaymentResult:
        self.requests.append(charge)
        if charge.idempotency_key in self.charged:
            return self.charged[charge.idempotency_key]
        if self.decline:
            self.decline -= 1
            raise PaymentError("card declined (insufficient funds)", permanent=True)
        result = PaymentResult(reference=f"REF-{len(self.charged) + 1}")
        self.charged[charge.idempotency_key] = result
        if self.fail_after_charging:
            self.fail_after_charging -= 1
            raise TimeoutError("gateway timed out after charging")
        return result

    def charges_of(self, order_number: str) -> list[Charge]:
        """The charges that took money for this order (a replayed key is not a charge)."""
        return [
            c
            for c in self.requests
            if c.order_number == order_number and c.idempotency_key in self.charged
        ]


async def orders(container) -> list:
    async with container.db.read_engine.connect() as conn:
        return (await conn.execute(select(m.Order.__table__).order_by(m.Order.id))).all()


async def order_lines(container, order_id: int) -> list:
    async with container.db.read_engine.connect() as conn:
        stmt = select(m.OrderLine.__table__).where(m.OrderLine.order_id == order_id)
        return (await conn.execute(stmt)).all()


async def history(container, order_id: int) -> list:
    async with container.db.read_engine.connect() as conn:
        stmt = (
            select(m.OrderStatusChange.__table__)
            .where(m.OrderStatusChange.order_id == order_id)
            .order_by(m.OrderStatusChange.id)
        )
        return (await conn.execute(stmt)).all()


async def order_emails(container) -> list:
    async with container.db.read_engine.connect() as conn:
        stmt = (
            select(m.Email.to_address, m.Email.subject, m.Email.body, m.Email.order_id)
            .where(m.Email.order_id.is_not(None))
            .order_by(m.Email.id)
        )
        return (await conn.execute(stmt)).all()
