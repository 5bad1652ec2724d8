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
    cost: bool = False,
) -> dict[str, Any]:
    """POSTs one operation; returns the JSON body (asserts HTTP 200 unless errors explain why).
    The cost report every executed response carries (`extensions.cost`) is left out unless
    `cost=True`, so tests of other behaviour can compare whole answers."""
    headers = {"Authorization": f"Bearer {auth}"} if auth else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    body = response.json()
    assert response.status_code == 200 or body.get("errors"), response.text
    return body if cost else without_cost(body)


def without_cost(body: Any) -> Any:
    """The answer without `extensions.cost` (and without `extensions` if nothing else is left),
    and its errors without `extensions.requestId` (the request's id, new for each request)."""
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        body = {**body, "errors": [without_request_id(e) for e in body["errors"]]}
    if not isinstance(body, dict) or "extensions" not in body:
        return body
    extensions = {k: v for k, v in body["extensions"].items() if k != "cost"}
    rest = {k: v for k, v in body.items() if k != "extensions"}
    return {**rest, "extensions": extensions} if extensions else rest


def without_request_id(error: Any) -> Any:
    if not isinstance(error, dict) or not isinstance(error.get("extensions"), dict):
        return error
    extensions = {k: v for k, v in error["extensions"].items() if k != "requestId"}
    return {**error, "extensions": extensions}


def count_sql(container: Container) -> Any:
    """Counts the statements (`.selects`, `.total`) issued on both engines while inside."""
    return count_statements(container.db)
