"""A failing statement never shows its bound values (personal data) in the error or the log."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, StatementError


async def test_a_failing_statement_hides_its_parameters(container):
    for engine in (container.db.read_engine, container.db.write_engine):
        async with engine.connect() as conn:
            with pytest.raises((DBAPIError, StatementError)) as failure:
                await conn.execute(
                    text("SELECT * FROM no_such_table WHERE email = :email"),
                    {"email": "carl.controller@acme.example"},
                )
        assert "carl.controller@acme.example" not in str(failure.value)
        assert "hidden due to hide_parameters" in str(failure.value)
