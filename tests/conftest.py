"""Shared fixtures: a migrated SQLite file per test, the container, the ASGI app and a client."""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from renewals.api.core.execution import MISMATCHES
from renewals.app import create_app
from renewals.config import Settings
from renewals.container import Container, build_container
from tests.dbs import Template
from tests.factories import SECRET, TODAY


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    """One database made by the migrations; each test gets a copy (SQLite or PostgreSQL)."""
    template = Template(tmp_path_factory.mktemp("template"), "empty")
    yield template
    template.drop()


@pytest.fixture
def database_url(tmp_path: Path, migrated_template: Template) -> Iterator[str]:
    url = migrated_template.copy(tmp_path)
    yield url
    migrated_template.drop_copy(url)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=SECRET,
        today=TODAY,
        public_url="http://testserver",
        smtp_url=None,
        # Every query of the tests also runs through graphql-core and must give the same bytes
        # (api/core/execution.py); RENEWALS_COMPILED_EXECUTION=on|off in the environment wins.
        **(
            {}
            if "RENEWALS_COMPILED_EXECUTION" in os.environ
            else {"compiled_execution": "differential"}
        ),
    )


@pytest.fixture(autouse=True)
def no_compiled_mismatch() -> Iterator[None]:
    """Fails the test if a compiled query answered differently from graphql-core."""
    MISMATCHES.clear()
    yield
    assert not MISMATCHES, MISMATCHES


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    c = build_container(settings)
    yield c
    await c.close()


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(container=container, background=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
