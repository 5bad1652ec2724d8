"""What every part of the benchmark shares: the business date, the secret, the sizes per mode."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

TODAY = date(2026, 6, 15)
SECRET = "bench-secret-key-that-is-long-enough-for-hs256-signing"
FOCUS_CUSTOMER = "5100000001"  # the S1 buyer
FOCUS_PARTNER = "P000000001"  # the S2 partner
SCENARIOS = ("S1", "S2", "S3", "S4", "S4b", "S5", "S6")


@dataclass(frozen=True)
class Spec:
    """One data set: how many rows of each kind (see bench/dataset.py for their shapes)."""

    customers: int
    subscriptions: int
    partners: int = 10
    focus_eligible: int = 30  # eligible subscriptions of the S1 buyer (about 30 objects)
    quotes_per_status: int = 30  # quotes in each of the 7 statuses
    reserve: int = 4  # eligible subscriptions never put on the data set's quotes
    seed: int = 42

    def scaled(self, factor: int) -> Spec:
        return replace(
            self,
            customers=self.customers * factor,
            subscriptions=self.subscriptions * factor,
            focus_eligible=self.focus_eligible * factor,
            quotes_per_status=self.quotes_per_status * factor,
        )


@dataclass(frozen=True)
class JobsSpec:
    """S5: many subscriptions, some due for R12 automatic quotes."""

    customers: int
    subscriptions: int
    due: int
    seed: int = 7


@dataclass(frozen=True)
class Sizes:
    """Everything a mode (full or smoke) decides."""

    main: Spec
    warmup_s: float
    duration_s: float
    rounds: int
    connections: int
    s3_sequential: int
    s3_clients: int
    s3_per_client: int
    s4_subscribers: int
    s4_changes: int
    s4b_subscribers: int
    s4b_changes: int
    s4b_processes: int  # subscriber processes (each an asyncio client of its share)
    jobs: JobsSpec
    s6_base: Spec
    s6_scales: tuple[int, ...]
    s6_quote_cap: int  # quotes per status stop growing here (building quotes is slow)
    wait_timeout_s: float


FULL = Sizes(
    main=Spec(customers=200, subscriptions=20_000),
    warmup_s=3.0,
    duration_s=6.0,
    rounds=3,
    connections=16,
    s3_sequential=100,
    s3_clients=16,
    s3_per_client=20,
    s4_subscribers=1000,
    s4_changes=100,
    s4b_subscribers=10_000,
    s4b_changes=30,
    s4b_processes=4,
    jobs=JobsSpec(customers=1000, subscriptions=100_000, due=10_000),
    # 1x = 200 subscriptions, 3 eligible for the buyer, 1 quote per status; 100x = the main size.
    s6_base=Spec(customers=2, subscriptions=200, focus_eligible=3, quotes_per_status=1),
    s6_scales=(1, 10, 100),
    s6_quote_cap=100,
    wait_timeout_s=60.0,
)

SMOKE = Sizes(
    main=Spec(customers=10, subscriptions=400, focus_eligible=20, quotes_per_status=1),
    warmup_s=0.3,
    duration_s=1.0,
    rounds=1,
    connections=4,
    s3_sequential=3,
    s3_clients=16,
    s3_per_client=1,
    s4_subscribers=10,
    s4_changes=5,
    s4b_subscribers=20,
    s4b_changes=3,
    s4b_processes=2,
    jobs=JobsSpec(customers=10, subscriptions=200, due=20),
    s6_base=Spec(customers=2, subscriptions=100, focus_eligible=2, quotes_per_status=1),
    s6_scales=(1, 10, 100),
    s6_quote_cap=3,
    wait_timeout_s=20.0,
)
