"""When to try a failed delivery again: a delay that doubles per attempt up to a cap, then give up.

Pure: the caller says which attempt failed and what time it is.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """`max_attempts` tries in all; after failed attempt n (1, 2, ...) wait `first` * 2**(n-1),
    at most `cap`."""

    max_attempts: int
    cap: timedelta
    first: timedelta = timedelta(seconds=2)

    def delay(self, attempt: int) -> timedelta:
        """How long to wait after failed attempt number `attempt` (counted from 1)."""
        if attempt < 1:
            raise ValueError(f"attempts are counted from 1, got {attempt}")
        # Past 2**40 times the first delay any sane cap is reached; this keeps the numbers small.
        return min(self.first * 2 ** min(attempt - 1, 40), self.cap)

    def gives_up(self, attempt: int) -> bool:
        """True when failed attempt number `attempt` was the last one allowed."""
        return attempt >= self.max_attempts

    def next_attempt_at(self, attempt: int, now: datetime) -> datetime | None:
        """When to try again after failed attempt number `attempt` at `now`; None: give up."""
        return None if self.gives_up(attempt) else now + self.delay(attempt)
