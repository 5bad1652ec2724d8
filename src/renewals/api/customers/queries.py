"""viewer, and Customer and Partner nodes (visible as the subscriptions that link them are)."""

from __future__ import annotations

import strawberry
from strawberry import Info

from renewals.api.core.context import Context, ctx
from renewals.api.core.enums import ViewerRole
from renewals.api.customers.types import Customer, Partner
from renewals.domain.enums import Role
from renewals.persistence import reads


@strawberry.type(description="Who the bearer token says you are.")
class Viewer:
    role: ViewerRole = strawberry.field(description="BUYER, PARTNER or SALES.")
    customer: Customer | None = strawberry.field(description="A buyer's own customer.")
    partner: Partner | None = strawberry.field(description="A partner's own partner account.")


async def resolve_viewer(info: Info) -> Viewer:
    context = ctx(info)
    viewer = context.viewer()
    customer = partner = None
    if viewer.role == Role.BUYER:
        cid = await context.customer_id(viewer.customer_csn or "")
        customer = Customer.of(await context.loaders.customer_by_id.load(cid)) if cid else None
    if viewer.role == Role.PARTNER:
        pid = await context.partner_id(viewer.partner_csn or "")
        partner = Partner.of(await context.loaders.partner_by_id.load(pid)) if pid else None
    return Viewer(role=viewer.role, customer=customer, partner=partner)


async def customer_node(context: Context, pk: int) -> Customer | None:
    customer = await context.loaders.customer_by_id.load(pk)
    visible = customer is not None and await _sees(context, customer_id=pk)
    return Customer.of(customer) if visible else None


async def partner_node(context: Context, pk: int) -> Partner | None:
    partner = await context.loaders.partner_by_id.load(pk)
    visible = partner is not None and await _sees(context, reseller_id=pk)
    return Partner.of(partner) if visible else None


async def _sees(
    context: Context, *, customer_id: int | None = None, reseller_id: int | None = None
) -> bool:
    """A customer or partner is visible to sales, to itself, and through a visible subscription
    (a partner's customers, a buyer's resellers of record)."""
    vis = await context.visibility()
    if vis.nothing:
        return False
    if vis.customer_id is None and vis.reseller_id is None:
        return True
    if customer_id is not None and customer_id == vis.customer_id:
        return True
    if reseller_id is not None and reseller_id == vis.reseller_id:
        return True
    async with context.reads.connect() as conn:
        return await reads.sees_any_subscription(
            conn, vis, customer_id=customer_id, reseller_id=reseller_id
        )
