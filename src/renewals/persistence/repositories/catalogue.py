"""The price list and the promotions of one day in one round trip (creation and finalization
price with both)."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, literal_column, null, select, type_coerce, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from renewals.domain.enums import Term
from renewals.domain.values import PriceKey, Promotion
from renewals.persistence import models as m
from renewals.persistence.reads import promotion_of

P, R = m.Price.__table__, m.Promotion.__table__
PRICE_COLUMNS = ("product", "term", "currency", "unit_price")
PROMOTION_COLUMNS = ("code", "description", "percent_off", "products", "terms")
PROMOTION_DATES = ("valid_from", "valid_to")


def _none(column: Any) -> Any:
    """A NULL of the column's type: the first SELECT of a UNION gives the rows their types."""
    return type_coerce(null(), column.type).label(column.name)


def _statement() -> Any:
    promotion_columns = [R.c[n] for n in PROMOTION_COLUMNS + PROMOTION_DATES]
    prices = select(
        literal_column("'P'").label("kind"),
        *(P.c[n] for n in PRICE_COLUMNS),
        *(_none(c) for c in promotion_columns),
    ).where(P.c.product.in_(bindparam("products", expanding=True)))
    promos: Any = select(
        literal_column("'R'"), *(null() for _ in PRICE_COLUMNS), *promotion_columns
    ).where(R.c.valid_to >= bindparam("day", type_=R.c.valid_to.type))
    return union_all(prices, promos)


# Built once: building and keying this UNION costs more CPU than running it.
STATEMENT = _statement()


async def prices_and_promotions(
    conn: AsyncConnection, products: Iterable[str], day: date
) -> tuple[dict[PriceKey, Decimal], list[Promotion]]:
    """Every price of these products (all terms and currencies) and the promotions valid on
    `day`: what `reads.price_book` and `reads.promotions_on` give, in one statement."""
    book: dict[PriceKey, Decimal] = {}
    promotions: list[Promotion] = []
    rows = await conn.execute(STATEMENT, {"products": list(set(products)), "day": day})
    for r in rows:
        if r.kind == "P":
            book[PriceKey(r.product, Term(r.term), r.currency)] = r.unit_price
        elif r.valid_from <= day:
            promotions.append(promotion_of(r))
    return book, promotions
