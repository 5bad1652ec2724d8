"""Query resolvers: visibility first, then loaders and the domain."""

from dataclasses import replace
from typing import Annotated

import strawberry
from strawberry import Info

from renewals.domain.eligibility import eligibility_reasons, price_key, renewal_groups
from renewals.domain.enums import OPEN_STATUSES, Role
from renewals.domain.enums import QuoteStatus as DomainQuoteStatus
from renewals.domain.pricing import LineRequest, price_quote
from renewals.persistence import reads
from renewals.resolvers.context import Context
from renewals.resolvers.pagination import decode_cursor, encode_cursor, page_size
from renewals.resolvers.prefetch import prefetch_quotes, prefetch_subscriptions, selected
from renewals.schema.ids import from_global_id
from renewals.schema.payloads import (
    PageInfo,
    QuoteConnection,
    QuoteEdge,
    QuoteFilter,
    SubscriptionConnection,
    SubscriptionEdge,
    SubscriptionFilter,
    Viewer,
)
from renewals.schema.quote_types import Order, Quote
from renewals.schema.types import Customer, Money, Node, Partner, RenewalGroup, Subscription

First = Annotated[int | None, strawberry.argument(description="Page size: 0 to 100, default 20.")]
After = Annotated[
    str | None, strawberry.argument(description="The `endCursor` of the previous page.")
]


async def resolve_viewer(info: Info) -> Viewer:
    context: Context = info.context
    viewer = context.viewer()
    customer = partner = None
    if viewer.role == Role.BUYER:
        cid = await context.container.customer_id(viewer.customer_csn or "", context.loaders)
        customer = Customer.of(await context.loaders.customer_by_id.load(cid)) if cid else None
    if viewer.role == Role.PARTNER:
        pid = await context.container.partner_id(viewer.partner_csn or "", context.loaders)
        partner = Partner.of(await context.loaders.partner_by_id.load(pid)) if pid else None
    return Viewer(role=viewer.role, customer=customer, partner=partner)  # type: ignore[arg-type]


async def resolve_node(
    info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]
) -> Node | None:
    context: Context = info.context
    await context.visibility()
    decoded = from_global_id(id)
    if decoded is None:
        return None
    kind, pk = decoded
    loaders = context.loaders
    if kind == "Subscription":
        record = await loaders.subscription_by_id.load(pk)
        return Subscription.of(record) if record and await context.can_see(record) else None
    if kind == "Quote":
        quote = await loaders.quote_by_id.load(pk)
        return Quote.of(quote) if quote and await context.can_see(quote) else None
    if kind == "Order":
        order = await loaders.order_by_id.load(pk)
        quote = await loaders.quote_by_id.load(order.quote_id) if order else None
        return Order.of(order) if quote and await context.can_see(quote) else None
    if kind == "Customer":
        customer = await loaders.customer_by_id.load(pk)
        visible = customer is not None and await _sees(context, customer_id=pk)
        return Customer.of(customer) if visible else None
    if kind == "Partner":
        partner = await loaders.partner_by_id.load(pk)
        visible = partner is not None and await _sees(context, reseller_id=pk)
        return Partner.of(partner) if visible else None
    return None


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
    async with context.container.db.read_engine.connect() as conn:
        return await reads.sees_any_subscription(
            conn, vis, customer_id=customer_id, reseller_id=reseller_id
        )


async def _csn_filter(
    context: Context, csn: str | None, *, partner: bool = False
) -> int | None | bool:
    """The id for a CSN filter; False when the CSN is unknown (the result is then empty)."""
    if csn is None:
        return None
    lookup = context.container.partner_id if partner else context.container.customer_id
    found = await lookup(csn, context.loaders)
    return False if found is None else found


async def resolve_subscriptions(
    info: Info,
    first: First = None,
    after: After = None,
    filter: Annotated[
        SubscriptionFilter | None, strawberry.argument(description="Conditions to narrow the list.")
    ] = None,
) -> SubscriptionConnection:
    context: Context = info.context
    limit, after_id = page_size(first), decode_cursor("subscriptions", after)
    vis = await context.visibility()
    f = filter or SubscriptionFilter()
    customer_id = await _csn_filter(context, f.customer_csn)
    reseller_id = await _csn_filter(context, f.reseller_csn, partner=True)
    if customer_id is False or reseller_id is False:
        vis = replace(vis, nothing=True)
    query = reads.SubscriptionQuery(
        customer_id=customer_id or None,  # type: ignore[arg-type]
        reseller_id=reseller_id or None,  # type: ignore[arg-type]
        renewable_on=context.today if f.renewal_window_open else None,
        not_renewable_on=context.today if f.renewal_window_open is False else None,
        end_date_from=f.end_date_from,
        end_date_to=f.end_date_to,
        numbers=tuple(f.numbers) if f.numbers is not None else None,
        auto_renew=f.auto_renew,
    )
    async with context.container.db.read_engine.connect() as conn:
        rows = await reads.subscription_page(conn, vis, query, after_id, limit + 1) if limit else []
    await prefetch_subscriptions(context.loaders, rows[:limit], _node_fields(info))
    edges = [
        SubscriptionEdge(cursor=encode_cursor("subscriptions", r.id), node=Subscription.of(r))
        for r in rows[:limit]
    ]

    async def count() -> int:
        async with context.container.db.read_engine.connect() as conn:
            return await reads.subscription_count(conn, vis, query)

    return SubscriptionConnection(
        count=count, edges=edges, page_info=_page_info(edges, rows, limit, after)
    )


def _node_fields(info: Info) -> dict[str, list]:
    """What a page selects of its nodes, through `edges { node }` and the `nodes` shortcut."""
    fields = selected(info, "edges", "node")
    for name, selections in selected(info, "nodes").items():
        fields.setdefault(name, []).extend(selections)
    return fields


def _page_info(edges: list, rows: list, limit: int, after: str | None) -> PageInfo:
    return PageInfo(
        has_next_page=len(rows) > limit,
        has_previous_page=after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )


async def resolve_quotes(
    info: Info,
    first: First = None,
    after: After = None,
    filter: Annotated[
        QuoteFilter | None, strawberry.argument(description="Conditions to narrow the list.")
    ] = None,
) -> QuoteConnection:
    context: Context = info.context
    limit, after_id = page_size(first), decode_cursor("quotes", after)
    vis = await context.visibility()
    f = filter or QuoteFilter()
    customer_id = await _csn_filter(context, f.customer_csn)
    if customer_id is False:
        vis = replace(vis, nothing=True)
    statuses = (
        tuple(DomainQuoteStatus(s.value) for s in f.statuses) if f.statuses is not None else None
    )
    if f.open is not None:
        wanted = OPEN_STATUSES if f.open else frozenset(DomainQuoteStatus) - OPEN_STATUSES
        every = statuses if statuses is not None else tuple(DomainQuoteStatus)
        statuses = tuple(s for s in every if s in wanted)
    if statuses == ():  # no status can match (an empty list, or `open` excludes every one)
        vis = replace(vis, nothing=True)
    query = reads.QuoteQuery(customer_id=customer_id or None, statuses=statuses)  # type: ignore[arg-type]
    async with context.container.db.read_engine.connect() as conn:
        rows = await reads.quote_page(conn, vis, query, after_id, limit + 1) if limit else []
    await prefetch_quotes(context.loaders, rows[:limit], _node_fields(info))
    edges = [
        QuoteEdge(cursor=encode_cursor("quotes", r.id), node=Quote.of(r)) for r in rows[:limit]
    ]  # type: ignore[arg-type]

    async def count() -> int:
        async with context.container.db.read_engine.connect() as conn:
            return await reads.quote_count(conn, vis, query)

    return QuoteConnection(
        count=count, edges=edges, page_info=_page_info(edges, rows, limit, after)
    )


async def resolve_quote(
    info: Info, number: Annotated[str, strawberry.argument(description="The quote number.")]
) -> Quote | None:
    context: Context = info.context
    await context.visibility()
    quote_id = await context.loaders.quote_id_by_number.load(number)
    record = await context.loaders.quote_by_id.load(quote_id) if quote_id else None
    return Quote.of(record) if record and await context.can_see(record) else None


async def resolve_eligible_groups(
    info: Info,
    customer_csn: Annotated[
        str | None,
        strawberry.argument(description="Only this customer's groups (partners and sales)."),
    ] = None,
) -> list[RenewalGroup]:
    context: Context = info.context
    vis = await context.visibility()
    customer_id = await _csn_filter(context, customer_csn)
    if customer_id is False or vis.nothing:
        return []
    today, loaders = context.today, context.loaders
    async with context.container.db.read_engine.connect() as conn:
        candidates = await reads.renewable_subscriptions(conn, vis, customer_id or None, today)  # type: ignore[arg-type]
    prices = dict(
        zip(
            [price_key(s) for s in candidates],
            await loaders.price_by_key.load_many([price_key(s) for s in candidates]),
            strict=True,
        )
    )
    groups = renewal_groups(
        candidates,
        lambda s: (
            not eligibility_reasons(
                s,
                today,
                on_open_quote=s.open_quote_id is not None,
                has_price=prices[price_key(s)] is not None,  # type: ignore[attr-defined]
            )
        ),
    )
    promotions = await loaders.promotions_by_date.load(today) if groups else []
    members = [s for subs in groups.values() for s in subs]
    await prefetch_subscriptions(loaders, members, selected(info, "subscriptions"))
    fields = selected(info)
    if "customer" in fields or "reseller" in fields:
        await prefetch_subscriptions(loaders, members, fields)
    result = []
    for key, subs in groups.items():
        lines = [LineRequest(s.id, s.product, s.term, s.currency, s.seats) for s in subs]
        priced = price_quote(
            lines, {price_key(s): prices[price_key(s)] for s in subs}, promotions, today
        )  # type: ignore[misc]
        first_sub = subs[0]
        result.append(
            RenewalGroup(
                key=key.text,
                customer_id=first_sub.customer_id,  # type: ignore[attr-defined]
                reseller_id=first_sub.reseller_id,  # type: ignore[attr-defined]
                currency=key.currency,
                payment_method=key.payment_method,  # type: ignore[arg-type]
                subscriptions=[Subscription.of(s) for s in subs],  # type: ignore[arg-type]
                estimated_total=Money(amount=priced.total, currency=key.currency),
            )
        )
    return result
