"""The history relay: other processes' transitions reach this bus once, its own are not repeated."""

from renewals.container import build_container
from renewals.domain.enums import QuoteStatus
from renewals.domain.visibility import Visibility
from renewals.services.quotes import CreateQuoteCommand, create_renewal_quote
from renewals.services.worker import drain
from tests.factories import document, subscription
from tests.helpers import seed
from tests.services.lifecycle.helpers import SALES, drain_queue, make_quote, sub_pk


async def test_changes_committed_by_another_process_reach_this_bus_once(settings, container):
    """`renewals jobs run` beside `serve`: the relay publishes the other process's history rows."""
    from renewals.services.relay import HistoryRelay

    await seed(container, document([subscription("SUB-1")]))
    relay = HistoryRelay(container)
    await relay.poll()  # starts after what already exists
    other = build_container(settings)  # the other process: its own bus
    try:
        ids = [await sub_pk(other, "SUB-1")]
        async with container.bus.listen() as queue:
            quote_id = await create_renewal_quote(
                other, SALES, Visibility(), CreateQuoteCommand(ids)
            )
            await drain(other)
            assert await relay.poll() == 2
            assert await relay.poll() == 0
            events = drain_queue(queue)
    finally:
        await other.close()
    assert [(e.quote_id, e.previous_status, e.status) for e in events] == [
        (quote_id, None, QuoteStatus.FINALIZING),
        (quote_id, QuoteStatus.FINALIZING, QuoteStatus.QUOTED),
    ]


async def test_an_event_published_here_is_not_relayed_again(container):
    from renewals.services.relay import HistoryRelay

    await seed(container, document([subscription("SUB-1")]))
    relay = HistoryRelay(container)
    await relay.poll()
    async with container.bus.listen() as queue:
        await make_quote(container)
        assert await relay.poll() == 1  # found, but the bus already delivered it
        assert len(drain_queue(queue)) == 1
