"""The raw baseline: a minimal Starlette app that does what S1 and S2 need without GraphQL.

Same work as the real app apart from the GraphQL layer: it authenticates the bearer token,
resolves the viewer's visibility (CSN -> id cached like the app's container), issues the same
SQL through the same read functions (`renewals.persistence.reads`) on an engine made by
`create_database` (same pool and pragmas), applies the same domain rules (eligibility, grouping,
pricing, windows) and returns the same JSON bytes as the GraphQL response, encoded with orjson.
It answers exactly the documents in bench/queries.py; the benchmark checks the bytes at start.

Run by the benchmark as `python -m bench.baseline --port P` (uvicorn, same options as
`renewals serve`), configured by the same RENEWALS_* variables.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from renewals.api.core.ids import to_global_id
from renewals.api.core.pagination import encode_cursor
from renewals.auth import AuthError, Viewer, parse_authorization, read_bearer
from renewals.clock import SystemClock
from renewals.config import Settings
from renewals.domain.eligibility import (
    eligibility_reasons,
    eligible_groups,
    estimated_total,
    price_key,
)
from renewals.domain.enums import Role
from renewals.domain.windows import renewal_window
from renewals.persistence import models as m
from renewals.persistence import reads
from renewals.persistence.db import create_database

JSON = "application/json"
PAGE = 100


def money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(amount), "currency": currency}


def window(end_date: Any, today: Any) -> dict[str, Any]:
    w = renewal_window(end_date)
    return {
        "opensOn": w.opens_on.isoformat(),
        "closesOn": w.closes_on.isoformat(),
        "isOpen": w.is_open(today),
    }


def create_app() -> Starlette:
    settings = Settings()
    db = create_database(settings.database_url, pool_size=settings.pool_size)
    clock = SystemClock(settings.today)
    secret = settings.secret_key or ""
    ids: dict[tuple[str, str], int] = {}

    def viewer_of(request: Request) -> Viewer | None:
        try:
            token = parse_authorization(request.headers.get("authorization"))
            return read_bearer(secret, token) if token else None
        except AuthError:
            return None

    async def id_of(conn: Any, kind: str, csn: str) -> int | None:
        found = ids.get((kind, csn))
        if found is None:
            table = m.Customer.__table__ if kind == "customer" else m.Partner.__table__
            found = (await reads.ids_by_csn(conn, table, [csn]))[0]
            if found is not None:
                ids[(kind, csn)] = found
        return found

    async def visibility(conn: Any, viewer: Viewer) -> reads.Visibility:
        if viewer.role == Role.SALES:
            return reads.Visibility()
        if viewer.role == Role.BUYER:
            cid = await id_of(conn, "customer", viewer.customer_csn or "")
            return reads.Visibility(customer_id=cid, nothing=cid is None)
        pid = await id_of(conn, "partner", viewer.partner_csn or "")
        return reads.Visibility(reseller_id=pid, nothing=pid is None)

    def unauthenticated() -> Response:
        body = {
            "errors": [{"message": "Unauthenticated", "extensions": {"code": "UNAUTHENTICATED"}}]
        }
        return Response(orjson.dumps(body), media_type=JSON)

    async def s1(request: Request) -> Response:
        """eligibleRenewalGroups: candidates, prices, promotions; grouped and priced."""
        viewer = viewer_of(request)
        if viewer is None:
            return unauthenticated()
        today = clock.today()
        groups_out: list[dict[str, Any]] = []
        async with db.read_engine.connect() as conn:
            vis = await visibility(conn, viewer)
            if vis.nothing:
                return Response(
                    orjson.dumps({"data": {"eligibleRenewalGroups": []}}), media_type=JSON
                )
            candidates = await reads.renewable_subscriptions(conn, vis, None, today)
            keys = list(dict.fromkeys(price_key(s) for s in candidates))
            prices = (
                dict(zip(keys, await reads.prices_by_key(conn, keys), strict=True)) if keys else {}
            )

            def reasons(s: Any) -> list[Any]:
                return eligibility_reasons(
                    s,
                    today,
                    on_open_quote=s.open_quote_id is not None,
                    has_price=prices[price_key(s)] is not None,
                )

            groups = eligible_groups(
                candidates,
                today,
                prices=prices,
                on_open_quote=lambda s: s.open_quote_id is not None,
            )
            promotions = (await reads.promotions_on(conn, [today]))[0] if groups else []
        for key, subs in groups.items():
            total = estimated_total(subs, prices, promotions, today)
            subscriptions = []
            for s in subs:
                why = reasons(s)
                subscriptions.append(
                    {
                        "id": to_global_id("Subscription", s.id),
                        "number": s.number,
                        "productName": s.product,
                        "term": s.term.value,
                        "seats": s.seats,
                        "endDate": s.end_date.isoformat(),
                        "renewalWindow": window(s.end_date, today),
                        "renewalEligibility": {
                            "eligible": not why,
                            "reasons": [r.value for r in why],
                        },
                    }
                )
            groups_out.append(
                {
                    "key": key.text,
                    "currency": key.currency,
                    "paymentMethod": key.payment_method.value,
                    "estimatedTotal": money(total, key.currency),
                    "subscriptions": subscriptions,
                }
            )
        body = {"data": {"eligibleRenewalGroups": groups_out}}
        return Response(orjson.dumps(body), media_type=JSON)

    async def s2(request: Request) -> Response:
        """subscriptions(first: 100): page, count, customers, partners, open quotes."""
        viewer = viewer_of(request)
        if viewer is None:
            return unauthenticated()
        today = clock.today()
        query = reads.SubscriptionQuery()
        async with db.read_engine.connect() as conn:
            vis = await visibility(conn, viewer)
            rows = await reads.subscription_page(conn, vis, query, None, PAGE + 1)
            total = await reads.subscription_count(conn, vis, query)
            page = rows[:PAGE]
            customer_ids = list(dict.fromkeys(r.customer_id for r in page))
            partner_ids = list(
                dict.fromkeys(r.reseller_id for r in page if r.reseller_id is not None)
            )
            quote_ids = list(
                dict.fromkeys(r.open_quote_id for r in page if r.open_quote_id is not None)
            )
            customers = (
                dict(
                    zip(customer_ids, await reads.customers_by_id(conn, customer_ids), strict=True)
                )
                if customer_ids
                else {}
            )
            partners = (
                dict(zip(partner_ids, await reads.partners_by_id(conn, partner_ids), strict=True))
                if partner_ids
                else {}
            )
            quotes = (
                dict(zip(quote_ids, await reads.quotes_by_id(conn, quote_ids), strict=True))
                if quote_ids
                else {}
            )
        edges = []
        for r in page:
            customer = customers[r.customer_id]
            partner = partners.get(r.reseller_id) if r.reseller_id is not None else None
            quote = quotes.get(r.open_quote_id) if r.open_quote_id is not None else None
            edges.append(
                {
                    "cursor": encode_cursor("subscriptions", r.id),
                    "node": {
                        "id": to_global_id("Subscription", r.id),
                        "number": r.number,
                        "productName": r.product,
                        "seats": r.seats,
                        "term": r.term.value,
                        "endDate": r.end_date.isoformat(),
                        "autoRenew": r.auto_renew,
                        "customer": {"csn": customer.csn, "name": customer.name},
                        "reseller": {"csn": partner.csn, "name": partner.name} if partner else None,
                        "renewalWindow": window(r.end_date, today),
                        "openQuote": {
                            "number": quote.number,
                            "status": quote.status.value,
                            "expiresOn": quote.expires_on.isoformat(),
                            "total": money(quote.total, quote.currency),
                        }
                        if quote
                        else None,
                    },
                }
            )
        body = {
            "data": {
                "subscriptions": {
                    "totalCount": total,
                    "pageInfo": {
                        "hasNextPage": len(rows) > PAGE,
                        "endCursor": edges[-1]["cursor"] if edges else None,
                    },
                    "edges": edges,
                }
            }
        }
        return Response(orjson.dumps(body), media_type=JSON)

    async def healthz(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type=JSON)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await db.dispose()

    return Starlette(
        routes=[
            Route("/s1", s1, methods=["POST"]),
            Route("/s2", s2, methods=["POST"]),
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="the raw baseline for S1 and S2")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    # The same uvicorn options as `renewals serve` (log level info: access log on).
    uvicorn.run(
        "bench.baseline:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
    )


if __name__ == "__main__":
    main()
