"""A cache keyed by objects' identity: parsed documents are cached by text, so the same query
sent again arrives as the same document (and the same field nodes), and what is derived from
them (plans, costs, selection trees) is kept per object rather than recomputed per request."""

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class IdentityLRU(Generic[V]):
    """Values by the identity of some objects plus a hashable extra, least recently used out.
    The objects are kept with their value, so their ids cannot be reused while it is cached."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[Hashable, tuple[tuple[object, ...], V]] = OrderedDict()

    def get(self, objects: tuple[object, ...], extra: Hashable = None) -> V | None:
        key = (tuple(map(id, objects)), extra)
        hit = self._entries.get(key)
        if hit is None or any(a is not b for a, b in zip(hit[0], objects, strict=True)):
            return None
        self._entries.move_to_end(key)
        return hit[1]

    def put(self, objects: tuple[object, ...], extra: Hashable, value: V) -> V:
        self._entries[(tuple(map(id, objects)), extra)] = (objects, value)
        if len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)
