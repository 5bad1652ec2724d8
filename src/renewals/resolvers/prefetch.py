"""Prefetching what a list's selection asks for, so nested resolvers answer synchronously.

graphql-core turns every awaitable field into a task; for a page of 100 subscriptions with
customer, reseller and open quote that is hundreds of tasks per request. A list resolver loads
each requested relation for the whole page first (one statement each, as before), and the
relation resolvers then find the value in the loader's cache and return it without awaiting.
"""

import asyncio
from collections.abc import Iterable, Iterator
from typing import Any

from strawberry import Info
from strawberry.dataloader import DataLoader
from strawberry.types.nodes import FragmentSpread, InlineFragment

from renewals.domain.eligibility import price_key
from renewals.resolvers.loaders import Loaders


def _fields(selections: Iterable[Any]) -> Iterator[Any]:
    for selection in selections:
        if isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)
        else:
            yield selection


def selected(info: Info, *path: str) -> dict[str, list[Any]]:
    """Field name → its selections, under `path` below the current field (fragments flattened)."""
    level = list(info.selected_fields)
    for name in path:
        level = [f for parent in level for f in _fields(parent.selections) if f.name == name]
    found: dict[str, list[Any]] = {}
    for parent in level:
        for field in _fields(parent.selections):
            found.setdefault(field.name, []).extend(field.selections)
    return found


def peek(loader: DataLoader[Any, Any], key: Any) -> tuple[bool, Any]:
    """(True, value) when the loader already holds a settled value for `key`."""
    future = loader.cache_map.get(key)
    if (
        future is not None
        and future.done()
        and not future.cancelled()
        and future.exception() is None
    ):
        return True, future.result()
    return False, None


async def prefetch_subscriptions(
    loaders: Loaders, records: list[Any], fields: dict[str, list[Any]]
) -> None:
    loads = []
    if "customer" in fields:
        loads.append(loaders.customer_by_id.load_many({r.customer_id for r in records}))
    if "reseller" in fields:
        loads.append(
            loaders.partner_by_id.load_many({r.reseller_id for r in records if r.reseller_id})
        )
    if "openQuote" in fields:
        loads.append(
            loaders.quote_by_id.load_many({r.open_quote_id for r in records if r.open_quote_id})
        )
    if "renewalEligibility" in fields:
        loads.append(loaders.price_by_key.load_many({price_key(r) for r in records}))
    if loads:
        # A failed load stays in the loader; the nested field then reports it at its own path.
        await asyncio.gather(*loads, return_exceptions=True)


async def prefetch_quotes(
    loaders: Loaders, records: list[Any], fields: dict[str, list[Any]]
) -> None:
    ids = [r.id for r in records]
    loads = []
    if "customer" in fields:
        loads.append(loaders.customer_by_id.load_many({r.customer_id for r in records}))
    if "reseller" in fields:
        loads.append(
            loaders.partner_by_id.load_many({r.reseller_id for r in records if r.reseller_id})
        )
    for name, loader in (
        ("lines", loaders.lines_by_quote_id),
        ("promotions", loaders.promotions_by_quote_id),
        ("recipients", loaders.recipients_by_quote_id),
        ("statusHistory", loaders.history_by_quote_id),
        ("order", loaders.order_by_quote_id),
    ):
        if name in fields:
            loads.append(loader.load_many(ids))
    if loads:
        # A failed load stays in the loader; the nested field then reports it at its own path.
        await asyncio.gather(*loads, return_exceptions=True)
    line_fields = {f.name for f in _fields(fields.get("lines", []))}
    if "subscription" in line_fields:
        lines = [
            ln for quote_id in ids for ln in peek(loaders.lines_by_quote_id, quote_id)[1] or []
        ]
        await loaders.subscription_by_id.load_many({ln.subscription_id for ln in lines})
