"""The APQ store is bounded by bytes, in all and per document, and keeps only documents that
passed parsing, validation and the operation limits (B3: 1,000 documents of any size, from
anyone, the moment they arrived)."""

import hashlib

import httpx
import pytest

from renewals.app import create_app
from renewals.container import build_container
from renewals.web.persisted import PersistedQueries
from tests.api.test_limits import aliased, nested, numbers_filter
from tests.helpers import token, without_cost

AUTH = {"Authorization": f"Bearer {token('sales', None)}"}
NOT_FOUND = {"code": "PERSISTED_QUERY_NOT_FOUND"}


def apq(query: str) -> dict:
    return {
        "persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}
    }


def padded(size: int, field: str = "role") -> str:
    """A valid query of `size` bytes, padded with a comment."""
    body = f"\n{{ viewer {{ {field} }} }}"
    return "#" + "x" * (size - 1 - len(body)) + body


async def register_then_lookup(client: httpx.AsyncClient, query: str) -> dict:
    """Sends document and hash, then the hash alone; returns the second answer's extensions."""
    await client.post("/graphql", json={"query": query, "extensions": apq(query)}, headers=AUTH)
    again = await client.post("/graphql", json={"extensions": apq(query)}, headers=AUTH)
    body = without_cost(again.json())
    return body["errors"][0]["extensions"] if "errors" in body else {"data": body["data"]}


REFUSED = {
    "syntax error": "{ viewer { role }",
    "unknown field": "{ viewer { rol } }",
    "too deep": nested(11),
    "too many aliases": aliased(31),
    "too many tokens": numbers_filter(2000),
}


@pytest.mark.parametrize("query", REFUSED.values(), ids=REFUSED)
async def test_a_document_refused_before_execution_is_not_kept(client, container, query):
    assert await register_then_lookup(client, query) == NOT_FOUND


async def test_a_document_that_ran_is_kept(client, container):
    query = padded(1000)
    assert await register_then_lookup(client, query) == {"data": {"viewer": {"role": "SALES"}}}


async def test_a_document_over_the_per_document_limit_runs_but_is_not_kept(client, container):
    query = padded(64 * 1024 + 1)
    response = await client.post(
        "/graphql", json={"query": query, "extensions": apq(query)}, headers=AUTH
    )
    assert without_cost(response.json()) == {"data": {"viewer": {"role": "SALES"}}}
    assert await register_then_lookup(client, query) == NOT_FOUND


async def test_the_store_holds_at_most_its_bytes(settings):
    settings = settings.model_copy(
        update={"persisted_max_bytes": 5000, "persisted_max_document_bytes": 2000}
    )
    small = build_container(settings)
    transport = httpx.ASGITransport(app=create_app(container=small, background=False))
    documents = [padded(1900, field) for field in ("role", "customer { csn }", "partner { csn }")]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for query in documents:
            await client.post(
                "/graphql", json={"query": query, "extensions": apq(query)}, headers=AUTH
            )
        found = [
            "data"
            in (await client.post("/graphql", json={"extensions": apq(q)}, headers=AUTH)).json()
            for q in documents
        ]
    await small.close()
    assert found == [False, True, True]  # 3 × 1900 bytes do not fit in 5000: the first left


def test_least_recently_used_documents_leave_first_when_bytes_run_out():
    store = PersistedQueries(max_bytes=3000, max_document_bytes=2000)
    documents = [padded(1000, f) for f in ("a", "b", "c", "d")]
    for query in documents[:3]:
        store.register(query, apq(query))
    store.resolve(None, apq(documents[0]))  # used: the second is now the oldest
    store.register(documents[3], apq(documents[3]))
    assert store.size <= 3000
    assert len(store) == 3
    with pytest.raises(Exception, match="PersistedQueryNotFound"):
        store.resolve(None, apq(documents[1]))
    assert store.resolve(None, apq(documents[0])) == documents[0]


def test_resolving_a_document_does_not_store_it():
    store = PersistedQueries(max_bytes=3000, max_document_bytes=2000)
    query = padded(100)
    assert store.resolve(query, apq(query)) == query
    assert len(store) == 0
