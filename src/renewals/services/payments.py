"""The payment port. The default gateway is SIMULATED: it charges nothing (see README)."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

KEPT_ANSWERS = 100_000


@dataclass(frozen=True)
class Charge:
    """One charge request. `idempotency_key` must reach the gateway as its idempotency key: the
    worker and the renewal job may send the same request again (a retry after a crash or a
    timeout), and the gateway must answer it without charging twice."""

    idempotency_key: str
    order_number: str
    customer_csn: str
    amount: Decimal
    currency: str
    method: str


@dataclass(frozen=True)
class PaymentResult:
    reference: str


class PaymentError(Exception):
    """The gateway refused or failed. `permanent` is a definite answer (declined: sending the
    same request again will not pass); otherwise the outcome is unknown and the same request
    (same idempotency key) may be sent again."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class PaymentGateway(Protocol):
    """Charges an order; a real adapter fills this interface."""

    async def charge(self, charge: Charge) -> PaymentResult: ...


class SimulatedPaymentGateway:
    """Approves every charge and returns a reference, except for the customers named in
    `declined_customers` (RENEWALS_SIMULATED_DECLINES), whose charges it declines, so that the
    declined-payment path can be tried by hand. It keeps each key's answer, as a gateway does."""

    def __init__(self, declined_customers: Collection[str] = ()) -> None:
        self.declined_customers = frozenset(declined_customers)
        self._answers: dict[str, PaymentResult] = {}

    async def charge(self, charge: Charge) -> PaymentResult:
        if charge.customer_csn in self.declined_customers:
            raise PaymentError("declined by the simulated gateway", permanent=True)
        if charge.idempotency_key not in self._answers:
            if len(self._answers) >= KEPT_ANSWERS:  # bounded, oldest first, like a gateway's TTL
                del self._answers[next(iter(self._answers))]
            reference = f"SIM-{uuid.uuid4().hex[:12].upper()}"
            self._answers[charge.idempotency_key] = PaymentResult(reference)
        return self._answers[charge.idempotency_key]
