"""The CLI's fixtures: a clean RENEWALS_* environment on a SQLite file in the test's folder."""

import os
from pathlib import Path

import pytest

from tests.factories import SECRET, TODAY


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RENEWALS_")}
    return {
        **clean,
        "RENEWALS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
        "RENEWALS_SECRET_KEY": SECRET,
        "RENEWALS_TODAY": TODAY.isoformat(),
    }
