"""`renewals demo`: a realistic data set in the import file format, dated relative to today."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from renewals.domain.enums import Term
from renewals.domain.windows import TERM_MONTHS, add_months
from renewals.persistence.db import Database
from renewals.services.importer import ImportReport, import_document

# Annual list prices in EUR; other terms and currencies derive from them.
ANNUAL_EUR = {
    "AutoCAD": Decimal("2100"),
    "Revit": Decimal("3050"),
    "Fusion": Decimal("680"),
    "Civil 3D": Decimal("2950"),
    "Inventor": Decimal("2620"),
}
TERM_FACTOR = {
    Term.MONTHLY: Decimal("0.105"),
    Term.ANNUAL: Decimal(1),
    Term.THREE_YEAR: Decimal("2.85"),
}
CURRENCY_FACTOR = {"EUR": Decimal(1), "USD": Decimal("1.08"), "GBP": Decimal("0.86")}
# Deliberately no price: the Thames subscription on it shows PRICE_UNAVAILABLE.
MISSING_PRICE = ("Civil 3D", Term.THREE_YEAR.value, "GBP")

PARTNERS = [
    {"csn": "P000000001", "name": "CAD Partner GmbH"},
    {"csn": "P000000002", "name": "BIM Solutions Ltd"},
]


def _customer(
    csn: str, name: str, address: tuple[str, str, str, str], contacts: list[tuple[str, str, str]]
) -> dict[str, Any]:
    line1, city, postal_code, country = address
    return {
        "csn": csn,
        "name": name,
        "address": {"line1": line1, "city": city, "postalCode": postal_code, "country": country},
        "contacts": [{"email": e, "name": n, "role": r} for e, n, r in contacts],
    }


CUSTOMERS = [
    _customer(
        "5100000001",
        "Acme Bau AG",
        ("Hauptstr. 1", "Berlin", "10115", "DE"),
        [
            ("buyer@acme.example", "Bea Buyer", "BUYER"),
            ("eng@acme.example", "Eli Eng", "EMPLOYEE"),
            ("it@acme.example", "Ida Admin", "EMPLOYEE"),
        ],
    ),
    _customer(
        "5100000002",
        "Nordlicht Architekten GmbH",
        ("Speicherstadt 7", "Hamburg", "20457", "DE"),
        [("einkauf@nordlicht.example", "Nora Nord", "BUYER")],
    ),
    _customer(
        "5100000003",
        "Thames Engineering Ltd",
        ("12 Riverside Walk", "London", "SE1 9PP", "GB"),
        [
            ("procurement@thames.example", "Tom Thames", "BUYER"),
            ("cad@thames.example", "Cara Draft", "EMPLOYEE"),
        ],
    ),
    _customer(
        "5100000004",
        "Lakeside Manufacturing Inc",
        ("400 N Lake Shore Dr", "Chicago", "60611", "US"),
        [("purchasing@lakeside.example", "Lee Lake", "BUYER")],
    ),
]

CUSTOMER_CSN = {
    "acme": "5100000001",
    "nord": "5100000002",
    "thames": "5100000003",
    "lake": "5100000004",
}
# number | customer | reseller | product | offering | term | seats | currency | payment | ends in
# (days from today) | auto-renew
SUBSCRIPTIONS = """
# Acme, EUR / CREDIT_CARD, direct: open (60 days), due for R12 (20 days), exactly 30 days.
SUB-1001 | acme   | -          | AutoCAD  | STANDARD     | ANNUAL     |  5 | EUR | CREDIT_CARD  |  60 | on
SUB-1002 | acme   | -          | Revit    | STANDARD     | ANNUAL     |  3 | EUR | CREDIT_CARD  |  20 | off
SUB-1003 | acme   | -          | Fusion   | STANDARD     | ANNUAL     | 10 | EUR | CREDIT_CARD  |  30 | off
# Acme, EUR / INVOICE via P000000001: three-year (RENEW3Y applies), expired 10 days ago.
SUB-1004 | acme   | P000000001 | AutoCAD  | STANDARD     | THREE_YEAR | 12 | EUR | INVOICE      |  75 | off
SUB-1005 | acme   | P000000001 | Civil 3D | STANDARD     | ANNUAL     |  4 | EUR | INVOICE      | -10 | off
# Acme, USD / PAYPAL, direct: monthly and annual.
SUB-1006 | acme   | -          | Fusion   | STANDARD     | MONTHLY    |  2 | USD | PAYPAL       |  12 | on
SUB-1007 | acme   | -          | Inventor | STANDARD     | ANNUAL     |  1 | USD | PAYPAL       |  40 | off
# Acme, EUR / DIRECT_DEBIT: auto-renew on, ending in 3 days (REVIT5 applies).
SUB-1008 | acme   | -          | Revit    | STANDARD     | ANNUAL     |  6 | EUR | DIRECT_DEBIT |   3 | on
# Acme, not eligible: window not yet open, window closed, success plan, flex.
SUB-1009 | acme   | -          | Revit    | STANDARD     | ANNUAL     |  2 | EUR | CREDIT_CARD  | 120 | on
SUB-1010 | acme   | -          | Inventor | STANDARD     | ANNUAL     |  3 | EUR | CREDIT_CARD  | -60 | off
SUB-1011 | acme   | -          | AutoCAD  | SUCCESS_PLAN | ANNUAL     |  5 | EUR | CREDIT_CARD  |  50 | off
SUB-1012 | acme   | -          | Fusion   | FLEX         | MONTHLY    | 20 | EUR | CREDIT_CARD  |  25 | off
# Nordlicht: via P000000001 three-year Revit, window opening today, not yet open; direct.
SUB-2001 | nord   | P000000001 | Revit    | STANDARD     | THREE_YEAR |  8 | EUR | INVOICE      |  45 | off
SUB-2002 | nord   | P000000001 | AutoCAD  | STANDARD     | ANNUAL     |  4 | EUR | INVOICE      |  90 | on
SUB-2003 | nord   | P000000001 | Revit    | STANDARD     | ANNUAL     |  2 | EUR | INVOICE      | 150 | on
SUB-2004 | nord   | -          | Revit    | STANDARD     | ANNUAL     |  1 | EUR | DIRECT_DEBIT |  28 | off
# Thames, GBP: no price for Civil 3D THREE_YEAR GBP (PRICE_UNAVAILABLE); monthly direct.
SUB-3001 | thames | P000000002 | Civil 3D | STANDARD     | THREE_YEAR |  6 | GBP | DIRECT_DEBIT |  45 | off
SUB-3002 | thames | P000000002 | Inventor | STANDARD     | ANNUAL     |  3 | GBP | DIRECT_DEBIT |  28 | on
SUB-3003 | thames | -          | AutoCAD  | STANDARD     | MONTHLY    |  2 | GBP | CREDIT_CARD  |   8 | on
# Lakeside, USD: via P000000002 by invoice, direct by card; window closing soon, just closed.
SUB-4001 | lake   | P000000002 | Inventor | STANDARD     | ANNUAL     | 15 | USD | INVOICE      |  35 | off
SUB-4002 | lake   | -          | Fusion   | STANDARD     | ANNUAL     | 25 | USD | CREDIT_CARD  |  44 | on
SUB-4003 | lake   | P000000002 | Civil 3D | STANDARD     | THREE_YEAR |  5 | USD | INVOICE      | -40 | off
SUB-4004 | lake   | -          | AutoCAD  | STANDARD     | ANNUAL     |  7 | USD | CREDIT_CARD  | -46 | off
"""


def _prices() -> list[dict[str, str]]:
    prices = []
    for product, annual in ANNUAL_EUR.items():
        for term, term_factor in TERM_FACTOR.items():
            for currency, currency_factor in CURRENCY_FACTOR.items():
                if (product, term.value, currency) == MISSING_PRICE:
                    continue
                amount = (annual * term_factor * currency_factor).quantize(Decimal(1))
                prices.append(
                    {
                        "product": product,
                        "term": term.value,
                        "currency": currency,
                        "unitPrice": f"{amount}.00",
                    }
                )
    return prices


def _promotions(today: date) -> list[dict[str, Any]]:
    def promotion(
        code: str, text: str, pct: str, products: list[str], terms: list[str], days: tuple[int, int]
    ) -> dict[str, Any]:
        return {
            "code": code,
            "description": text,
            "percentOff": pct,
            "products": products,
            "terms": terms,
            "validFrom": (today + timedelta(days=days[0])).isoformat(),
            "validTo": (today + timedelta(days=days[1])).isoformat(),
        }

    three_year, annual = ["THREE_YEAR"], ["ANNUAL"]
    return [
        promotion("RENEW3Y", "10% off 3-year renewals", "10", ["AutoCAD", "Revit"], three_year, (-60, 300)),
        promotion("REVIT5", "5% off annual Revit renewals", "5", ["Revit"], annual, (-30, 180)),
        promotion("FUSION15", "15% off annual Fusion (ended)", "15", ["Fusion"], annual, (-150, -31)),
    ]  # fmt: skip


def _subscriptions(today: date) -> list[dict[str, Any]]:
    subscriptions = []
    for line in SUBSCRIPTIONS.strip().splitlines():
        if line.startswith("#"):
            continue
        (
            number,
            customer,
            reseller,
            product,
            offering,
            term,
            seats,
            currency,
            payment,
            days,
            auto,
        ) = (cell.strip() for cell in line.split("|"))
        end = today + timedelta(days=int(days))
        start = add_months(end + timedelta(days=1), -TERM_MONTHS[Term(term)])
        subscriptions.append(
            {
                "number": number,
                "customerCsn": CUSTOMER_CSN[customer],
                "resellerCsn": None if reseller == "-" else reseller,
                "product": product,
                "offeringType": offering,
                "term": term,
                "seats": int(seats),
                "currency": currency,
                "paymentMethod": payment,
                "startDate": start.isoformat(),
                "endDate": end.isoformat(),
                "autoRenew": auto == "on",
            }
        )
    return subscriptions


def demo_document(today: date) -> dict[str, Any]:
    """The demo data set as an import file, every date relative to `today`."""
    return {
        "partners": [dict(p) for p in PARTNERS],
        "customers": [
            {**c, "address": dict(c["address"]), "contacts": [dict(x) for x in c["contacts"]]}
            for c in CUSTOMERS
        ],
        "prices": _prices(),
        "promotions": _promotions(today),
        "subscriptions": _subscriptions(today),
    }


async def load_demo(db: Database, today: date) -> ImportReport:
    """Import the demo data set (idempotent: a second load changes nothing)."""
    return await import_document(db, demo_document(today))
