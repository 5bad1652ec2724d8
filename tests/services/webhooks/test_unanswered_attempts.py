"""A receiver that does not answer in time, or a port nobody listens on, is a failed attempt
with its reason, retried later."""

import socket

from renewals.services import webhooks
from renewals.services.webhook_delivery import deliver_due
from tests.api.mutations.helpers import create
from tests.factories import document, subscription
from tests.helpers import seed
from tests.services.webhooks.helpers import attempts, deliveries


async def test_a_slow_receiver_times_out(client, container, receiver):
    container.settings = container.settings.model_copy(update={"webhooks_timeout_seconds": 0.5})
    await seed(container, document([subscription("SUB-1")]))
    await webhooks.create_endpoint(container, None, receiver.url, ["quote.finalizing"], True)
    receiver.hold_at = {1}
    await create(client, container, ["SUB-1"])
    assert await deliver_due(container) == 0
    (row,) = await deliveries(container)
    (attempt,) = await attempts(container, row.id)
    assert (row.status, attempt.http_status, attempt.error) == (
        "PENDING",
        None,
        "timeout after 0.5 s",
    )
    assert 400 <= attempt.duration_ms < 5000


async def test_nobody_listening_is_a_network_error(client, container):
    with socket.socket() as s:  # a free port, closed again
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    await seed(container, document([subscription("SUB-1")]))
    url = f"http://127.0.0.1:{port}/hooks"
    await webhooks.create_endpoint(container, None, url, ["quote.finalizing"], True)
    await create(client, container, ["SUB-1"])
    assert await deliver_due(container) == 0
    (row,) = await deliveries(container)
    (attempt,) = await attempts(container, row.id)
    assert (row.status, attempt.http_status) == ("PENDING", None)
    assert attempt.error.startswith("ConnectError")
