"""A status change reaches a real receiver, signed; 500 is retried with backoff until 200;
every attempt is recorded; past the retry window the delivery is FAILED."""

import json
from datetime import timedelta

from renewals.domain.webhooks import RetrySchedule, verify
from renewals.services import webhooks
from renewals.services.webhook_delivery import deliver_due
from renewals.services.worker import drain
from tests.api.mutations.helpers import create
from tests.factories import document, subscription
from tests.helpers import seed
from tests.services.webhooks.helpers import MovableClock, attempts, deliveries

SALES = None  # the owner of sales' endpoints


async def sales_endpoint(container, receiver, events=("*",)) -> str:
    _, secret = await webhooks.create_endpoint(container, SALES, receiver.url, list(events), True)
    receiver.secret = secret
    return secret


async def test_status_changes_reach_the_receiver_signed_once_each(client, container, receiver):
    await seed(container, document([subscription("SUB-1")]))
    await sales_endpoint(container, receiver)
    payload = await create(client, container, ["SUB-1"])
    await drain(container)  # FINALIZING → QUOTED
    assert await deliver_due(container) == 2
    got = receiver.requests
    assert [r.event_type for r in got] == ["quote.finalizing", "quote.quoted"]
    assert all(r.verified for r in got)
    body = json.loads(got[1].body)
    assert body["id"] == got[1].delivery_id and body["type"] == "quote.quoted"
    assert body["data"] | {"occurredAt": None} == {
        "quoteNumber": payload["quote"]["number"],
        "quoteType": "RENEWAL",
        "expiresOn": body["data"]["expiresOn"],
        "customerCsn": "5100000001",
        "resellerCsn": None,
        "status": "QUOTED",
        "previousStatus": "FINALIZING",
        "occurredAt": None,
    }
    assert [d.status for d in await deliveries(container)] == ["DELIVERED", "DELIVERED"]
    assert await deliver_due(container) == 0  # nothing is sent twice


async def test_a_500_is_retried_with_backoff_then_delivered(client, container, receiver):
    clock = container.clock = MovableClock()
    await seed(container, document([subscription("SUB-1")]))
    await sales_endpoint(container, receiver, ["quote.finalizing"])
    receiver.statuses = [500]
    await create(client, container, ["SUB-1"])
    assert await deliver_due(container) == 0
    (row,) = await deliveries(container)
    assert (row.status, row.attempts, row.last_error) == ("PENDING", 1, "HTTP 500")
    wait = row.next_attempt_at - clock.now()
    assert timedelta(seconds=24) <= wait <= timedelta(seconds=36)  # 30 s ± 20 % jitter
    assert await deliver_due(container) == 0  # not due yet
    clock.advance(seconds=37)
    assert await deliver_due(container) == 1
    (row,) = await deliveries(container)
    assert (row.status, row.attempts) == ("DELIVERED", 2)
    first, second = await attempts(container, row.id)
    assert (first.http_status, first.error, second.http_status, second.error) == (
        500,
        "HTTP 500",
        200,
        None,
    )
    assert first.duration_ms >= 0
    ids = [r.delivery_id for r in receiver.requests]
    assert ids == [row.uid, row.uid]  # the same delivery id on the retry


async def test_failed_after_the_retry_window(client, container, receiver):
    clock = container.clock = MovableClock()
    await seed(container, document([subscription("SUB-1")]))
    await sales_endpoint(container, receiver, ["quote.finalizing"])
    receiver.statuses = [503] * 1000
    await create(client, container, ["SUB-1"])
    for _ in range(200):
        await deliver_due(container)
        (row,) = await deliveries(container)
        if row.status != "PENDING":
            break
        clock.current = row.next_attempt_at
    assert row.status == "FAILED"
    tries = await attempts(container, row.id)
    window = RetrySchedule().window
    assert tries[-1].attempted_at - tries[0].attempted_at == window  # the last one at the end
    assert 20 <= len(tries) <= 40
    gaps = [b.attempted_at - a.attempted_at for a, b in zip(tries, tries[1:], strict=False)]
    assert gaps[0] < gaps[3] < gaps[6] and max(gaps) <= timedelta(hours=1.2)


async def test_redeliver_sends_the_same_delivery_again(client, container, receiver):
    await seed(container, document([subscription("SUB-1")]))
    await sales_endpoint(container, receiver, ["quote.finalizing"])
    await create(client, container, ["SUB-1"])
    await deliver_due(container)
    (row,) = await deliveries(container)
    assert await webhooks.redeliver(container, SALES, row.uid) == row.uid
    assert await deliver_due(container) == 1
    assert [r.delivery_id for r in receiver.requests] == [row.uid, row.uid]
    assert receiver.requests[0].body == receiver.requests[1].body
    (row,) = await deliveries(container)
    assert (row.status, row.attempts) == ("DELIVERED", 2)


async def test_rotation_signs_with_both_secrets_during_the_grace_period(
    client, container, receiver
):
    clock = container.clock = MovableClock()
    await seed(container, document([subscription("SUB-1")]))
    endpoint_id, old = await webhooks.create_endpoint(
        container, SALES, receiver.url, ["quote.finalizing"], True
    )
    _, new = await webhooks.rotate_secret(container, SALES, endpoint_id)
    assert new != old and new.startswith("whsec_")
    await create(client, container, ["SUB-1"])
    await deliver_due(container)
    (row,) = await deliveries(container)
    got = receiver.requests[-1]
    stamp = int(got.signature.split(",")[0].removeprefix("t="))
    assert got.signature.count("v1=") == 2
    assert verify(got.signature, old, got.body, stamp) and verify(
        got.signature, new, got.body, stamp
    )
    clock.advance(hours=24, seconds=1)  # the grace period (24 h) is over: only the new one signs
    await webhooks.redeliver(container, SALES, row.uid)
    await deliver_due(container)
    got = receiver.requests[-1]
    stamp = int(got.signature.split(",")[0].removeprefix("t="))
    assert got.signature.count("v1=") == 1
    assert verify(got.signature, new, got.body, stamp)
    assert not verify(got.signature, old, got.body, stamp)
