"""The event bus port: status events published after commit, subscribed with a filter."""

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from renewals.domain.enums import QuoteStatus
from renewals.observability import metrics

QUEUE_LIMIT = 10_000
SEEN_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """Small on purpose: ids and the change; subscribers re-read the quote."""

    history_id: int
    quote_id: int
    customer_id: int
    reseller_id: int | None
    status: QuoteStatus
    previous_status: QuoteStatus | None
    occurred_at: datetime


class EventBus(Protocol):
    async def publish(self, events: list[StatusEvent]) -> None: ...

    def listen(
        self, subscribers: Callable[[], int] | None = None
    ) -> AbstractAsyncContextManager["asyncio.Queue[StatusEvent]"]: ...


class InProcessEventBus:
    """Fans events out to every listener of this process, each history row exactly once.

    A listener may serve many subscribers (a shared subscription, api/core/fanout.py): it says
    how many with `subscribers`, and `listener_count` counts subscribers, not queues."""

    def __init__(self) -> None:
        self._queues: dict[asyncio.Queue[StatusEvent], Callable[[], int] | None] = {}
        self._seen: OrderedDict[int, None] = OrderedDict()

    async def publish(self, events: list[StatusEvent]) -> None:
        metrics.events_published(len(events))
        for event in events:
            if event.history_id in self._seen:
                continue
            self._seen[event.history_id] = None
            if len(self._seen) > SEEN_LIMIT:
                self._seen.popitem(last=False)
            for queue in list(self._queues):
                if queue.qsize() < QUEUE_LIMIT:
                    queue.put_nowait(event)

    @asynccontextmanager
    async def listen(
        self, subscribers: Callable[[], int] | None = None
    ) -> AsyncIterator[asyncio.Queue[StatusEvent]]:
        queue: asyncio.Queue[StatusEvent] = asyncio.Queue()
        self._queues[queue] = subscribers
        try:
            yield queue
        finally:
            self._queues.pop(queue, None)

    @property
    def listener_count(self) -> int:
        """Subscribers listening (a shared listener counts its subscribers)."""
        return sum(1 if count is None else count() for count in self._queues.values())

    @property
    def queue_count(self) -> int:
        """Listening queues (one per shared subscription, one per unshared subscriber)."""
        return len(self._queues)
