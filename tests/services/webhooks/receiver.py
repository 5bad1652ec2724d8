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
    hold: threading.Event = field(default_factory=threading.Event)
    hold_at: set[int] = field(default_factory=set)  # these requests (1, 2, ...) wait for `hold`
    answered: list[tuple[str, int]] = field(default_factory=list)  # (delivery id, status)
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
                    held = len(receiver.requests) in receiver.hold_at
                receiver.arrived.set()
                if held:
                    receiver.hold.wait(30)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    return  # the sender is gone (killed): this answer never arrived
                with receiver.lock:
                    receiver.answered.append((self.headers.get(DELIVERY_HEADER, ""), status))

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def processed(self) -> list[str]:
        """The delivery ids a receiver that de-duplicates by them acts on: each accepted (2xx)
        delivery once, in order."""
        with self.lock:
            accepted = [d for d, status in self.answered if 200 <= status < 300]
        return list(dict.fromkeys(accepted))

    def stop(self) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()
