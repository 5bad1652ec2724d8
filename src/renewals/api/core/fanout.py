"""One GraphQL execution per status event for every subscriber that would get the same answer.

A `quoteStatusChanged` subscription without `quoteId` is *shareable*: what it sends depends only
on its document, operation name and variables and on who is looking (role and visibility,
domain/visibility.py), never on the socket. Subscribers with the same `ShareKey` join one
`Group`: the group runs the subscription once (Strawberry's normal `schema.stream`, with a context
of its own for that viewer class), serializes each result once, and every member's `next`
(legacy: `data`) message is the shared payload spliced into that member's own frame:
`{"id":<member's id>,"type":"next","payload":<shared JSON>}`.

The key holds the role and the whole Visibility, so a payload computed for one visibility can
never reach a viewer of another. `quoteId` subscriptions (current state first) stay per
subscriber. A joiner is charged no query cost of its own (the group's run is charged once).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLFormattedError,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    parse,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from renewals.api.core.context import Context
from renewals.auth import Viewer
from renewals.domain.enums import Role
from renewals.domain.visibility import Visibility

if TYPE_CHECKING:
    from renewals.api.core.socket_limits import Outbox

log = logging.getLogger("renewals.fanout")

SHAREABLE_FIELD = "quoteStatusChanged"
PER_SUBSCRIBER_ARGUMENT = "quoteId"


@dataclass
class FanOutStats:
    """Counters of this process (tests and the benchmark read them)."""

    executions: int = 0  # results computed (and serialized) by groups
    deliveries: int = 0  # member messages queued from them
    groups_started: int = 0


stats = FanOutStats()


@dataclass(frozen=True, slots=True)
class ShareKey:
    """Everything a shared payload depends on."""

    query: str
    operation_name: str | None
    variables: bytes  # canonical JSON (sorted keys)
    role: Role
    visibility: Visibility


@functools.lru_cache(maxsize=256)
def _shape(query: str, operation_name: str | None) -> tuple[bool, str | None, bool]:
    """(shareable document?, the variable given to quoteId if any, quoteId has a default)."""
    try:
        document = parse(query)
    except GraphQLError:
        return False, None, False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation != OperationType.SUBSCRIPTION:
        return False, None, False
    operation = operations[0]
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return False, None, False
    root = selections[0]
    if root.name.value != SHAREABLE_FIELD:
        return False, None, False
    for argument in root.arguments or ():
        if argument.name.value != PER_SUBSCRIBER_ARGUMENT:
            continue
        if isinstance(argument.value, NullValueNode):
            continue
        if not isinstance(argument.value, VariableNode):
            return False, None, False
        name = argument.value.name.value
        has_default = any(
            d.variable.name.value == name and d.default_value is not None
            for d in operation.variable_definitions or ()
        )
        return True, name, has_default
    return True, None, False


def share_key(
    query: object,
    operation_name: object,
    variables: object,
    viewer: Viewer,
    visibility: Visibility,
) -> ShareKey | None:
    """The key of a shareable operation; None for anything to run per subscriber."""
    if not isinstance(query, str) or not (
        operation_name is None or isinstance(operation_name, str)
    ):
        return None
    if variables is not None and not isinstance(variables, dict):
        return None
    shareable, quote_variable, has_default = _shape(query, operation_name)
    if not shareable:
        return None
    if quote_variable is not None and (
        has_default or (variables or {}).get(quote_variable) is not None
    ):
        return None
    try:
        canonical = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    return ShareKey(query, operation_name, canonical, viewer.role, visibility)


class SharedContext(Context):
    """The context a group runs with: the first member's viewer, the key's visibility, and how
    many subscribers its one bus listener serves (`subscribers`, read by the resolver)."""

    subscribers: Callable[[], int]


def encode_result(result: ExecutionResult) -> str:
    """The `payload` of a next/data message, as graphql-transport-ws and graphql-ws shape it."""
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [e.formatted for e in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return orjson.dumps(payload).decode()


@dataclass(eq=False)
class Member:
    """One subscriber's operation: its frame prefix and its socket's outbox."""

    prefix: str  # e.g. '{"id":"1","type":"next","payload":'
    outbox: Outbox
    #: Resolved when the group ends: None for complete, else the errors to answer with.
    done: asyncio.Future[list[GraphQLFormattedError] | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def end(self, errors: list[GraphQLFormattedError] | None) -> None:
        if not self.done.done():
            self.done.set_result(errors)


Start = Callable[[Context], Awaitable[AsyncIterator[Any]]]


class Group:
    """One running subscription shared by its members."""

    def __init__(self, hub: FanOut, key: ShareKey) -> None:
        self.hub, self.key = hub, key
        self.members: set[Member] = set()
        self.task: asyncio.Task[None] | None = None

    def start(self, context: SharedContext, begin: Start) -> None:
        context.subscribers = lambda: len(self.members)
        self.task = asyncio.create_task(self._run(context, begin))

    async def _run(self, context: SharedContext, begin: Start) -> None:
        errors: list[GraphQLFormattedError] | None = None
        try:
            source = await begin(context)
            async with aclosing(source):
                first = True
                async for result in source:
                    if first and isinstance(result, PreExecutionError):
                        errors = [e.formatted for e in result.errors or ()]
                        return
                    if not isinstance(result, ExecutionResult):
                        errors = [
                            GraphQLError(
                                "Incremental delivery is not supported over WebSocket"
                            ).formatted
                        ]
                        return
                    first = False
                    self.broadcast(encode_result(result))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the members are completed, the process goes on
            log.exception("a shared subscription failed")
        finally:
            self.hub.forget(self)
            for member in list(self.members):
                member.end(errors)

    def broadcast(self, payload: str) -> None:
        stats.executions += 1
        suffix = payload + "}"
        for member in list(self.members):
            member.outbox.put(member.prefix + suffix)
        stats.deliveries += len(self.members)


class FanOut:
    """The groups of one process (one per GraphQL view)."""

    def __init__(self) -> None:
        self.groups: dict[ShareKey, Group] = {}

    def forget(self, group: Group) -> None:
        if self.groups.get(group.key) is group:
            del self.groups[group.key]

    async def run(
        self, key: ShareKey, member: Member, make_context: Callable[[], SharedContext], begin: Start
    ) -> list[GraphQLFormattedError] | None:
        """Joins (or starts) the key's group until it ends or the caller is cancelled; the errors
        to answer with, or None to complete."""
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(self, key)
            stats.groups_started += 1
            group.start(make_context(), begin)
        group.members.add(member)
        try:
            return await member.done
        finally:
            group.members.discard(member)
            if not group.members and group.task is not None:
                self.forget(group)
                group.task.cancel()
                with contextlib.suppress(BaseException):
                    await group.task


def hub_of(view: object) -> FanOut:
    """The view's FanOut, made on first use."""
    hub = getattr(view, "fanout", None)
    if not isinstance(hub, FanOut):
        hub = FanOut()
        view.fanout = hub  # type: ignore[attr-defined]
    return hub


def shared_context(base: Context, viewer: Viewer, visibility: Visibility) -> SharedContext:
    # The first member's request: the operation rules check that it is a WebSocket (only read
    # before execution starts).
    context = SharedContext(base.container, base.caches, request=base.request)
    context.authenticated(viewer)
    context._visibility = visibility  # noqa: SLF001 - the key's visibility, resolved already
    return context


async def key_for(
    context: Any, query: object, operation_name: object, variables: object
) -> ShareKey | None:
    """The share key of an operation on a socket's context, or None (run it per subscriber)."""
    if not isinstance(context, Context):
        return None
    try:
        viewer = context.viewer()
        visibility = await context.visibility()
    except Exception:  # noqa: BLE001 - not shareable; the normal path answers
        return None
    return share_key(query, operation_name, variables, viewer, visibility)
