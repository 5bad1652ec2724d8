"""A sender killed while the receiver holds its POST: the lease runs out, a restarted sender
delivers again with the same delivery id, and a de-duplicating receiver acts on each event once."""

import asyncio
import os
import signal
import subprocess
import sys
import time

from renewals.services import webhooks
from renewals.services.worker import drain
from tests.api.mutations.helpers import create
from tests.factories import SECRET, TODAY, document, subscription
from tests.helpers import seed
from tests.services.webhooks.helpers import attempts, deliveries


def sender(database_url: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENEWALS_")}
    env |= {
        "RENEWALS_DATABASE_URL": database_url,
        "RENEWALS_SECRET_KEY": SECRET,
        "RENEWALS_TODAY": TODAY.isoformat(),
        "RENEWALS_WEBHOOKS_ALLOW_PRIVATE": "true",
        "RENEWALS_WEBHOOKS_FIRST_RETRY_SECONDS": "0.5",
        "RENEWALS_WEBHOOKS_TIMEOUT_SECONDS": "1",
        "RENEWALS_WEBHOOKS_LEASE_SECONDS": "1",  # raised to timeout + resolving + 1 s: 7 s
        "RENEWALS_WORKER_INTERVAL_SECONDS": "0.2",
    }
    command = [sys.executable, "-m", "renewals.cli", "webhooks", "deliver", "--loop"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_each_event_is_acted_on_once_after_a_sender_is_killed(
    client, container, receiver, database_url
):
    await seed(container, document([subscription("SUB-1")]))
    _, receiver.secret = await webhooks.create_endpoint(container, None, receiver.url, ["*"], True)
    await create(client, container, ["SUB-1"])
    await drain(container)  # quote.finalizing, quote.quoted
    first, second = [d.uid for d in await deliveries(container)]
    receiver.statuses = [500]  # the first POST fails, and is retried
    receiver.hold_at = {2}  # the second POST hangs until the sender is dead

    killed = sender(database_url)
    try:
        await until(lambda: len(receiver.requests) >= 2)
        killed.send_signal(signal.SIGKILL)
        killed.wait(10)
    finally:
        killed.kill()
    receiver.hold.set()
    restarted = sender(database_url)
    try:
        await until(lambda: len(receiver.processed()) == 2 and len(receiver.requests) >= 4)
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(10)

    assert all(r.verified for r in receiver.requests)
    ids = [r.delivery_id for r in receiver.requests]
    assert ids[:2] == [first, second] and sorted(ids[2:]) == sorted([first, second])
    assert sorted(receiver.processed()) == sorted([first, second])  # each once, de-duplicated
    rows = {d.uid: d for d in await deliveries(container)}
    assert {uid: (d.status, d.attempts) for uid, d in rows.items()} == {
        first: ("DELIVERED", 2),
        second: ("DELIVERED", 2),
    }
    outcomes = [(a.http_status, a.error) for a in await attempts(container, rows[second].id)]
    assert outcomes == [(None, "no outcome: the sender stopped before an answer"), (200, None)]
    outcomes = [(a.http_status, a.error) for a in await attempts(container, rows[first].id)]
    assert outcomes == [(500, "HTTP 500"), (200, None)]
