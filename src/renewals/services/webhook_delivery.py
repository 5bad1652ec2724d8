"""Sends the webhook outbox: one delivery at a time, claimed under a lease, POSTed signed with
httpx to the address just checked, every attempt recorded; 2xx is DELIVERED, anything else is
retried with backoff and jitter for a window, then FAILED."""

import asyncio
import contextlib
import logging
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from renewals.container import Container
from renewals.domain.errors import DomainError
from renewals.domain.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    RetrySchedule,
    parse_url,
    signature_header,
)
from renewals.observability import tracing
from renewals.persistence.repositories.webhooks import DELIVERED, FAILED, PENDING
from renewals.persistence.uow import UnitOfWork
from renewals.services.webhook_targets import RESOLVE_SECONDS, check_target

log = logging.getLogger("renewals.webhooks")
USER_AGENT = "renewals-webhooks/1"


def schedule(container: Container) -> RetrySchedule:
    s = container.settings
    return RetrySchedule(
        window=timedelta(hours=s.webhooks_retry_hours),
        first=timedelta(seconds=s.webhooks_first_retry_seconds),
    )


def lease(container: Container) -> timedelta:
    """Longer than one attempt can last (resolving plus the total timeout), so a live worker's
    claim never runs out under it."""
    s = container.settings
    longest = s.webhooks_timeout_seconds + RESOLVE_SECONDS + 1
    return timedelta(seconds=max(s.webhooks_lease_seconds, longest))


def signing_secrets(row: Any, now: datetime) -> list[str]:
    """The current secret, and the previous one during its grace period."""
    keep_previous = (
        row.previous_secret and row.previous_secret_until and row.previous_secret_until > now
    )
    return [row.secret, row.previous_secret] if keep_previous else [row.secret]


async def deliver_due(
    container: Container, limit: int = 50, stop: asyncio.Event | None = None
) -> int:
    """Delivers due rows one at a time; the number delivered (2xx)."""
    delivered = 0
    async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as client:
        for _ in range(limit):
            if stop is not None and stop.is_set():
                break
            outcome = await _deliver_next(container, client)
            if outcome is None:
                break
            delivered += outcome
    return delivered


async def _deliver_next(container: Container, client: httpx.AsyncClient) -> bool | None:
    now = container.clock.now()
    async with UnitOfWork(container.db) as uow:
        row = await uow.webhooks.claim_next(now, now + lease(container))
        attempt_id = await uow.webhooks.start_attempt(row.id, now) if row else None
        await uow.commit()
    if row is None or attempt_id is None:
        return None
    started = time.monotonic()
    status, error = await _post(container, client, row, now)
    duration = int((time.monotonic() - started) * 1000)
    attempted = container.clock.now()
    if status is not None and 200 <= status < 300:
        outcome: dict[str, Any] = {
            "status": DELIVERED,
            "delivered_at": attempted,
            "last_error": None,
        }
    else:
        error = error or f"HTTP {status}"
        retry_at = schedule(container).next_attempt_at(
            row.window_attempts + 1, row.window_started_at, attempted, random.random()
        )
        outcome = (
            {"status": FAILED}
            if retry_at is None
            else {"status": PENDING, "next_attempt_at": retry_at}
        )
        outcome["last_error"] = error[:500]
        log.warning("webhook %s attempt failed: %s", row.uid, error[:200])
    async with UnitOfWork(container.db) as uow:
        await uow.webhooks.end_attempt(
            attempt_id, duration_ms=duration, http_status=status, error=error
        )
        await uow.webhooks.finish(row.id, **outcome)
        await uow.commit()
    return outcome["status"] == DELIVERED


def _pinned(url: str, address: str) -> tuple[str, str]:
    """The URL aimed at the checked address (no second lookup an attacker's DNS could answer
    differently), and the Host header of the original."""
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc)), parts.netloc


async def _post(
    container: Container, client: httpx.AsyncClient, row: Any, now: datetime
) -> tuple[int | None, str | None]:
    """(HTTP status, None) or (None, why no answer)."""
    settings = container.settings
    try:
        target = parse_url(row.url)
        addresses = await check_target(target, allow_private=settings.webhooks_allow_private)
    except DomainError as e:
        return None, f"refused: {e}"
    body = row.body.encode()
    timestamp = int(now.replace(tzinfo=UTC).timestamp())
    url, host = _pinned(row.url, addresses[0])
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Host": host,
        SIGNATURE_HEADER: signature_header(signing_secrets(row, now), timestamp, body),
        DELIVERY_HEADER: row.uid,
        EVENT_HEADER: row.event_type,
    }
    # TLS checks the certificate against the URL's own host name, not the address.
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    timeout = settings.webhooks_timeout_seconds
    try:
        request = client.build_request(
            "POST", url, content=body, headers=headers, timeout=timeout, extensions=extensions
        )
        # A total deadline: httpx's timeouts are per read, and a trickling answer must not last.
        with tracing.span("webhook.send", event_type=row.event_type, url_host=target.host):
            response = await asyncio.wait_for(client.send(request, stream=True), timeout)
            await response.aclose()  # the body is not needed: only the status counts
        return response.status_code, None
    except TimeoutError:
        return None, f"timeout after {timeout:g} s"
    except Exception as e:  # noqa: BLE001 - network, TLS, protocol: a failed attempt, retried
        return None, f"{type(e).__name__}: {e}"[:500]


async def webhook_loop(container: Container, stop: asyncio.Event) -> None:
    """The in-process sender of `serve`, beside the mail sender: polls the outbox."""
    interval = container.settings.worker_interval_seconds
    while not stop.is_set():
        try:
            await deliver_due(container, stop=stop)
        except Exception:  # noqa: BLE001 - the loop must survive a bad round
            log.exception("webhook round failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
