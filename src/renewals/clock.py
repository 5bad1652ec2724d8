"""The business date and time, injected everywhere (RENEWALS_TODAY fixes the date)."""

from datetime import UTC, date, datetime
from typing import Protocol


class Clock(Protocol):
    def today(self) -> date: ...

    def now(self) -> datetime: ...


class SystemClock:
    """The real date, or a fixed business date when `fixed_today` is given."""

    def __init__(self, fixed_today: date | None = None) -> None:
        self.fixed_today = fixed_today

    def today(self) -> date:
        return self.fixed_today or datetime.now(UTC).date()

    def now(self) -> datetime:
        """Naive UTC, as stored in the database."""
        return datetime.now(UTC).replace(tzinfo=None)
