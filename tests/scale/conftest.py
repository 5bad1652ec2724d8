"""The scale-out tests need PostgreSQL: they run in the suite's PostgreSQL pass (.ci/run)."""

import pytest

from tests.dbs import ON_POSTGRES


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRES:
        return
    selected = [i for i in items if "tests/scale/" not in str(i.fspath)]
    deselected = [i for i in items if "tests/scale/" in str(i.fspath)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
