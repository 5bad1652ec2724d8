"""WebhookEndpoint, WebhookDelivery and WebhookAttempt, shaped from their rows."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import Private

from renewals.api.core.context import ctx
from renewals.api.core.ids import to_global_id
from renewals.api.core.pagination import After, Connection, First, PageRequest, read_page
from renewals.api.webhooks.owner import viewer_owner
from renewals.persistence.repositories import webhooks as reads


@strawberry.enum(description="Where a webhook delivery stands.")
class WebhookDeliveryStatus(Enum):
    PENDING = strawberry.enum_value(
        "PENDING", description="Not delivered yet: due, or waiting for its next attempt."
    )
    DELIVERED = strawberry.enum_value("DELIVERED", description="The endpoint answered 2xx.")
    FAILED = strawberry.enum_value(
        "FAILED", description="No 2xx within the retry window; `redeliverWebhook` tries again."
    )


@strawberry.type(description="One POST of a delivery.")
class WebhookAttempt:
    attempted_at: datetime = strawberry.field(description="When the POST started (UTC).")
    http_status: int | None = strawberry.field(
        description="The endpoint's HTTP status; null when it gave none (see `error`)."
    )
    error: str | None = strawberry.field(
        description="Why there was no 2xx: the status, a timeout, a refused address, a network error."
    )
    duration_ms: int = strawberry.field(description="How long the attempt took, in milliseconds.")

    @classmethod
    def of(cls, row: Any) -> WebhookAttempt:
        return cls(
            attempted_at=row.attempted_at,
            http_status=row.http_status,
            error=row.error,
            duration_ms=row.duration_ms,
        )


@strawberry.type(description="One event for one endpoint: the signed POST and its attempts.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(
        description="The delivery id: the body's `id` and the `Renewals-Delivery-Id` header, the "
        "same on every attempt and redelivery (receivers de-duplicate by it)."
    )
    endpoint_id: strawberry.ID = strawberry.field(description="The endpoint's ID.")
    event_type: str = strawberry.field(
        description="The event, e.g. `quote.quoted` (docs/webhooks.md)."
    )
    status: WebhookDeliveryStatus = strawberry.field(description="Where the delivery stands.")
    body: str = strawberry.field(description="The JSON body exactly as it is signed and sent.")
    created_at: datetime = strawberry.field(description="When the event was written (UTC).")
    delivered_at: datetime | None = strawberry.field(description="When a 2xx came back.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due while PENDING; null otherwise."
    )
    attempt_count: int = strawberry.field(description="How many POSTs were made.")
    last_error: str | None = strawberry.field(description="Why the last attempt failed, if it did.")
    attempts: list[WebhookAttempt] = strawberry.field(description="Every attempt, oldest first.")

    @classmethod
    def of(cls, row: Any, attempts: list[Any]) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(row.uid),
            endpoint_id=strawberry.ID(to_global_id("WebhookEndpoint", row.endpoint_id)),
            event_type=row.event_type,
            status=WebhookDeliveryStatus(row.status),
            body=row.body,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
            next_attempt_at=row.next_attempt_at if row.status == "PENDING" else None,
            attempt_count=row.attempts,
            last_error=row.last_error,
            attempts=[WebhookAttempt.of(a) for a in attempts],
        )


@strawberry.type(
    description="A page of webhook deliveries, newest first (Relay cursor connection)."
)
class WebhookDeliveryConnection(Connection[WebhookDelivery]):
    pass


@strawberry.input(description="Narrows webhook deliveries; all given conditions must hold.")
class WebhookDeliveryFilter:
    endpoint_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this endpoint's (its ID)."
    )
    status: WebhookDeliveryStatus | None = strawberry.field(default=None, description="Only these.")
    event_type: str | None = strawberry.field(default=None, description="Only this event type.")


@strawberry.type(description="Where a partner's (or sales') signed webhooks are POSTed.")
class WebhookEndpoint:
    pk: Private[int]
    id: strawberry.ID = strawberry.field(description="The endpoint's ID.")
    url: str = strawberry.field(description="The http(s) URL that receives the POSTs.")
    events: list[str] = strawberry.field(
        description="The event types it receives (`*`: all); see docs/webhooks.md."
    )
    active: bool = strawberry.field(description="Inactive endpoints get no new deliveries.")
    created_at: datetime = strawberry.field(description="When it was registered (UTC).")
    updated_at: datetime = strawberry.field(description="When it last changed (UTC).")
    previous_secret_valid_until: datetime | None = strawberry.field(
        description="After a rotation, until when the previous secret still signs (beside the new)."
    )

    @classmethod
    def of(cls, row: Any) -> WebhookEndpoint:
        return cls(
            pk=row.id,
            id=strawberry.ID(to_global_id("WebhookEndpoint", row.id)),
            url=row.url,
            events=list(row.events),
            active=row.active,
            created_at=row.created_at,
            updated_at=row.updated_at,
            previous_secret_valid_until=row.previous_secret_until,
        )

    @strawberry.field(description="This endpoint's deliveries, newest first.")
    async def deliveries(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        status: Annotated[
            WebhookDeliveryStatus | None, strawberry.argument(description="Only these.")
        ] = None,
    ) -> WebhookDeliveryConnection:
        return await delivery_connection(info, first, after, self.pk, status, None)


async def delivery_connection(
    info: strawberry.Info,
    first: int | None,
    after: str | None,
    endpoint_id: int | None,
    status: WebhookDeliveryStatus | None,
    event_type: str | None,
) -> WebhookDeliveryConnection:
    """The viewer's deliveries (of its own endpoints), newest first, attempts read in one go."""
    context = ctx(info)
    request = PageRequest.of("webhookDeliveries", first, after)
    owner = await viewer_owner(context)
    query = reads.DeliveryQuery(
        owner, endpoint_id, str(status.value) if status else None, event_type
    )
    engine = context.container.db.read_engine
    page = await read_page(
        engine,
        request,
        lambda conn, after_id, n: reads.delivery_page(conn, query, after_id, n),
        lambda conn: reads.delivery_count(conn, query),
    )
    async with engine.connect() as conn:
        attempts = await reads.attempts_of(conn, [r.id for r in page.rows])
    return WebhookDeliveryConnection.of(page, lambda r: WebhookDelivery.of(r, attempts[r.id]))
