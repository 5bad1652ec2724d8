"""Traces: one trace from the mutation to QUOTED (the job row carries the traceparent); no
document literals or parameters in spans; nothing recorded when traces are off."""

from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import select

from renewals.app import create_app
from renewals.observability import tracing
from renewals.persistence import models as m
from renewals.services.worker import drain
from tests.api.mutations.helpers import read_quote, sub_id
from tests.factories import document, subscription
from tests.helpers import gql, seed, token

RENEW = """mutation Renew($input: CreateRenewalQuoteInput!) {
  createRenewalQuote(input: $input) { quote { number status } userErrors { code } } }"""


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.enable(provider)
    try:
        yield exporter
    finally:
        tracing.disable()


async def test_one_trace_from_the_mutation_to_quoted(spans, container):
    await seed(container, document([subscription("SUB-1")]))
    app = create_app(container=container, background=False)  # SQL spans on its engines
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        sub = await sub_id(container, "SUB-1")
        body = await gql(client, RENEW, {"input": {"subscriptionIds": [sub]}}, auth=token())
        number = body["data"]["createRenewalQuote"]["quote"]["number"]
        assert await drain(container) == 1
        assert (await read_quote(client, number))["status"] == "QUOTED"

    finished = spans.get_finished_spans()
    operation = next(s for s in finished if s.name == "graphql mutation Renew")
    job = next(s for s in finished if s.name == "job finalize_quote")
    assert job.context.trace_id == operation.context.trace_id
    assert job.parent is not None and job.parent.span_id == operation.context.span_id
    in_trace = [s for s in finished if s.context.trace_id == operation.context.trace_id]
    sql_in_job = [s for s in in_trace if s.parent and s.parent.span_id == job.context.span_id]
    assert any("quote_status_history" in s.attributes.get("db.statement", "") for s in sql_in_job)
    assert operation.attributes["graphql.operation.name"] == "Renew"
    for s in finished:  # no document, no variables, no SQL parameters
        flat = " ".join(f"{k}={v}" for k, v in (s.attributes or {}).items())
        assert "createRenewalQuote(input" not in flat and sub not in flat
        assert "SUB-1" not in flat and "buyer@acme.example" not in flat

    async with container.db.read_engine.connect() as conn:
        traceparent = (await conn.execute(select(m.OutboxJob.traceparent))).scalar_one()
    assert traceparent.startswith(
        f"00-{operation.context.trace_id:032x}-{operation.context.span_id:016x}-"
    )


async def test_off_by_default_nothing_is_kept(client, container):
    assert not tracing.enabled()
    assert tracing.current_traceparent() is None
    assert tracing.span("webhook.send") is tracing.span("smtp.send")  # one shared no-op
    await seed(container, document([subscription("SUB-1")]))
    sub = await sub_id(container, "SUB-1")
    await gql(client, RENEW, {"input": {"subscriptionIds": [sub]}}, auth=token())
    async with container.db.read_engine.connect() as conn:
        assert (await conn.execute(select(m.OutboxJob.traceparent))).scalar_one() is None
