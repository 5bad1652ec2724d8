"""Webhook endpoints of partners and sales, and the events they hear of: each written into the
delivery outbox in the transaction of the change it tells of (services/webhook_delivery.py
sends them)."""

import json
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from renewals.auth import Viewer
from renewals.container import Container
from renewals.domain.enums import ErrorCode, QuoteStatus, Role
from renewals.domain.errors import DomainError
from renewals.domain.visibility import Visibility
from renewals.domain.webhooks import EXPIRING, event_problems, parse_url, status_event, wants
from renewals.events import StatusEvent
from renewals.persistence import models as m
from renewals.persistence.repositories.webhooks import PENDING
from renewals.persistence.uow import UnitOfWork
from renewals.services.webhook_targets import check_target

BATCH = 500


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def owner_of(viewer: Viewer, visibility: Visibility) -> int | None:
    """The endpoints a viewer manages: its partner's, or sales' (None); buyers have none."""
    if viewer.role == Role.SALES:
        return None
    if viewer.role == Role.PARTNER and visibility.reseller_id is not None:
        return visibility.reseller_id
    raise DomainError.one(ErrorCode.FORBIDDEN, "Only partners and sales have webhook endpoints.")


async def _checked(container: Container, url: str | None, events: list[str] | None) -> None:
    """Every input problem at once: events first (pure), then the URL (which resolves it)."""
    problems = event_problems(events) if events is not None else []
    if url is not None:
        try:
            await check_target(
                parse_url(url), allow_private=container.settings.webhooks_allow_private
            )
        except DomainError as e:
            problems += e.problems
    if problems:
        raise DomainError(problems)


def _not_found() -> DomainError:
    return DomainError.one(ErrorCode.NOT_FOUND, "No such webhook endpoint.", ("endpoint",))


async def create_endpoint(
    container: Container, owner: int | None, url: str, events: list[str], active: bool
) -> tuple[int, str]:
    """A new endpoint and its secret (shown this once); at most `webhooks_max_endpoints` each."""
    await _checked(container, url, events)
    now = container.clock.now()
    async with UnitOfWork(container.db) as uow:
        cap = container.settings.webhooks_max_endpoints
        if await uow.webhooks.count_endpoints(owner) >= cap:
            raise DomainError.one(
                ErrorCode.TOO_MANY_WEBHOOK_ENDPOINTS,
                f"At most {cap} webhook endpoints each; delete one first.",
            )
        secret = new_secret()
        endpoint = m.WebhookEndpoint(
            partner_id=owner,
            url=url,
            events=list(dict.fromkeys(events)),
            active=active,
            secret=secret,
            created_at=now,
            updated_at=now,
        )
        await uow.webhooks.add_endpoint(endpoint)
        await uow.commit()
        return endpoint.id, secret


async def update_endpoint(
    container: Container,
    owner: int | None,
    endpoint_id: int | None,
    *,
    url: str | None = None,
    events: list[str] | None = None,
    active: bool | None = None,
) -> int:
    await _checked(container, url, events)
    async with UnitOfWork(container.db) as uow:
        endpoint = await uow.webhooks.endpoint(endpoint_id, owner)
        if endpoint is None:
            raise _not_found()
        if url is not None:
            endpoint.url = url
        if events is not None:
            endpoint.events = list(dict.fromkeys(events))
        if active is not None:
            endpoint.active = active
        endpoint.updated_at = container.clock.now()
        await uow.commit()
        return endpoint.id


async def delete_endpoint(container: Container, owner: int | None, endpoint_id: int | None) -> int:
    """The endpoint and its deliveries go; nothing more is sent to it."""
    async with UnitOfWork(container.db) as uow:
        endpoint = await uow.webhooks.endpoint(endpoint_id, owner)
        if endpoint is None:
            raise _not_found()
        await uow.webhooks.delete_endpoint(endpoint.id)
        await uow.commit()
        return endpoint.id


async def rotate_secret(
    container: Container, owner: int | None, endpoint_id: int | None
) -> tuple[int, str]:
    """A new secret (shown this once); the old one still signs, beside it, for the grace period."""
    now = container.clock.now()
    grace = timedelta(hours=container.settings.webhooks_secret_grace_hours)
    async with UnitOfWork(container.db) as uow:
        endpoint = await uow.webhooks.endpoint(endpoint_id, owner)
        if endpoint is None:
            raise _not_found()
        secret = new_secret()
        endpoint.previous_secret = endpoint.secret if grace else None
        endpoint.previous_secret_until = now + grace if grace else None
        endpoint.secret, endpoint.updated_at = secret, now
        await uow.commit()
        return endpoint.id, secret


async def redeliver(container: Container, owner: int | None, uid: str) -> str:
    """The delivery, due again now with the same id (receivers de-duplicate by it)."""
    async with UnitOfWork(container.db) as uow:
        if await uow.webhooks.requeue(uid, owner, container.clock.now()) is None:
            raise DomainError.one(ErrorCode.NOT_FOUND, "No such webhook delivery.", ("delivery",))
        await uow.commit()
        return uid


# Events --------------------------------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


def _status_data(
    status: QuoteStatus, previous: QuoteStatus | None, occurred_at: datetime
) -> dict[str, Any]:
    """The status part of an event's `data` (docs/webhooks.md)."""
    return {
        "status": status.value,
        "previousStatus": previous.value if previous else None,
        "occurredAt": _stamp(occurred_at),
    }


async def _queue(
    uow: UnitOfWork,
    event_type: str,
    reseller_id: int | None,
    quote_id: int,
    data: dict[str, Any],
    now: datetime,
) -> int:
    """One delivery per active endpoint that wants the event and may see the quote."""
    listening = await uow.webhooks.listening_with_facts(reseller_id, quote_id)
    endpoints = [e.id for e in listening if wants(e.events, event_type)]
    if not endpoints:
        return 0
    rows = _delivery_rows(endpoints, event_type, quote_id, listening[0], data, now)
    await uow.webhooks.insert_deliveries(rows)
    return len(rows)


async def queue_status_event(uow: UnitOfWork, event: StatusEvent) -> None:
    """The webhooks of one status change, in its transaction (called by record_status)."""
    event_type = status_event(event.status)
    if event_type is None:
        return
    data = _status_data(event.status, event.previous_status, event.occurred_at)
    await _queue(uow, event_type, event.reseller_id, event.quote_id, data, event.occurred_at)


async def queue_expiry_reminders(container: Container) -> int:
    """`quote.expiring` for open quotes expiring within `webhook_expiry_reminder_days`, once per
    quote (a marker row written in the same transaction); the number of deliveries written."""
    today, written, after = container.clock.today(), 0, 0
    until = today + timedelta(days=container.settings.webhook_expiry_reminder_days)
    while True:
        async with UnitOfWork(container.db) as uow:
            now = container.clock.now()
            quotes = await uow.webhooks.reminder_due(today, until, after, BATCH)
            if not quotes:
                return written
            for quote in quotes:
                data = _status_data(QuoteStatus(quote.status), None, now)
                written += await _queue(uow, EXPIRING, quote.reseller_id, quote.id, data, now)
                await uow.webhooks.mark_reminded(quote.id, now)
            after = quotes[-1].id
            await uow.commit()


async def queue_status_events(uow: UnitOfWork, events: Sequence[StatusEvent]) -> int:
    """`queue_status_event` for many status changes of one transaction, in at most three
    statements (endpoints, quote facts, deliveries); the number of deliveries written."""
    typed: list[tuple[StatusEvent, str]] = []
    for e in events:
        event_type = status_event(e.status)
        if event_type is not None:
            typed.append((e, event_type))
    if not typed:
        return 0
    endpoints = await uow.batches.listening([e.reseller_id for e, _ in typed])
    targets = [
        (e, t, [p.id for p in endpoints if _may_hear(p.partner_id, e.reseller_id, p.events, t)])
        for e, t in typed
    ]
    targets = [(e, t, ids) for e, t, ids in targets if ids]
    if not targets:
        return 0
    facts = await uow.batches.quote_facts([e.quote_id for e, _, _ in targets])
    rows: list[dict[str, Any]] = []
    for event, event_type, endpoint_ids in targets:
        data = _status_data(event.status, event.previous_status, event.occurred_at)
        rows += _delivery_rows(
            endpoint_ids, event_type, event.quote_id, facts[event.quote_id], data, event.occurred_at
        )
    await uow.batches.insert(m.WebhookDelivery, rows)
    return len(rows)


def _may_hear(owner: int | None, reseller_id: int | None, events: list[str], kind: str) -> bool:
    """As `listening` and `wants`: sales' endpoints and the reseller's own, for the wanted type."""
    return (owner is None or owner == reseller_id) and wants(events, kind)


def _delivery_rows(
    endpoint_ids: list[int],
    event_type: str,
    quote_id: int,
    facts: Any,
    data: dict[str, Any],
    now: datetime,
) -> list[dict[str, Any]]:
    """The deliveries `_queue` writes for one event (same body, same columns)."""
    data = {
        "quoteNumber": facts.number,
        "quoteType": facts.type.value,
        "expiresOn": facts.expires_on.isoformat(),
        "customerCsn": facts.customer_csn,
        "resellerCsn": facts.reseller_csn,
        **data,
    }
    rows = []
    for endpoint_id in endpoint_ids:
        uid = "whd_" + uuid.uuid4().hex
        body = {"id": uid, "type": event_type, "created": _stamp(now), "data": data}
        rows.append(
            {
                "uid": uid,
                "endpoint_id": endpoint_id,
                "event_type": event_type,
                "quote_id": quote_id,
                "body": json.dumps(body, separators=(",", ":")),
                "status": PENDING,
                "attempts": 0,
                "window_started_at": now,
                "window_attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    return rows
