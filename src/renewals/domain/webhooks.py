"""Webhooks as pure rules: event types and matching, the signature, the retry schedule and which
URLs may receive them. No clock, no network: callers pass times, resolved addresses and jitter."""

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from renewals.domain.enums import ErrorCode, QuoteStatus
from renewals.domain.errors import DomainError, Problem

EXPIRING = "quote.expiring"
ALL_EVENTS = "*"
STATUS_EVENTS = {status: f"quote.{status.value.lower()}" for status in QuoteStatus}
# A DRAFT is the viewer's work in progress, never sent: it has no event of its own.
EVENT_TYPES = frozenset(
    [event for status, event in STATUS_EVENTS.items() if status != QuoteStatus.DRAFT] + [EXPIRING]
)
SIGNATURE_HEADER = "Renewals-Signature"
DELIVERY_HEADER = "Renewals-Delivery-Id"
EVENT_HEADER = "Renewals-Event-Type"
MAX_URL_LENGTH = 2000


def status_event(status: QuoteStatus) -> str | None:
    """`quote.quoted`, `quote.ordered`, ...; None for DRAFT (not an event)."""
    event = STATUS_EVENTS[status]
    return event if event in EVENT_TYPES else None


def wants(subscribed: list[str], event_type: str) -> bool:
    """Whether an endpoint subscribed to `subscribed` receives `event_type` (`*`: every type)."""
    return ALL_EVENTS in subscribed or event_type in subscribed


def event_problems(events: list[str]) -> list[Problem]:
    """Every unknown event type, by position; an empty list is a problem too."""
    if not events:
        return [Problem(ErrorCode.INVALID_INPUT, "Subscribe to at least one event.", ("events",))]
    known = EVENT_TYPES | {ALL_EVENTS}
    return [
        Problem(
            ErrorCode.UNKNOWN_EVENT_TYPE,
            f"Unknown event type {event!r}; known: {', '.join(sorted(known))}.",
            ("events", i),
        )
        for i, event in enumerate(events)
        if event not in known
    ]


# Signing -----------------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """hex HMAC-SHA256 of "<timestamp>.<raw body>" with the endpoint's secret."""
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secrets: list[str], timestamp: int, body: bytes) -> str:
    """`t=<unix>,v1=<hex>[,v1=<hex>]`: one v1 per valid secret (the previous one during a
    rotation's grace period), so a receiver holding either verifies."""
    return ",".join(
        [f"t={timestamp}"] + [f"v1={signature(secret, timestamp, body)}" for secret in secrets]
    )


def verify(header: str, secret: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver does: one v1 matches and the timestamp is recent (against replays)."""
    parts = [part.partition("=") for part in header.split(",")]
    stamps = [value for key, _, value in parts if key == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit() or abs(now - int(stamps[0])) > tolerance:
        return False
    expected = signature(secret, int(stamps[0]), body)
    return any(key == "v1" and hmac.compare_digest(value, expected) for key, _, value in parts)


# Retries -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    """After failed attempt n of a window: wait `first` * 2**(n-1), at most `cap`, times a jitter
    factor in [1 - jitter, 1 + jitter]; never past the window's end, where one last attempt is
    made; a failure at or after the end is final (FAILED)."""

    window: timedelta = timedelta(days=1)
    first: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    jitter: float = 0.2

    def delay(self, attempt: int, spread: float = 0.5) -> timedelta:
        """`spread` in [0, 1] picks the jitter (0.5: none); attempts counted from 1."""
        if attempt < 1:
            raise ValueError(f"attempts are counted from 1, got {attempt}")
        base = min(self.first * 2 ** min(attempt - 1, 40), self.cap)
        return base * (1 - self.jitter + 2 * self.jitter * spread)

    def next_attempt_at(
        self, attempt: int, started: datetime, now: datetime, spread: float = 0.5
    ) -> datetime | None:
        """When to try again after failed attempt `attempt` at `now`; None: give up."""
        end = started + self.window
        if now >= end:
            return None
        return min(now + self.delay(attempt, spread), end)


# Where webhooks may go ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str
    port: int


def parse_url(url: str) -> Target:
    """An absolute http(s) URL without credentials or fragment; raises INVALID_WEBHOOK_URL."""

    def refuse(why: str) -> DomainError:
        return DomainError.one(ErrorCode.INVALID_WEBHOOK_URL, why, ("url",))

    if len(url) > MAX_URL_LENGTH:
        raise refuse(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise refuse("The URL holds spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise refuse(f"Not a URL: {e}.") from e
    if parts.scheme not in ("http", "https"):
        raise refuse("Only http:// and https:// URLs can receive webhooks.")
    if not parts.hostname:
        raise refuse("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise refuse("The URL must not hold credentials; verify the signature instead.")
    if parts.fragment:
        raise refuse("The URL must not have a fragment.")
    default = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname, port or default)


def is_public_address(address: str) -> bool:
    """A globally routable unicast address (not private, loopback, link-local, multicast,
    reserved, shared, documentation or unspecified; IPv4-mapped IPv6 judged as IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def address_problem(addresses: list[str], *, allow_private: bool) -> str | None:
    """Why these resolved addresses may not be called, or None."""
    if not addresses:
        return "The host does not resolve."
    if allow_private:
        return None
    blocked = [a for a in addresses if not is_public_address(a)]
    if blocked:
        return f"The host resolves to a non-public address ({blocked[0]})."
    return None


def literal_address(host: str) -> str | None:
    """The host as an IP address if it is one (brackets of IPv6 already removed by urlsplit)."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None
