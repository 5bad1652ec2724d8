"""Builders for the plain values the domain rules take; relative to one fixed business date."""

from datetime import date, timedelta
from decimal import Decimal

from renewals.domain.enums import OfferingType, PaymentMethod, Term
from renewals.domain.values import Promotion, SubscriptionFacts

TODAY = date(2026, 11, 26)


def sub(
    id: int = 1,
    *,
    number: str | None = None,
    customer_csn: str = "5100000001",
    reseller_csn: str | None = None,
    product: str = "AutoCAD",
    offering_type: OfferingType = OfferingType.STANDARD,
    term: Term = Term.ANNUAL,
    seats: int = 5,
    currency: str = "EUR",
    payment_method: PaymentMethod = PaymentMethod.CREDIT_CARD,
    end_date: date | None = None,
    ends_in_days: int = 60,
    auto_renew: bool = False,
    today: date = TODAY,
) -> SubscriptionFacts:
    """A STANDARD annual subscription ending 60 days after TODAY unless told otherwise."""
    end = end_date if end_date is not None else today + timedelta(days=ends_in_days)
    return SubscriptionFacts(
        id=id,
        number=number or f"SUB-{1000 + id}",
        customer_csn=customer_csn,
        reseller_csn=reseller_csn,
        product=product,
        offering_type=offering_type,
        term=term,
        seats=seats,
        currency=currency,
        payment_method=payment_method,
        start_date=end - timedelta(days=364),
        end_date=end,
        auto_renew=auto_renew,
    )


def promotion(
    code: str = "RENEW10",
    *,
    percent_off: str = "10",
    products: tuple[str, ...] = ("AutoCAD",),
    terms: tuple[Term, ...] = (Term.ANNUAL,),
    valid_from: date = date(2026, 1, 1),
    valid_to: date = date(2026, 12, 31),
    description: str | None = None,
) -> Promotion:
    return Promotion(
        code=code,
        description=description or f"{percent_off}% off ({code})",
        percent_off=Decimal(percent_off),
        products=frozenset(products),
        terms=frozenset(terms),
        valid_from=valid_from,
        valid_to=valid_to,
    )
