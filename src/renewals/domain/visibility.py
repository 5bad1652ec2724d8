"""Who may see what (an authorization policy): a buyer its customer, a partner what it resells,
sales everything. Read-side SQL applies the same policy as row filters."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Visibility:
    """What a viewer may see: None everywhere means everything (sales)."""

    customer_id: int | None = None
    reseller_id: int | None = None
    nothing: bool = False

    def allows(self, record: Any) -> bool:
        """A subscription, quote or status event (anything with customer_id and reseller_id)."""
        if self.nothing:
            return False
        if self.customer_id is not None and record.customer_id != self.customer_id:
            return False
        return self.reseller_id is None or record.reseller_id == self.reseller_id
