"""A partner's endpoint hears only of its customers' quotes; sales' of all. Expiry reminders are
written once per quote by the daily jobs."""

import json
from datetime import timedelta

from sqlalchemy import select, update

from renewals.persistence import models as m
from renewals.services import webhooks
from renewals.services.jobs import run_jobs
from renewals.services.webhook_delivery import deliver_due
from renewals.services.worker import drain
from tests.api.mutations.helpers import create
from tests.factories import TODAY, customer, document, subscription
from tests.helpers import seed, token
from tests.services.webhooks.helpers import deliveries
from tests.services.webhooks.receiver import Receiver

TWO_CUSTOMERS = document(
    [
        subscription("SUB-1", reseller_csn="P000000001"),
        subscription("SUB-2", customer_csn="5100000002", reseller_csn="P000000002"),
    ],
    customers=[customer(), customer("5100000002", "Beta GmbH", "buyer@beta.example")],
)


async def partner_id(container, csn: str) -> int:
    async with container.db.read_engine.connect() as conn:
        return (await conn.execute(select(m.Partner.id).where(m.Partner.csn == csn))).scalar_one()


async def test_a_partner_never_hears_of_another_partners_customers(client, container):
    await seed(container, TWO_CUSTOMERS)
    receivers = {name: Receiver().start() for name in ("p1", "p2", "sales")}
    try:
        p1, p2 = (
            await partner_id(container, "P000000001"),
            await partner_id(container, "P000000002"),
        )
        for owner, name in ((p1, "p1"), (p2, "p2"), (None, "sales")):
            _, receivers[name].secret = await webhooks.create_endpoint(
                container, owner, receivers[name].url, ["quote.finalizing"], True
            )
        await create(client, container, ["SUB-1"], token("partner", "P000000001"))
        await create(client, container, ["SUB-2"], token("buyer", "5100000002"))
        await deliver_due(container)
        seen = {
            name: sorted(json.loads(r.body)["data"]["customerCsn"] for r in rec.requests)
            for name, rec in receivers.items()
        }
        assert seen == {
            "p1": ["5100000001"],
            "p2": ["5100000002"],
            "sales": ["5100000001", "5100000002"],
        }
        assert all(r.verified for rec in receivers.values() for r in rec.requests)
    finally:
        for rec in receivers.values():
            rec.stop()


async def test_inactive_endpoints_and_other_events_get_nothing(client, container, receiver):
    await seed(container, document([subscription("SUB-1")]))
    await webhooks.create_endpoint(container, None, receiver.url, ["quote.ordered"], True)
    await webhooks.create_endpoint(container, None, receiver.url, ["*"], False)
    await create(client, container, ["SUB-1"])
    await drain(container)
    assert await deliveries(container) == []


async def test_expiry_reminders_once_per_quote(client, container, receiver):
    await seed(container, document([subscription("SUB-1"), subscription("SUB-2", seats=3)]))
    await webhooks.create_endpoint(container, None, receiver.url, ["quote.expiring"], True)
    soon = (await create(client, container, ["SUB-1"]))["quote"]["number"]
    (await create(client, container, ["SUB-2"]))["quote"]["number"]
    await drain(container)
    async with container.db.write_engine.begin() as conn:  # one expires within 7 days
        await conn.execute(
            update(m.Quote)
            .where(m.Quote.number == soon)
            .values(expires_on=TODAY + timedelta(days=7))
        )
    await run_jobs(container)
    await run_jobs(container)  # the next day's run (or a second one) writes no second reminder
    await deliver_due(container)
    (got,) = receiver.requests
    body = json.loads(got.body)
    assert (body["type"], body["data"]["quoteNumber"], body["data"]["expiresOn"]) == (
        "quote.expiring",
        soon,
        (TODAY + timedelta(days=7)).isoformat(),
    )
