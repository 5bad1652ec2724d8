"""With traces on, every webhook POST is a `webhook.send` span carrying the event type and the
target's host, never the body or the signature."""

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from renewals.observability import tracing
from renewals.services import webhooks
from renewals.services.webhook_delivery import deliver_due
from tests.api.mutations.helpers import create
from tests.factories import document, subscription
from tests.helpers import seed


async def test_each_post_is_a_span(client, container, receiver):
    await seed(container, document([subscription("SUB-1")]))
    _, receiver.secret = await webhooks.create_endpoint(
        container, None, receiver.url, ["quote.finalizing"], True
    )
    await create(client, container, ["SUB-1"])
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.enable(provider)
    try:
        assert await deliver_due(container) == 1
    finally:
        tracing.disable()
    (send,) = [s for s in exporter.get_finished_spans() if s.name == "webhook.send"]
    assert dict(send.attributes or {}) == {
        "event_type": "quote.finalizing",
        "url_host": "127.0.0.1",
    }
    assert receiver.requests[0].verified
