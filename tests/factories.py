"""Import documents for tests: small, explicit, relative to a business date."""

from datetime import date, timedelta
from typing import Any

TODAY = date(2026, 11, 26)
SECRET = "test-secret-key-that-is-long-enough-for-hs256"


def customer(
    csn: str = "5100000001", name: str = "Acme Bau AG", buyer: str = "buyer@acme.example"
) -> dict:
    return {
        "csn": csn,
        "name": name,
        "address": {
            "line1": "Hauptstr. 1",
            "city": "Berlin",
            "postalCode": "10115",
            "country": "DE",
        },
        "contacts": [
            {"email": buyer, "name": "Bea Buyer", "role": "BUYER"},
            {"email": f"eng-{csn}@example.com", "name": "Eli Eng", "role": "EMPLOYEE"},
        ],
    }


def subscription(
    number: str,
    *,
    customer_csn: str = "5100000001",
    reseller_csn: str | None = None,
    product: str = "AutoCAD",
    offering_type: str = "STANDARD",
    term: str = "ANNUAL",
    seats: int = 5,
    currency: str = "EUR",
    payment_method: str = "CREDIT_CARD",
    ends_in_days: int = 60,
    today: date = TODAY,
    auto_renew: bool = False,
) -> dict:
    end = today + timedelta(days=ends_in_days)
    return {
        "number": number,
        "customerCsn": customer_csn,
        "resellerCsn": reseller_csn,
        "product": product,
        "offeringType": offering_type,
        "term": term,
        "seats": seats,
        "currency": currency,
        "paymentMethod": payment_method,
        "startDate": (end - timedelta(days=364)).isoformat(),
        "endDate": end.isoformat(),
        "autoRenew": auto_renew,
    }


PRICES = [
    {"product": p, "term": t, "currency": c, "unitPrice": price}
    for p in ("AutoCAD", "Revit")
    for t, price in (("MONTHLY", "250.00"), ("ANNUAL", "2100.00"), ("THREE_YEAR", "5985.00"))
    for c in ("EUR", "USD")
]
PROMOTIONS = [
    {
        "code": "RENEW3Y",
        "description": "10% off 3-year renewals",
        "percentOff": "10",
        "products": ["AutoCAD"],
        "terms": ["THREE_YEAR"],
        "validFrom": "2026-01-01",
        "validTo": "2027-12-31",
    }
]


def document(subscriptions: list[dict], customers: list[dict] | None = None, **extra: Any) -> dict:
    """A valid import document: two partners, the given customers (default Acme), prices, promotion."""
    return {
        "partners": [
            {"csn": "P000000001", "name": "CAD Partner GmbH"},
            {"csn": "P000000002", "name": "BIM Reseller AG"},
        ],
        "customers": customers if customers is not None else [customer()],
        "prices": extra.pop("prices", PRICES),
        "promotions": extra.pop("promotions", PROMOTIONS),
        "subscriptions": subscriptions,
        **extra,
    }
