"""Relay connections: `first` capped at 100, opaque keyset cursors per connection, PageInfo."""

import base64
import binascii
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Annotated, Generic, Protocol, Self, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry import Info, Private

from renewals.api.core.errors import bad_input
from renewals.api.core.ids import is_pk
from renewals.api.core.prefetch import Tree, merged, selected

R = TypeVar("R", bound="Keyed")


class Keyed(Protocol):
    """A row with an integer id: connections page by it (keyset)."""

    @property
    def id(self) -> int: ...


class Connects(Protocol):
    """Where a page is read: an AsyncEngine, or the request's shared read connection."""

    def connect(self) -> AbstractAsyncContextManager[AsyncConnection]: ...


DEFAULT_PAGE = 20
MAX_PAGE = 100


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 0 or first > MAX_PAGE:
        raise bad_input(f"`first` must be between 0 and {MAX_PAGE}; got {first}.")
    return first


def encode_cursor(connection: str, pk: int) -> str:
    """An opaque keyset cursor that names its connection, so it is refused by any other one."""
    return base64.urlsafe_b64encode(f"{connection}:{pk}".encode()).decode()


def decode_cursor(connection: str, cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        prefix, _, pk = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if prefix == connection and is_pk(pk):
            return int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise bad_input(f"`after` is not a cursor of this connection ({connection}).")


First = Annotated[int | None, strawberry.argument(description="Page size: 0 to 100, default 20.")]
After = Annotated[
    str | None, strawberry.argument(description="The `endCursor` of the previous page.")
]


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow.")
    has_previous_page: bool = strawberry.field(description="Whether items precede (with `after`).")
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge.")
    end_cursor: str | None = strawberry.field(
        description="Cursor to pass as `after` for the next page."
    )


def page_info(cursors: list[str], fetched: int, limit: int, after: str | None) -> PageInfo:
    """`fetched` rows were read for a page of `limit` (one more tells whether a next page exists)."""
    return PageInfo(
        has_next_page=fetched > limit,
        has_previous_page=after is not None,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


def node_fields(info: Info) -> Tree:
    """What a page selects of its nodes, through `edges { node }` and the `nodes` shortcut."""
    return merged(selected(info, "edges", "node"), selected(info, "nodes"))


@dataclass(frozen=True)
class PageRequest:
    """`first` and `after` of one connection, checked before anything is read."""

    connection: str
    limit: int
    after_id: int | None
    after: str | None

    @classmethod
    def of(cls, connection: str, first: int | None, after: str | None) -> "PageRequest":
        return cls(connection, page_size(first), decode_cursor(connection, after), after)


@dataclass(frozen=True)
class Page(Generic[R]):
    """One page of rows (keyset by id), its cursors and PageInfo, and the deferred total count."""

    rows: list[R]
    cursors: list[str]
    info: PageInfo
    count: Callable[[], Awaitable[int]]


async def read_page(
    engine: Connects,
    request: PageRequest,
    fetch: Callable[[AsyncConnection, int | None, int], Awaitable[list[R]]],
    count: Callable[[AsyncConnection], Awaitable[int]],
) -> Page[R]:
    """Reads `first` + 1 rows after the cursor (the extra one says whether a next page exists)."""
    async with engine.connect() as conn:
        rows = await fetch(conn, request.after_id, request.limit + 1) if request.limit else []
    page = rows[: request.limit]
    cursors = [encode_cursor(request.connection, r.id) for r in page]

    async def total() -> int:
        async with engine.connect() as conn:
            return await count(conn)

    return Page(page, cursors, page_info(cursors, len(rows), request.limit, request.after), total)


N = TypeVar("N")
Row = TypeVar("Row", bound=Keyed)


@strawberry.type(description="An item of a page, with its cursor.")
class Edge(Generic[N]):
    cursor: str = strawberry.field(
        description="Opaque position of this edge; pass it as `after` to continue after it."
    )
    node: N = strawberry.field(description="The item.")


@strawberry.type(description="A page of items (Relay cursor connection).")
class Connection(Generic[N]):
    """One type for every connection: `Connection[Order]` is `OrderConnection` in the schema, its
    edges `OrderEdge`; a feature subclasses it only to describe its own page."""

    count: Private[Callable[[], Awaitable[int]]]
    edges: list[Edge[N]] = strawberry.field(description="The page's edges.")
    page_info: PageInfo = strawberry.field(description="Where the page stands.")
    nodes: list[N] = strawberry.field(
        description="The page's items, without cursors (`edges { node }`)."
    )

    @strawberry.field(description="How many items match the filter (costs one count query).")
    async def total_count(self) -> int:
        return await self.count()

    @classmethod
    def of(cls, page: Page[Row], shape: Callable[[Row], N]) -> Self:
        """The page's rows shaped into nodes, each edge with its cursor."""
        nodes = [shape(row) for row in page.rows]
        edges = [Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)]
        return cls(count=page.count, edges=edges, page_info=page.info, nodes=nodes)
