"""An address checked at registration is checked again before every attempt: a target that is
(or became) non-public is refused then, recorded as a failed attempt, and nothing is sent."""

from renewals.services import webhooks
from renewals.services.webhook_delivery import deliver_due
from tests.api.mutations.helpers import create
from tests.factories import document, subscription
from tests.helpers import seed
from tests.services.webhooks.helpers import attempts, deliveries


async def test_a_loopback_target_is_refused_when_private_targets_are_not_allowed(
    client, container, receiver
):
    await seed(container, document([subscription("SUB-1")]))
    await webhooks.create_endpoint(container, None, receiver.url, ["quote.finalizing"], True)
    container.settings = container.settings.model_copy(update={"webhooks_allow_private": False})
    await create(client, container, ["SUB-1"])
    assert await deliver_due(container) == 0
    assert receiver.requests == []
    (row,) = await deliveries(container)
    assert row.status == "PENDING"
    (attempt,) = await attempts(container, row.id)
    assert attempt.http_status is None
    assert attempt.error.startswith(
        "refused: The host resolves to a non-public address (127.0.0.1)"
    )
