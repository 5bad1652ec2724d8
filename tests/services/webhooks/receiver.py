"""A real webhook receiver for tests: an HTTP server in a thread that verifies signatures,
answers a scripted series of statuses, and can hold a request until told to let go."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from renewals.domain.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, verify


@dataclass
class Received:
    delivery_id: str
    event_type: str
    signature: str
    body: bytes
    verified: bool


@dataclass
class Receiver:
    """`statuses` are answered in turn, then 200; `secret` verifies each signature."""

    statuses: list[int] = field(default_factory=list)
    secret: str | None = None
    hold: threading.Event | None = None  # set: requests wait for it before answering
    requests: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                signature = self.headers.get(SIGNATURE_HEADER, "")
                verified = receiver.secret is not None and verify(
                    signature, receiver.secret, body, int(time.time()), tolerance=10**10
                )
                with receiver.lock:
                    receiver.requests.append(
                        Received(
                            self.headers.get(DELIVERY_HEADER, ""),
                            self.headers.get("Renewals-Event-Type", ""),
                            signature,
                            body,
                            verified,
                        )
                    )
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.arrived.set()
                if receiver.hold is not None:
                    receiver.hold.wait(30)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def unique(self) -> dict[str, Received]:
        """What a receiver that de-duplicates by delivery id keeps: the first 2xx of each."""
        seen: dict[str, Received] = {}
        for r in self.requests:
            seen.setdefault(r.delivery_id, r)
        return seen

    def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()
