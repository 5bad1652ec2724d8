"""Issue 11, part 5: on PostgreSQL the rate budget is one per token for every worker and server."""

import asyncio

from renewals.container import build_container
from renewals.persistence.budgets import DatabaseBudgets


async def test_two_servers_spend_one_budget_and_never_overspend_it(container):
    other = build_container(container.settings)  # a second server process on the same database
    try:
        first, second = container.budgets, other.budgets
        assert isinstance(first, DatabaseBudgets) and isinstance(second, DatabaseBudgets)
        take = {"maximum": 100, "restore_rate": 0.001}
        assert (await first.take("viewer:partner:P1", 60, **take)).allowed
        refused = await second.take("viewer:partner:P1", 60, **take)
        assert not refused.allowed
        assert 39 <= refused.bucket.available <= 41  # what the first server left
        assert (await second.take("viewer:partner:P2", 60, **take)).allowed  # its own budget

        # Concurrent takes across both servers: exactly what the bucket holds passes.
        results = await asyncio.gather(
            *[(first if i % 2 else second).take("viewer:sales", 10, **take) for i in range(20)]
        )
        assert sum(r.allowed for r in results) == 10
    finally:
        await other.close()
