"""The rate budget of partner integrations: a leaky bucket of query-cost points per token.

A bucket holds at most `maximum` points and refills at `restore_rate` points per second; a query
takes its calculated cost from it, or is refused with the seconds until that much is back.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bucket:
    available: float
    at: float  # seconds (any monotonic epoch shared by every caller of one store)


@dataclass(frozen=True, slots=True)
class Taken:
    bucket: Bucket  # the state to keep
    allowed: bool
    retry_after: float  # seconds until `cost` points are available again (0 when allowed)


def take(
    bucket: Bucket | None, cost: int, now: float, *, maximum: int, restore_rate: float
) -> Taken:
    """Refills the bucket for the time passed, then takes `cost` if it is there; a full bucket
    for an unknown key. A cost above `maximum` can never pass (the per-query maximum stops it
    first)."""
    if bucket is None:
        available = float(maximum)
    else:
        elapsed = max(0.0, now - bucket.at)
        available = min(float(maximum), bucket.available + elapsed * restore_rate)
    if cost <= available:
        return Taken(Bucket(available - cost, now), True, 0.0)
    wait = (cost - available) / restore_rate if restore_rate > 0 else float("inf")
    return Taken(Bucket(available, now), False, wait)
