"""The payment port. The default gateway is SIMULATED: it charges nothing (see README)."""

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class PaymentResult:
    reference: str


class PaymentError(Exception):
    """The gateway refused or failed; `permanent` failures are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class PaymentGateway(Protocol):
    """Charges an order. The worker may call again for the same order (a retry after a failed
    commit), so a real adapter must send `order_number` as the gateway's idempotency key."""

    async def charge(
        self, *, order_number: str, amount: Decimal, currency: str, method: str
    ) -> PaymentResult: ...


class SimulatedPaymentGateway:
    """Approves every charge and returns a reference; a real adapter fills the same interface."""

    async def charge(
        self, *, order_number: str, amount: Decimal, currency: str, method: str
    ) -> PaymentResult:
        return PaymentResult(reference=f"SIM-{uuid.uuid4().hex[:12].upper()}")
