"""Draft operations: create a DRAFT, update, finalize and discard it over GraphQL."""

from typing import Any

from tests.api.mutations.helpers import QUOTE_FIELDS, create
from tests.helpers import gql, token

UPDATE = (
    "mutation($input: UpdateDraftQuoteInput!) { updateDraftQuote(input: $input) {"
    f" quote {{ {QUOTE_FIELDS} }} userErrors {{ code field message }} }} }}"
)
FINALIZE = (
    "mutation($input: FinalizeQuoteInput!) { finalizeQuote(input: $input) {"
    f" quote {{ {QUOTE_FIELDS} }} userErrors {{ code field message }} }} }}"
)
DISCARD = """mutation($input: DiscardDraftQuoteInput!) { discardDraftQuote(input: $input) {
  discardedQuoteId userErrors { code field message } } }"""
NODE = "query($id: ID!) { node(id: $id) { ... on Quote { number status } } }"


async def draft(client, container, numbers: list[str], auth: str | None = None, **extra: Any):
    payload = await create(client, container, numbers, auth, draft=True, **extra)
    assert payload["userErrors"] == [], payload
    return payload["quote"]


async def update(client, auth: str | None = None, **input: Any) -> dict:
    body = await gql(client, UPDATE, {"input": input}, auth=auth or token())
    assert "errors" not in body, body
    return body["data"]["updateDraftQuote"]


async def finalize(client, auth: str | None = None, **input: Any) -> dict:
    body = await gql(client, FINALIZE, {"input": input}, auth=auth or token())
    assert "errors" not in body, body
    return body["data"]["finalizeQuote"]


async def discard(client, auth: str | None = None, **input: Any) -> dict:
    body = await gql(client, DISCARD, {"input": input}, auth=auth or token())
    assert "errors" not in body, body
    return body["data"]["discardDraftQuote"]
