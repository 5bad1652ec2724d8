"""eligibleRenewalGroups (R04): eligible subscriptions grouped, each group with an estimate."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from renewals.api.core.context import ctx
from renewals.api.core.prefetch import selected
from renewals.api.core.types import Money
from renewals.api.renewal_groups.types import RenewalGroup
from renewals.api.subscriptions.loaders import prefetch_subscriptions
from renewals.api.subscriptions.types import Subscription
from renewals.domain.eligibility import eligible_groups, estimated_total, price_key
from renewals.persistence import reads


async def resolve_eligible_groups(
    info: Info,
    customer_csn: Annotated[
        str | None,
        strawberry.argument(description="Only this customer's groups (partners and sales)."),
    ] = None,
) -> list[RenewalGroup]:
    context = ctx(info)
    vis = await context.visibility()
    customer_id = await context.filter_id(customer_csn)
    if customer_id is False or vis.nothing:
        return []
    today, loaders = context.today, context.loaders
    async with context.reads.connect() as conn:
        candidates = await reads.renewable_subscriptions(conn, vis, customer_id or None, today)
    prices = dict(
        zip(
            [price_key(s) for s in candidates],
            await loaders.price_by_key.load_many([price_key(s) for s in candidates]),
            strict=True,
        )
    )
    groups = eligible_groups(
        candidates, today, prices=prices, on_open_quote=lambda s: s.on_open_quote(today)
    )
    promotions = await loaders.promotions_by_date.load(today) if groups else []
    members = [s for subs in groups.values() for s in subs]
    await prefetch_subscriptions(loaders, members, selected(info, "subscriptions"))
    fields = selected(info)
    if "customer" in fields or "reseller" in fields:
        await prefetch_subscriptions(loaders, members, fields)
    result = []
    for key, subs in groups.items():
        total = estimated_total(subs, prices, promotions, today)
        first_sub = subs[0]
        result.append(
            RenewalGroup(
                key=key.text,
                customer_id=first_sub.customer_id,
                reseller_id=first_sub.reseller_id,
                currency=key.currency,
                payment_method=key.payment_method,
                subscriptions=[Subscription.of(s, today) for s in subs],
                estimated_total=Money(amount=total, currency=key.currency),
            )
        )
    return result
