"""Prefetching what a list's selection asks for, so nested resolvers answer synchronously.

graphql-core turns every awaitable field into a task; for a page of 100 subscriptions with
customer, reseller and open quote that is hundreds of tasks per request. A list resolver loads
each requested relation for the whole page first (one statement each, as before), and the
relation resolvers then find the value in the loader's cache and return it without awaiting.
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any, TypeVar

from strawberry import Info
from strawberry.dataloader import DataLoader
from strawberry.types.nodes import FragmentSpread, InlineFragment

T = TypeVar("T")


def fields_of(selections: Iterable[Any]) -> Iterator[Any]:
    for selection in selections:
        if isinstance(selection, FragmentSpread | InlineFragment):
            yield from fields_of(selection.selections)
        else:
            yield selection


def selected(info: Info, *path: str) -> dict[str, list[Any]]:
    """Field name → its selections, under `path` below the current field (fragments flattened)."""
    level = list(info.selected_fields)
    for name in path:
        level = [f for parent in level for f in fields_of(parent.selections) if f.name == name]
    found: dict[str, list[Any]] = {}
    for parent in level:
        for field in fields_of(parent.selections):
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


def resolved(loader: DataLoader[Any, Any], key: Any, shape: Callable[[Any], Any]) -> Any:
    """The shaped value at once when the loader holds it (prefetched), else an awaitable of it.
    Typed Any: a Strawberry resolver may return either, and its annotation states the type."""
    hit, value = peek(loader, key)
    if hit:
        return shape(value)

    async def load() -> Any:
        return shape(await loader.load(key))

    return load()


async def settle(loads: list[Awaitable[Any]]) -> None:
    """Runs prefetch loads together. A failed load stays in its loader; the nested field then
    reports it at its own path."""
    if loads:
        await asyncio.gather(*loads, return_exceptions=True)
