"""Prefetching what a list's selection asks for, so nested resolvers answer synchronously.

graphql-core turns every awaitable field into a task; for a page of 100 subscriptions with
customer, reseller and open quote that is hundreds of tasks per request. A list resolver loads
each requested relation for the whole page first (one statement each, as before), and the
relation resolvers then find the value in the loader's cache and return it without awaiting.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry import Info
from strawberry.dataloader import DataLoader

from renewals.api.core.identity_cache import IdentityLRU

T = TypeVar("T")


Tree = dict[str, "Tree"]
"""What a field selects: each selected field's name (not alias) → what it selects in turn, with
fragments flattened and the same field selected twice merged."""

_TREES: IdentityLRU[Tree] = IdentityLRU(2048)


def _merge_into(
    tree: Tree, selection_set: SelectionSetNode | None, info: GraphQLResolveInfo
) -> None:
    if selection_set is None:
        return
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            _merge_into(tree.setdefault(node.name.value, {}), node.selection_set, info)
        elif isinstance(node, InlineFragmentNode):
            _merge_into(tree, node.selection_set, info)
        elif isinstance(node, FragmentSpreadNode):
            fragment = info.fragments.get(node.name.value)
            if fragment is not None:
                _merge_into(tree, fragment.selection_set, info)


def selection_tree(info: Info) -> Tree:
    """The current field's selection as a tree of names, read from the document itself and kept
    per field node: parsed documents are cached, so a query sent again walks nothing (Strawberry's
    `info.selected_fields` converts the whole selection, arguments and directives, each time).
    Only names are kept, so the tree holds for any variables; `@skip`/`@include` are not applied
    (a prefetch may load a relation the response leaves out, never miss one)."""
    raw = info._raw_info
    nodes = tuple(raw.field_nodes)
    tree = _TREES.get(nodes)
    if tree is None:
        tree = {}
        for node in nodes:
            _merge_into(tree, node.selection_set, raw)
        _TREES.put(nodes, None, tree)
    return tree


def merged(a: Tree, b: Tree) -> Tree:
    """Both selections in one tree (neither is changed: trees are shared between requests)."""
    out = dict(a)
    for name, sub in b.items():
        out[name] = merged(out[name], sub) if name in out else sub
    return out


def selected(info: Info, *path: str) -> Tree:
    """What is selected under `path` below the current field: name → its own selection."""
    tree = selection_tree(info)
    for name in path:
        tree = tree.get(name, {})
    return tree


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
