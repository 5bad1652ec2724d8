"""Helpers the tests call: seed a database, mint a bearer token, send an operation, count SQL."""

from typing import Any

import httpx

from renewals.auth import mint_token
from renewals.container import Container
from renewals.domain.enums import Role
from renewals.persistence.statements import count_statements
from renewals.services.importer import import_document
from tests.factories import SECRET


async def seed(container: Container, doc: dict) -> None:
    await import_document(container.db, doc)


def token(role: str = "buyer", csn: str | None = "5100000001") -> str:
    r = Role(role)
    return mint_token(
        SECRET,
        r,
        customer_csn=csn if r == Role.BUYER else None,
        partner_csn=csn if r == Role.PARTNER else None,
    )


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    auth: str | None = None,
) -> dict[str, Any]:
    """POSTs one operation; returns the JSON body (asserts HTTP 200 unless errors explain why)."""
    headers = {"Authorization": f"Bearer {auth}"} if auth else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    body = response.json()
    assert response.status_code == 200 or body.get("errors"), response.text
    return body


def count_sql(container: Container) -> Any:
    """Counts the statements (`.selects`, `.total`) issued on both engines while inside."""
    return count_statements(container.db)
