"""The base of every loader: one read-side SQL batch per relation per request (or event), all of
a request's batches and list reads on one read connection (persistence/db.py's
SharedReadConnection)."""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.dataloader import DataLoader

from renewals.persistence.db import SharedReadConnection

K = TypeVar("K")
V = TypeVar("V")
Fetch = Callable[[AsyncConnection, Sequence[Any]], Awaitable[list[Any]]]


class SqlLoader(DataLoader[K, V], Generic[K, V]):
    """A DataLoader whose batch is one `fetch(conn, keys)` from persistence/reads.py, returning
    results in key order with None / [] for misses. Subclasses name it `<Target>By<Key>Loader`."""

    fetch: Fetch

    def __init__(self, reads: SharedReadConnection) -> None:
        fetch = type(self).fetch

        async def load(keys: Sequence[K]) -> list[V]:
            return await reads.run(fetch, keys)

        super().__init__(load_fn=load)
