"""What one WebSocket, and the sockets of one token, may hold (W1); read by api/core/websocket.py.

| limit | setting | close code |
| --- | --- | --- |
| operations running on one socket | RENEWALS_WS_MAX_OPERATIONS (100) | 4400 Too many operations |
| sockets open with one token (per process) | RENEWALS_WS_MAX_SOCKETS_PER_TOKEN (20) | 4429 Too many sockets |
| bytes in one message | RENEWALS_WS_MAX_MESSAGE_BYTES (256 KB) | 1009 Message too big |

4400 and 4429 follow graphql-transport-ws (its 4400 Bad Request, its 4429 "too many"); the
graphql-ws client treats both as fatal, so it does not reconnect into the same refusal. 1009 is
RFC 6455's "message too big". Legacy graphql-ws sockets close with the same codes.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from renewals.config import Settings

TOO_MANY_OPERATIONS = 4400
TOO_MANY_SOCKETS = 4429
MESSAGE_TOO_BIG = 1009

#: Set in a socket's ASGI scope when a refusal needs its own close code (see websocket.py).
CLOSE_WITH = "renewals.close_with"
#: The key of the socket's token in SocketLimits.open, once counted.
SOCKET_KEY = "renewals.socket_key"


@dataclass
class SocketLimits:
    max_operations: int
    max_sockets_per_token: int
    max_message_bytes: int
    open: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, settings: Settings) -> "SocketLimits":
        return cls(
            max_operations=settings.ws_max_operations,
            max_sockets_per_token=settings.ws_max_sockets_per_token,
            max_message_bytes=settings.ws_max_message_bytes,
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
