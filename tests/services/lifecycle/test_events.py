"""Status events: one per committed transition, none for a rollback or a refusal."""

from datetime import timedelta

import pytest

from renewals.api.core.ids import to_global_id
from renewals.domain.enums import QuoteStatus
from renewals.domain.errors import DomainError
from renewals.domain.visibility import Visibility
from renewals.persistence import models as m
from renewals.services import orders, quotes
from renewals.services.worker import drain
from tests.factories import document, subscription
from tests.helpers import gql, seed, token
from tests.services.lifecycle.helpers import (
    BUYER,
    SALES,
    count,
    drain_queue,
    make_quote,
    quote_row,
    rows,
    sub_pk,
)


async def test_one_event_per_transition_published_after_commit(container, monkeypatch):
    await seed(container, document([subscription("SUB-1")]))
    published = []
    real_publish = container.bus.publish

    async def checking_publish(events):
        # Every event is visible to other connections when it is published: it was committed.
        for event in events:
            history = await rows(
                container, m.QuoteStatusChange, m.QuoteStatusChange.id == event.history_id
            )
            quote = await quote_row(container, event.quote_id)
            published.append((event.status, len(history), quote.status))
        await real_publish(events)

    monkeypatch.setattr(container.bus, "publish", checking_publish)
    async with container.bus.listen() as queue:
        quote_id = await make_quote(container)
        created = drain_queue(queue)
        assert [(e.status, e.previous_status) for e in created] == [(QuoteStatus.FINALIZING, None)]
        await drain(container)
        assert [(e.status, e.previous_status) for e in drain_queue(queue)] == [
            (QuoteStatus.QUOTED, QuoteStatus.FINALIZING)
        ]
        await orders.accept_quote(
            container,
            BUYER,
            Visibility(customer_id=created[0].customer_id),
            orders.AcceptCommand(quote_id, quote_id_given=True),
        )
        assert [e.status for e in drain_queue(queue)] == [QuoteStatus.ORDER_SUBMITTED]
        # A refused second accept publishes nothing.
        with pytest.raises(DomainError):
            await orders.accept_quote(
                container, SALES, Visibility(), orders.AcceptCommand(quote_id, quote_id_given=True)
            )
        assert drain_queue(queue) == []
        await drain(container)
        events = drain_queue(queue)
        assert [(e.status, e.previous_status) for e in events] == [
            (QuoteStatus.ORDERED, QuoteStatus.ORDER_SUBMITTED)
        ]
        assert events[0].quote_id == quote_id
    assert published == [
        (QuoteStatus.FINALIZING, 1, QuoteStatus.FINALIZING),
        (QuoteStatus.QUOTED, 1, QuoteStatus.QUOTED),
        (QuoteStatus.ORDER_SUBMITTED, 1, QuoteStatus.ORDER_SUBMITTED),
        (QuoteStatus.ORDERED, 1, QuoteStatus.ORDERED),
    ]
    history = await rows(container, m.QuoteStatusChange)
    assert len(history) == 4


async def test_a_rolled_back_change_publishes_nothing(container, monkeypatch):
    await seed(container, document([subscription("SUB-1")]))

    async def fail_late(*args, **kwargs):
        raise RuntimeError("disk full")  # after the FINALIZING history row was flushed

    monkeypatch.setattr(quotes, "settle", fail_late)
    async with container.bus.listen() as queue:
        with pytest.raises(RuntimeError):
            await make_quote(container)
        assert drain_queue(queue) == []
    assert await count(container, m.Quote) == 0
    assert await count(container, m.QuoteStatusChange) == 0
    assert await count(container, m.OutboxJob) == 0
    (sub,) = await rows(container, m.Subscription)
    assert sub.open_quote_id is None


async def test_a_refused_mutation_publishes_nothing(client, container):
    await seed(container, document([subscription("SUB-1", ends_in_days=200)]))
    gid = to_global_id("Subscription", await sub_pk(container, "SUB-1"))
    async with container.bus.listen() as queue:
        body = await gql(
            client,
            "mutation($i: CreateRenewalQuoteInput!) { createRenewalQuote(input: $i) {"
            " userErrors { code } } }",
            {"i": {"subscriptionIds": [gid]}},
            auth=token(),
        )
        assert body["data"]["createRenewalQuote"]["userErrors"] == [
            {"code": "OUTSIDE_RENEWAL_WINDOW"}
        ]
        assert drain_queue(queue) == []


async def test_cancel_and_expiry_each_publish_one_event(container):
    await seed(container, document([subscription("SUB-1"), subscription("SUB-2")]))
    async with container.bus.listen() as queue:
        cancelled = await make_quote(container, "SUB-1")
        expiring = await make_quote(container, "SUB-2")
        await drain(container)
        drain_queue(queue)
        await orders.cancel_quote(container, SALES, Visibility(), cancelled, "no longer needed")
        assert [(e.quote_id, e.status) for e in drain_queue(queue)] == [
            (cancelled, QuoteStatus.CANCELLED)
        ]
        from renewals.services.jobs import expire_quotes

        container.clock.fixed_today = (await quote_row(container, expiring)).expires_on + timedelta(
            days=1
        )
        assert await expire_quotes(container) == 1
        assert [(e.quote_id, e.status) for e in drain_queue(queue)] == [
            (expiring, QuoteStatus.EXPIRED)
        ]
        assert await expire_quotes(container) == 0
        assert drain_queue(queue) == []
