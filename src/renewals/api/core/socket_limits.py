"""What one WebSocket, and the sockets of one token, may hold (W1); read by api/core/websocket.py.

| limit | setting | close code |
| --- | --- | --- |
| operations running on one socket | RENEWALS_WS_MAX_OPERATIONS (100) | 4400 Too many operations |
| sockets open with one token (per process) | RENEWALS_WS_MAX_SOCKETS_PER_TOKEN (20) | 4429 Too many sockets |
| bytes in one message | RENEWALS_WS_MAX_MESSAGE_BYTES (256 KB) | 1009 Message too big |
| messages queued for one socket, not yet sent | RENEWALS_WS_MAX_QUEUED_MESSAGES (1000) | 1013 Slow consumer |

4400 and 4429 follow graphql-transport-ws (its 4400 Bad Request, its 4429 "too many"); the
graphql-ws client treats both as fatal, so it does not reconnect into the same refusal. 1009 is
RFC 6455's "message too big". Legacy graphql-ws sockets close with the same codes.

Every message to a socket goes through its `Outbox`: a bounded queue and one writer task. A
client that stops reading fills it; the socket is then closed with 1013 (RFC 6455 "Try Again
Later": the graphql-ws client reconnects, and re-subscribing is the way to catch up) instead of
buffering without end, and no other socket waits for it: fan-out only ever enqueues.
"""

import asyncio
import contextlib
import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from renewals.config import Settings

TOO_MANY_OPERATIONS = 4400
TOO_MANY_SOCKETS = 4429
MESSAGE_TOO_BIG = 1009
SLOW_CONSUMER = 1013
SLOW_CONSUMER_REASON = "Slow consumer: too many messages queued"
FLUSH_BEFORE_CLOSE_SECONDS = 2.0

log = logging.getLogger("renewals.websocket")


@dataclass
class OutboxStats:
    """Counters of this process (tests and the benchmark read them)."""

    slow_consumers_closed: int = 0


outbox_stats = OutboxStats()

#: Set in a socket's ASGI scope when a refusal needs its own close code (see websocket.py).
CLOSE_WITH = "renewals.close_with"
#: The key of the socket's token in SocketLimits.open, once counted.
SOCKET_KEY = "renewals.socket_key"


@dataclass
class SocketLimits:
    max_operations: int
    max_sockets_per_token: int
    max_message_bytes: int
    max_queued_messages: int = 1000
    open: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, settings: Settings) -> "SocketLimits":
        return cls(
            max_operations=settings.ws_max_operations,
            max_sockets_per_token=settings.ws_max_sockets_per_token,
            max_message_bytes=settings.ws_max_message_bytes,
            max_queued_messages=settings.ws_max_queued_messages,
        )

    def too_big(self, text: str) -> bool:
        """Whether a text message has more bytes than allowed (UTF-8 counted only if needed)."""
        if len(text) > self.max_message_bytes:
            return True
        return len(text) * 4 > self.max_message_bytes and (
            len(text.encode()) > self.max_message_bytes
        )

    def acquire(self, token: str) -> str | None:
        """Counts one more socket for `token`: its key, or None when the token has its share."""
        key = hashlib.sha256(token.encode()).hexdigest()
        if self.open[key] >= self.max_sockets_per_token:
            return None
        self.open[key] += 1
        return key

    def release(self, key: str) -> None:
        self.open[key] -= 1
        if self.open[key] <= 0:
            del self.open[key]


class Outbox:
    """A socket's bounded send queue and its writer task. `put` never waits: past the limit the
    socket is closed with 1013 and what is queued for it is dropped."""

    def __init__(self, ws: Any, limit: int) -> None:
        self.ws, self.limit = ws, limit
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.closed = False
        self.overflowed = False
        self.writer: asyncio.Task[None] | None = None
        self._closer: asyncio.Task[None] | None = None

    def put(self, text: str) -> None:
        if self.closed:
            return
        if self.queue.qsize() >= self.limit:
            self.overflow()
            return
        self.queue.put_nowait(text)
        if self.writer is None:
            self.writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        while True:
            text = await self.queue.get()
            try:
                await self.ws.send_text(text)
            except Exception:  # noqa: BLE001 - the peer is gone; the reader notices
                self.closed = True
                return
            finally:
                self.queue.task_done()

    async def flush(self, timeout: float = FLUSH_BEFORE_CLOSE_SECONDS) -> None:
        """Waits (bounded) until what is queued has been sent."""
        if self.writer is not None and not self.closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.queue.join(), timeout)

    def overflow(self) -> None:
        self.closed = self.overflowed = True
        outbox_stats.slow_consumers_closed += 1
        log.warning("closing a WebSocket that does not read: %d messages queued", self.limit)
        self._closer = asyncio.create_task(self._close_slow())

    async def _close_slow(self) -> None:
        if self.writer is not None:
            self.writer.cancel()
            with contextlib.suppress(BaseException):
                await self.writer
        with contextlib.suppress(Exception):
            await self.ws.close(SLOW_CONSUMER, SLOW_CONSUMER_REASON)

    def stop(self) -> None:
        """The socket is done: the writer stops (nothing more will be sent)."""
        self.closed = True
        if self.writer is not None:
            self.writer.cancel()
