"""The one retry policy of outbox jobs and email delivery: delay per attempt, cap, giving up."""

from datetime import datetime, timedelta

import pytest

from renewals.domain.retry import RetryPolicy
from renewals.services import delivery, worker

S = timedelta(seconds=1)
NOW = datetime(2026, 11, 27, 12, 0)
JOBS = RetryPolicy(max_attempts=6, cap=300 * S)
EMAILS = RetryPolicy(max_attempts=8, cap=600 * S)


@pytest.mark.parametrize(
    ("policy", "attempt", "delay"),
    [
        (JOBS, 1, 2 * S),
        (JOBS, 2, 4 * S),
        (JOBS, 3, 8 * S),
        (JOBS, 8, 256 * S),
        (JOBS, 9, 300 * S),  # 512 s, capped
        (JOBS, 10_000, 300 * S),
        (EMAILS, 1, 2 * S),
        (EMAILS, 9, 512 * S),
        (EMAILS, 10, 600 * S),  # 1024 s, capped
        (RetryPolicy(3, cap=60 * S, first=5 * S), 2, 10 * S),
        (RetryPolicy(3, cap=60 * S, first=5 * S), 5, 60 * S),
    ],
)
def test_the_delay_doubles_per_attempt_up_to_the_cap(
    policy: RetryPolicy, attempt: int, delay: timedelta
) -> None:
    assert policy.delay(attempt) == delay


@pytest.mark.parametrize(
    ("policy", "attempt", "retry_at"),
    [
        (JOBS, 1, NOW + 2 * S),
        (JOBS, 5, NOW + 32 * S),
        (JOBS, 6, None),  # the sixth failure was the last try
        (JOBS, 7, None),
        (EMAILS, 6, NOW + 64 * S),
        (EMAILS, 7, NOW + 128 * S),
        (EMAILS, 8, None),
        (RetryPolicy(1, cap=60 * S), 1, None),  # one try only: never again
    ],
)
def test_the_next_attempt_is_now_plus_the_delay_until_the_policy_gives_up(
    policy: RetryPolicy, attempt: int, retry_at: datetime | None
) -> None:
    assert policy.next_attempt_at(attempt, NOW) == retry_at
    assert policy.gives_up(attempt) is (retry_at is None)


@pytest.mark.parametrize("attempt", [0, -1])
def test_attempts_are_counted_from_one(attempt: int) -> None:
    with pytest.raises(ValueError, match="counted from 1"):
        RetryPolicy(3, cap=60 * S).delay(attempt)


def test_jobs_and_emails_use_it_with_their_own_limits() -> None:
    assert (worker.RETRY, delivery.RETRY) == (JOBS, EMAILS)
