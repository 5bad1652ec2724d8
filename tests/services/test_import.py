"""The import file: validation with JSON paths, all-or-nothing upserts by natural keys, the demo."""

import asyncio
import copy
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from renewals.domain.eligibility import eligibility_reasons, renewal_groups
from renewals.domain.enums import (
    ContactRole,
    ErrorCode,
    OfferingType,
    PaymentMethod,
    QuoteOrigin,
    QuoteStatus,
    QuoteType,
    Term,
)
from renewals.domain.values import SubscriptionFacts
from renewals.domain.windows import renewal_window
from renewals.persistence import models as m
from renewals.persistence.db import Database, create_database
from renewals.persistence.uow import UnitOfWork
from renewals.services.demo import demo_document, load_demo
from renewals.services.importer import (
    ImportInvalid,
    ImportReport,
    check_document,
    import_document,
    parse_json,
    validate_document,
)

TODAY = date(2026, 11, 27)
KINDS = ("partners", "customers", "contacts", "prices", "promotions", "subscriptions")


def valid_document() -> dict[str, Any]:
    return {
        "partners": [
            {"csn": "P000000001", "name": "CAD Partner GmbH"},
            {"csn": "P000000002", "name": "BIM Solutions Ltd"},
        ],
        "customers": [
            {
                "csn": "5100000001",
                "name": "Acme Bau AG",
                "address": {
                    "line1": "Hauptstr. 1",
                    "city": "Berlin",
                    "postalCode": "10115",
                    "country": "DE",
                },
                "contacts": [
                    {"email": "buyer@acme.example", "name": "Bea Buyer", "role": "BUYER"},
                    {"email": "eng@acme.example", "name": "Eli Eng", "role": "EMPLOYEE"},
                ],
            },
            {"csn": "5100000002", "name": "Nordlicht GmbH"},
        ],
        "prices": [
            {"product": "AutoCAD", "term": "ANNUAL", "currency": "EUR", "unitPrice": "2100.00"},
            {"product": "AutoCAD", "term": "THREE_YEAR", "currency": "EUR", "unitPrice": "5985"},
        ],
        "promotions": [
            {
                "code": "RENEW3Y",
                "description": "10% off 3-year renewals",
                "percentOff": "10",
                "products": ["AutoCAD"],
                "terms": ["THREE_YEAR"],
                "validFrom": "2026-01-01",
                "validTo": "2027-12-31",
            }
        ],
        "subscriptions": [
            subscription("SUB-1001", resellerCsn=None),
            subscription("SUB-1002", resellerCsn="P000000001", customerCsn="5100000002"),
        ],
    }


def subscription(number: str, **changes: Any) -> dict[str, Any]:
    return {
        "number": number,
        "customerCsn": "5100000001",
        "resellerCsn": None,
        "product": "AutoCAD",
        "offeringType": "STANDARD",
        "term": "ANNUAL",
        "seats": 5,
        "currency": "EUR",
        "paymentMethod": "CREDIT_CARD",
        "startDate": "2025-12-15",
        "endDate": "2026-12-14",
        "autoRenew": True,
        **changes,
    }


@pytest.fixture
async def import_db(database_url: str) -> AsyncIterator[Database]:
    db = create_database(database_url)
    yield db
    await db.dispose()


async def row_counts(db: Database) -> dict[str, int]:
    async with db.read_engine.connect() as conn:
        return {
            table.name: (await conn.execute(select(func.count()).select_from(table))).scalar_one()
            for table in m.Base.metadata.sorted_tables
        }


async def fetch(db: Database, statement: Any) -> list[Any]:
    async with db.read_engine.connect() as conn:
        return list((await conn.execute(statement)).all())


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    tables = {t.name: t for t in m.Base.metadata.sorted_tables}
    async with db.read_engine.connect() as conn:
        return {
            name: [tuple(r) for r in await conn.execute(select(tables[name]).order_by(text("id")))]
            for name in KINDS
        }


def problems_of(data: object) -> list[tuple[str, str]]:
    with pytest.raises(ImportInvalid) as caught:
        validate_document(data)
    return [(p.path, p.message) for p in caught.value.problems]


# --- a valid file, twice -------------------------------------------------------------------


async def test_valid_file_imports_and_a_second_import_changes_nothing(import_db: Database) -> None:
    first = await import_document(import_db, valid_document())
    assert {k: v["created"] for k, v in first.as_dict().items()} == {
        "partners": 2, "customers": 2, "contacts": 2, "prices": 2, "promotions": 1, "subscriptions": 2,
    }  # fmt: skip
    counts, rows = await row_counts(import_db), await snapshot(import_db)

    second = await import_document(import_db, valid_document())

    assert not second.changed
    assert {k: v["unchanged"] for k, v in second.as_dict().items()} == {
        k: v["created"] for k, v in first.as_dict().items()
    }
    assert await row_counts(import_db) == counts
    assert await snapshot(import_db) == rows


async def test_values_are_stored_as_given(import_db: Database) -> None:
    await import_document(import_db, valid_document())
    subs = {r.number: r for r in await fetch(import_db, select(m.Subscription.__table__))}
    customers = {r.csn: r for r in await fetch(import_db, select(m.Customer.__table__))}
    partners = {r.csn: r for r in await fetch(import_db, select(m.Partner.__table__))}
    sub, customer, bare = subs["SUB-1002"], customers["5100000001"], customers["5100000002"]
    partner = partners["P000000001"]
    prices = {p.term: p.unit_price for p in await fetch(import_db, select(m.Price.__table__))}
    [promo] = await fetch(import_db, select(m.Promotion.__table__))
    contacts = await fetch(import_db, select(m.Contact.__table__).order_by(m.Contact.id))
    assert (sub.customer_id, sub.reseller_id) == (bare.id, partner.id)
    assert (sub.term, sub.offering_type, sub.payment_method) == (
        Term.ANNUAL, OfferingType.STANDARD, PaymentMethod.CREDIT_CARD,
    )  # fmt: skip
    assert (sub.seats, sub.start_date, sub.end_date, sub.auto_renew) == (
        5, date(2025, 12, 15), date(2026, 12, 14), True,
    )  # fmt: skip
    assert (sub.open_quote_id, sub.auto_quoted_end_date) == (None, None)
    assert (customer.address_line1, customer.city, customer.postal_code, customer.country) == (
        "Hauptstr. 1", "Berlin", "10115", "DE",
    )  # fmt: skip
    assert (bare.address_line1, bare.country) == ("", "")
    assert prices == {Term.ANNUAL: Decimal("2100.00"), Term.THREE_YEAR: Decimal("5985.00")}
    assert str(prices[Term.THREE_YEAR]) == "5985.00"
    assert (promo.percent_off, promo.products, promo.terms) == (
        Decimal("10.00"), ["AutoCAD"], ["THREE_YEAR"],
    )  # fmt: skip
    assert [(c.email, c.role) for c in contacts] == [
        ("buyer@acme.example", ContactRole.BUYER), ("eng@acme.example", ContactRole.EMPLOYEE),
    ]  # fmt: skip


# --- every problem, with its path; nothing written -----------------------------------------

Mutation = Callable[[dict[str, Any]], Any]


def _set(section: str, index: int, key: str, value: Any) -> Mutation:
    return lambda d: d[section][index].__setitem__(key, value)


def _append_copy(section: str, index: int = 0, **changes: Any) -> Mutation:
    return lambda d: d[section].append({**copy.deepcopy(d[section][index]), **changes})


def _contact(key: str, value: Any, index: int = 0) -> Mutation:
    return lambda d: d["customers"][0]["contacts"][index].__setitem__(key, value)


ERROR_CASES: list[tuple[str, Mutation, str, str]] = [
    ("section not a list", lambda d: d.update(partners={}), "$.partners", "expected a list"),
    ("item not an object", lambda d: d["partners"].append("x"), "$.partners[2]", "expected an object"),
    ("missing field", lambda d: d["subscriptions"][1].pop("endDate"), "$.subscriptions[1].endDate", "required field is missing"),
    ("missing name", lambda d: d["partners"][0].pop("name"), "$.partners[0].name", "missing"),
    ("wrong type", _set("partners", 0, "name", 5), "$.partners[0].name", "got number 5"),
    ("empty string", _set("customers", 1, "name", "  "), "$.customers[1].name", "non-empty string"),
    ("unknown term", _set("subscriptions", 0, "term", "WEEKLY"), "$.subscriptions[0].term", "MONTHLY, ANNUAL, THREE_YEAR"),
    ("lower-case term", _set("prices", 0, "term", "annual"), "$.prices[0].term", "one of"),
    ("unknown offering", _set("subscriptions", 0, "offeringType", "PREMIUM"), "$.subscriptions[0].offeringType", "STANDARD, SUCCESS_PLAN, FLEX"),
    ("unknown payment", _set("subscriptions", 1, "paymentMethod", "CASH"), "$.subscriptions[1].paymentMethod", "CREDIT_CARD, PAYPAL"),
    ("unknown role", _contact("role", "ADMIN"), "$.customers[0].contacts[0].role", "BUYER, EMPLOYEE"),
    ("impossible date", _set("subscriptions", 0, "startDate", "2026-02-30"), "$.subscriptions[0].startDate", "ISO date"),
    ("non-ISO date", _set("subscriptions", 0, "endDate", "14.12.2026"), "$.subscriptions[0].endDate", "ISO date"),
    ("compact date", _set("promotions", 0, "validFrom", "20260101"), "$.promotions[0].validFrom", "ISO date"),
    ("date as number", _set("subscriptions", 0, "endDate", 20261214), "$.subscriptions[0].endDate", "ISO date"),
    ("duplicate partner", _append_copy("partners"), "$.partners[2].csn", 'duplicate partner csn "P000000001"'),
    ("duplicate customer", _append_copy("customers", 1, name="Other"), "$.customers[2].csn", "duplicate customer csn"),
    ("duplicate subscription", _append_copy("subscriptions", 1, seats=3), "$.subscriptions[2].number", "duplicate subscription number"),
    ("duplicate price", _append_copy("prices", unitPrice="1.00"), "$.prices[2]", '("AutoCAD", "ANNUAL", "EUR")'),
    ("duplicate promotion", _append_copy("promotions"), "$.promotions[1].code", "duplicate promotion code"),
    ("duplicate contact", _contact("email", "ENG@acme.example"), "$.customers[0].contacts[1].email", 'duplicate contact email "eng@acme.example"'),
    ("zero seats", _set("subscriptions", 0, "seats", 0), "$.subscriptions[0].seats", "from 1"),
    ("negative seats", _set("subscriptions", 0, "seats", -2), "$.subscriptions[0].seats", "from 1"),
    ("bool seats", _set("subscriptions", 0, "seats", True), "$.subscriptions[0].seats", "got boolean true"),
    ("string seats", _set("subscriptions", 0, "seats", "5"), "$.subscriptions[0].seats", "whole number"),
    ("fractional seats", _set("subscriptions", 0, "seats", 2.5), "$.subscriptions[0].seats", "whole number"),
    ("end before start", _set("subscriptions", 1, "endDate", "2025-12-14"), "$.subscriptions[1].endDate", "before startDate"),
    ("validFrom after validTo", _set("promotions", 0, "validFrom", "2028-01-01"), "$.promotions[0].validTo", "before validFrom"),
    ("float price", _set("prices", 0, "unitPrice", 2100.0), "$.prices[0].unitPrice", "decimal string"),
    ("int price", _set("prices", 0, "unitPrice", 2100), "$.prices[0].unitPrice", "decimal string"),
    ("negative price", _set("prices", 0, "unitPrice", "-1.00"), "$.prices[0].unitPrice", "not negative"),
    ("sub-cent price", _set("prices", 0, "unitPrice", "1.999"), "$.prices[0].unitPrice", "2 decimal places"),
    ("exponent price", _set("prices", 0, "unitPrice", "1e3"), "$.prices[0].unitPrice", "decimal string"),
    ("zero percent", _set("promotions", 0, "percentOff", "0"), "$.promotions[0].percentOff", "above 0"),
    ("over 100 percent", _set("promotions", 0, "percentOff", "100.01"), "$.promotions[0].percentOff", "at most 100"),
    ("numeric percent", _set("promotions", 0, "percentOff", 10), "$.promotions[0].percentOff", "decimal string"),
    ("lower-case currency", _set("prices", 1, "currency", "eur"), "$.prices[1].currency", "3-letter uppercase"),
    ("long currency", _set("subscriptions", 0, "currency", "EURO"), "$.subscriptions[0].currency", "3-letter"),
    ("bad country", lambda d: d["customers"][0]["address"].update(country="DEU"), "$.customers[0].address.country", "2-letter"),
    ("bad email", _contact("email", "bea at acme"), "$.customers[0].contacts[0].email", "email address"),
    ("email without domain dot", _contact("email", "bea@acme", 1), "$.customers[0].contacts[1].email", "email address"),
    ("no products", _set("promotions", 0, "products", []), "$.promotions[0].products", "non-empty list"),
    ("product not a string", _set("promotions", 0, "products", ["AutoCAD", 7]), "$.promotions[0].products[1]", "got number 7"),
    ("unknown promotion term", _set("promotions", 0, "terms", ["THREE_YEAR", "DECADE"]), "$.promotions[0].terms[1]", "one of"),
    ("terms not a list", _set("promotions", 0, "terms", "ANNUAL"), "$.promotions[0].terms", "non-empty list"),
    ("reseller not a string", _set("subscriptions", 0, "resellerCsn", 42), "$.subscriptions[0].resellerCsn", "string"),
    ("null customer", _set("subscriptions", 0, "customerCsn", None), "$.subscriptions[0].customerCsn", "got null"),
    ("autoRenew not a bool", _set("subscriptions", 0, "autoRenew", "yes"), "$.subscriptions[0].autoRenew", "true or false"),
    ("contacts not a list", lambda d: d["customers"][0].update(contacts={}), "$.customers[0].contacts", "a list"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [pytest.param(mutate, path, fragment, id=name) for name, mutate, path, fragment in ERROR_CASES],
)
async def test_each_problem_is_reported_at_its_path_and_nothing_is_written(
    import_db: Database, mutate: Mutation, path: str, fragment: str
) -> None:
    data = valid_document()
    mutate(data)
    before = await row_counts(import_db)

    with pytest.raises(ImportInvalid) as caught:
        await import_document(import_db, data)

    assert [(p.path, fragment in p.message) for p in caught.value.problems] == [(path, True)], (
        caught.value.summary()
    )
    assert "expected" in caught.value.problems[0].message
    assert await row_counts(import_db) == before
    assert set(before.values()) == {0}


@pytest.mark.parametrize("email", ["a,b@example.com", "bea <bea@example.com>"])
async def test_an_email_the_domain_refuses_is_reported_and_nothing_is_written(
    import_db: Database, email: str
) -> None:
    data = valid_document()
    data["customers"][0]["contacts"][0]["email"] = email
    before = await row_counts(import_db)

    with pytest.raises(ImportInvalid) as caught:
        await import_document(import_db, data)

    expected = 'an email address like "name@example.com" of at most 254 characters'
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("$.customers[0].contacts[0].email", f'got string "{email}"; expected {expected}')
    ]
    assert await row_counts(import_db) == before
    assert set(before.values()) == {0}


@pytest.mark.parametrize("document", [[], "x", None, 3])
def test_the_document_must_be_an_object(document: object) -> None:
    [(path, message)] = problems_of(document)
    assert path == "$" and "expected an object" in message


def test_all_problems_are_reported_at_once() -> None:
    data = valid_document()
    data["subscriptions"][0]["seats"] = 0
    data["prices"][1]["unitPrice"] = 5985.0
    data["customers"][0]["contacts"][1]["role"] = "OWNER"

    assert [path for path, _ in problems_of(data)] == [
        "$.customers[0].contacts[1].role",
        "$.prices[1].unitPrice",
        "$.subscriptions[0].seats",
    ]


def test_one_record_can_have_several_problems() -> None:
    data = valid_document()
    data["subscriptions"][1] = subscription("SUB-1001", seats=-1, term="X", extra=1)
    paths = sorted(path for path, _ in problems_of(data))
    assert paths == [  # the unknown `extra` is only a warning
        "$.subscriptions[1].number",
        "$.subscriptions[1].seats",
        "$.subscriptions[1].term",
    ]


def test_validation_plans_the_references_to_check_against_the_database() -> None:
    data = valid_document()
    data["subscriptions"].append(subscription("SUB-9", customerCsn="5199999999", resellerCsn="P9"))
    plan = validate_document(data)
    assert plan.external_customer_csns == {"5199999999"}
    assert plan.external_partner_csns == {"P9"}
    assert validate_document(valid_document()).external_customer_csns == frozenset()


def test_parse_json_reports_syntax_errors_and_repeated_keys() -> None:
    assert parse_json('{"partners": []}') == {"partners": []}
    with pytest.raises(ImportInvalid) as caught:
        parse_json('{"partners": [}')
    assert caught.value.problems[0].path == "$"
    assert "not valid JSON" in caught.value.problems[0].message
    with pytest.raises(ImportInvalid) as caught:
        parse_json('{"partners": [{"csn": "P1", "csn": "P2", "name": "x"}]}')
    assert "'csn' appears twice" in caught.value.problems[0].message
    with pytest.raises(ImportInvalid):
        parse_json('{"prices": NaN}')


# --- references to the database ------------------------------------------------------------


async def test_unknown_customer_or_partner_is_refused_and_nothing_is_written(
    import_db: Database,
) -> None:
    data = valid_document()
    data["subscriptions"].append(subscription("SUB-9", customerCsn="5199999999"))
    data["subscriptions"].append(subscription("SUB-10", resellerCsn="P000000099"))

    with pytest.raises(ImportInvalid) as caught:
        await import_document(import_db, data)

    assert [(p.path, p.message.split(";")[0]) for p in caught.value.problems] == [
        ("$.subscriptions[2].customerCsn", 'unknown customer CSN "5199999999"'),
        ("$.subscriptions[3].resellerCsn", 'unknown partner CSN "P000000099"'),
    ]
    assert set((await row_counts(import_db)).values()) == {0}


async def test_shape_and_reference_problems_are_reported_together(import_db: Database) -> None:
    """A bad term in one row does not hide an unknown customer in another (README: every problem)."""
    data = valid_document()
    data["subscriptions"][0]["term"] = "WEEKLY"
    data["subscriptions"][1]["customerCsn"] = "5199999999"

    with pytest.raises(ImportInvalid) as caught:
        await import_document(import_db, data)

    assert [(p.path, p.message.split(";")[0]) for p in caught.value.problems] == [
        ("$.subscriptions[0].term", 'got string "WEEKLY"'),
        ("$.subscriptions[1].customerCsn", 'unknown customer CSN "5199999999"'),
    ]
    assert set((await row_counts(import_db)).values()) == {0}


async def test_a_row_with_a_shape_problem_still_has_its_readable_references_checked(
    import_db: Database,
) -> None:
    data = valid_document()
    data["subscriptions"][0].update(seats=0, resellerCsn="P000000099")
    data["subscriptions"][1].update(customerCsn=7, resellerCsn="P000000098")

    with pytest.raises(ImportInvalid) as caught:
        await import_document(import_db, data)

    assert [p.path for p in caught.value.problems] == [
        "$.subscriptions[0].seats",
        "$.subscriptions[1].customerCsn",  # not a CSN: no reference to look up
        "$.subscriptions[0].resellerCsn",
        "$.subscriptions[1].resellerCsn",
    ]


def test_a_listed_customer_with_a_problem_is_still_listed() -> None:
    """Its CSN is readable: subscriptions naming it are not told the customer is unknown."""
    data = valid_document()
    data["customers"][1]["name"] = ""
    data["partners"][0].pop("name")
    plan = check_document(data)
    assert [p.path for p in plan.problems] == ["$.partners[0].name", "$.customers[1].name"]
    assert plan.references == ()


def test_a_section_that_is_not_a_list_is_not_blamed_for_references() -> None:
    data = valid_document()
    data["customers"] = {"csn": "5100000001"}
    plan = check_document(data)
    assert [p.path for p in plan.problems] == ["$.customers"]
    assert plan.references == ()


def test_a_rule_between_fields_is_checked_even_when_another_field_is_wrong() -> None:
    data = valid_document()
    data["subscriptions"][0].update(seats="5", endDate="2025-01-01")
    data["promotions"][0].update(percentOff=10, validTo="2025-12-31")
    assert [(path, message.split(";")[0]) for path, message in problems_of(data)] == [
        ("$.promotions[0].percentOff", "got number 10"),
        ("$.promotions[0].validTo", "validTo 2025-12-31 is before validFrom 2026-01-01"),
        ("$.subscriptions[0].seats", 'got string "5"'),
        ("$.subscriptions[0].endDate", "endDate 2025-01-01 is before startDate 2025-12-15"),
    ]


async def test_subscriptions_may_reference_customers_and_partners_already_in_the_database(
    import_db: Database,
) -> None:
    await import_document(import_db, valid_document())
    data = {"subscriptions": [subscription("SUB-2001", resellerCsn="P000000002", seats=9)]}

    report = await import_document(import_db, data)

    assert report.subscriptions.created == 1
    assert report.customers.created == report.customers.unchanged == 0
    async with import_db.read_engine.connect() as conn:
        row = (
            await conn.execute(
                select(m.Customer.csn, m.Partner.csn, m.Subscription.seats)
                .join(m.Customer, m.Customer.id == m.Subscription.customer_id)
                .join(m.Partner, m.Partner.id == m.Subscription.reseller_id)
                .where(m.Subscription.number == "SUB-2001")
            )
        ).one()
    assert tuple(row) == ("5100000001", "P000000002", 9)


# --- upserts -------------------------------------------------------------------------------


async def test_upsert_updates_changed_values_keeps_ids_and_quote_lifecycle_columns(
    import_db: Database,
) -> None:
    await import_document(import_db, valid_document())
    ids = {name: [r[0] for r in rows] for name, rows in (await snapshot(import_db)).items()}
    async with UnitOfWork(import_db) as uow:  # the quote lifecycle owns these two columns
        customer_id = (await uow.session.execute(select(m.Customer.id).limit(1))).scalar_one()
        uow.add(
            m.Quote(
                number="Q-1", type=QuoteType.RENEWAL, origin=QuoteOrigin.AUTOMATIC,
                status=QuoteStatus.QUOTED, customer_id=customer_id, currency="EUR",
                payment_method=PaymentMethod.CREDIT_CARD, subtotal=Decimal("1"),
                discount_total=Decimal("0"), total=Decimal("1"), created_on=TODAY,
                expires_on=TODAY, created_at=datetime(2026, 11, 27), created_by="job",
            )
        )  # fmt: skip
        await uow.flush()
        quote_id = (await uow.session.execute(select(m.Quote.id))).scalar_one()
        await uow.session.execute(
            update(m.Subscription)
            .where(m.Subscription.number == "SUB-1001")
            .values(open_quote_id=quote_id, auto_quoted_end_date=date(2026, 12, 14))
        )
        await uow.commit()

    data = valid_document()
    data["partners"][0]["name"] = "CAD Partner AG"
    data["prices"][0]["unitPrice"] = "2199.50"
    data["subscriptions"][0].update(seats=7, autoRenew=False, resellerCsn="P000000002")
    data["customers"][0]["address"]["city"] = "Potsdam"
    data["customers"][0]["contacts"] = [
        {"email": "Buyer@Acme.example", "name": "Bea B.", "role": "BUYER"},
        {"email": "cfo@acme.example", "role": "EMPLOYEE"},
    ]
    report = await import_document(import_db, data)

    assert report.as_dict() == {
        "partners": {"created": 0, "updated": 1, "unchanged": 1, "deleted": 0},
        "customers": {"created": 0, "updated": 1, "unchanged": 1, "deleted": 0},
        "contacts": {"created": 1, "updated": 1, "unchanged": 0, "deleted": 1},
        "prices": {"created": 0, "updated": 1, "unchanged": 1, "deleted": 0},
        "promotions": {"created": 0, "updated": 0, "unchanged": 1, "deleted": 0},
        "subscriptions": {"created": 0, "updated": 1, "unchanged": 1, "deleted": 0},
    }
    after = await snapshot(import_db)
    for name in ("partners", "customers", "prices", "promotions", "subscriptions"):
        assert [r[0] for r in after[name]] == ids[name], name
    T = m.Subscription
    [sub] = await fetch(import_db, select(T.__table__).where(T.number == "SUB-1001"))
    [(partner2,)] = await fetch(
        import_db, select(m.Partner.id).where(m.Partner.csn == "P000000002")
    )
    names = [r.name for r in await fetch(import_db, select(m.Partner.name).order_by(m.Partner.id))]
    [(price,)] = await fetch(
        import_db, select(m.Price.unit_price).where(m.Price.term == Term.ANNUAL)
    )
    [(city,)] = await fetch(
        import_db, select(m.Customer.city).where(m.Customer.csn == "5100000001")
    )
    contacts = await fetch(
        import_db, select(m.Contact.email, m.Contact.name).order_by(m.Contact.id)
    )
    assert (sub.seats, sub.auto_renew, sub.reseller_id) == (7, False, partner2)
    assert (sub.open_quote_id, sub.auto_quoted_end_date) == (quote_id, date(2026, 12, 14))
    assert names == ["CAD Partner AG", "BIM Solutions Ltd"]
    assert (price, city) == (Decimal("2199.50"), "Potsdam")
    assert [tuple(c) for c in contacts] == [
        ("Buyer@Acme.example", "Bea B."),
        ("cfo@acme.example", None),
    ]
    assert after["contacts"][0][0] == ids["contacts"][0]  # the buyer kept its id

    again = await import_document(import_db, data)
    assert not again.changed


async def test_absent_address_and_contacts_are_left_alone(import_db: Database) -> None:
    await import_document(import_db, valid_document())
    before = await snapshot(import_db)
    data = {"customers": [{"csn": "5100000001", "name": "Acme Bau AG"}]}

    report = await import_document(import_db, data)

    assert not report.changed and report.customers.unchanged == 1
    assert await snapshot(import_db) == before


async def test_an_empty_contact_list_removes_the_contacts(import_db: Database) -> None:
    await import_document(import_db, valid_document())
    data = {"customers": [{"csn": "5100000001", "name": "Acme Bau AG", "contacts": []}]}

    report = await import_document(import_db, data)

    assert report.contacts.deleted == 2
    assert (await row_counts(import_db))["contacts"] == 0


async def test_an_empty_file_changes_nothing(import_db: Database) -> None:
    report = await import_document(import_db, {})
    assert not report.changed
    assert set((await row_counts(import_db)).values()) == {0}


async def test_many_rows_are_imported_in_chunks(import_db: Database) -> None:
    data = valid_document()
    data["subscriptions"] = [subscription(f"SUB-{i:05d}", seats=1 + i % 9) for i in range(2500)]
    first = await import_document(import_db, data)
    data["subscriptions"][2400]["seats"] = 99
    second = await import_document(import_db, data)
    assert first.subscriptions.created == 2500
    assert (second.subscriptions.updated, second.subscriptions.unchanged) == (1, 2499)


# --- the demo data set ---------------------------------------------------------------------

DEMO_DATES = [date(2026, 11, 27), date(2028, 2, 29), date(2027, 1, 1), date(2026, 12, 31)]


@pytest.mark.parametrize("today", DEMO_DATES, ids=str)
def test_demo_document_is_a_valid_import_file(today: date) -> None:
    plan = validate_document(demo_document(today))
    assert len(plan.customers) >= 4 and len(plan.partners) == 2
    assert plan.external_customer_csns == plan.external_partner_csns == frozenset()


async def test_load_demo_is_idempotent(import_db: Database) -> None:
    first = await load_demo(import_db, TODAY)
    rows = await snapshot(import_db)
    second = await load_demo(import_db, TODAY)
    assert first.changed and not second.changed
    assert await snapshot(import_db) == rows


def _facts(today: date) -> tuple[list[SubscriptionFacts], set[tuple[str, Term, str]]]:
    doc = demo_document(today)
    facts = [
        SubscriptionFacts(
            i, s["number"], s["customerCsn"], s["resellerCsn"], s["product"],
            OfferingType(s["offeringType"]), Term(s["term"]), s["seats"], s["currency"],
            PaymentMethod(s["paymentMethod"]), date.fromisoformat(s["startDate"]),
            date.fromisoformat(s["endDate"]), s["autoRenew"],
        )
        for i, s in enumerate(doc["subscriptions"])
    ]  # fmt: skip
    prices = {(p["product"], Term(p["term"]), p["currency"]) for p in doc["prices"]}
    return facts, prices


@pytest.mark.parametrize("today", DEMO_DATES, ids=str)
def test_demo_covers_every_case_that_matters(today: date) -> None:
    facts, prices = _facts(today)
    by_days = {(f.end_date - today).days: f for f in facts}

    def reasons(f: SubscriptionFacts) -> list[ErrorCode]:
        has_price = (f.product, f.term, f.currency) in prices
        return eligibility_reasons(f, today, on_open_quote=False, has_price=has_price)

    assert not renewal_window(by_days[120].end_date).is_open(today)  # not yet open
    assert renewal_window(by_days[60].end_date).is_open(today)
    assert by_days[20].term is Term.ANNUAL and reasons(by_days[20]) == []  # R12 due
    assert reasons(by_days[30]) == []  # exactly 30 days
    assert renewal_window(by_days[-10].end_date).is_open(today)  # expired, still renewable
    assert reasons(by_days[-60]) == [ErrorCode.OUTSIDE_RENEWAL_WINDOW]  # closed
    assert any(f.term is Term.THREE_YEAR and reasons(f) == [] for f in facts)
    assert any(f.term is Term.MONTHLY and reasons(f) == [] for f in facts)
    for offering in (OfferingType.SUCCESS_PLAN, OfferingType.FLEX):
        [f] = [f for f in facts if f.offering_type is offering]
        assert reasons(f) == [ErrorCode.OFFERING_NOT_ELIGIBLE]
    unpriced = [f for f in facts if ErrorCode.PRICE_UNAVAILABLE in reasons(f)]
    assert len(unpriced) == 1 and renewal_window(unpriced[0].end_date).is_open(today)
    assert any(f.auto_renew and 0 <= (f.end_date - today).days <= 5 for f in facts)
    assert {f.auto_renew for f in facts if reasons(f) == []} == {True, False}

    acme = [f for f in facts if f.customer_csn == "5100000001"]
    groups = renewal_groups(acme, lambda f: reasons(f) == [])
    keys = {(k.currency, k.payment_method, k.reseller_csn) for k in groups}
    assert {
        ("EUR", PaymentMethod.CREDIT_CARD, None),
        ("EUR", PaymentMethod.INVOICE, "P000000001"),
        ("USD", PaymentMethod.PAYPAL, None),
    } <= keys


@pytest.mark.parametrize("today", DEMO_DATES, ids=str)
def test_demo_promotions_apply_today(today: date) -> None:
    doc = demo_document(today)
    active = {
        p["code"]: (p["products"], p["terms"], p["percentOff"])
        for p in doc["promotions"]
        if date.fromisoformat(p["validFrom"]) <= today <= date.fromisoformat(p["validTo"])
    }
    assert active["RENEW3Y"] == (["AutoCAD", "Revit"], ["THREE_YEAR"], "10")
    assert active["REVIT5"] == (["Revit"], ["ANNUAL"], "5")
    acme = doc["customers"][0]
    assert (acme["csn"], acme["name"]) == ("5100000001", "Acme Bau AG")
    assert {"email": "buyer@acme.example", "name": "Bea Buyer", "role": "BUYER"} in acme["contacts"]
    assert timedelta(0) < date.fromisoformat(doc["subscriptions"][0]["endDate"]) - today


async def test_unknown_fields_are_ignored_with_a_warning(import_db):
    doc = valid_document()
    doc["extras"] = []
    doc["subscriptions"][0]["colour"] = "red"
    report = await import_document(import_db, doc)
    assert [(w.path, w.message.split(";")[0]) for w in report.warnings] == [
        ("$.extras", "unknown field, ignored"),
        ("$.subscriptions[0].colour", "unknown field, ignored"),
    ]
    assert report.subscriptions.created == len(doc["subscriptions"])
    assert "warning: $.extras: unknown field, ignored" in report.summary()


async def test_concurrent_imports_of_the_same_new_records_never_fail_with_a_traceback(import_db):
    """On PostgreSQL one may lose the race on a unique key: it reports a problem, writes nothing."""
    outcomes = await asyncio.gather(
        *(import_document(import_db, valid_document()) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(o, ImportReport | ImportInvalid) for o in outcomes), outcomes
    assert any(isinstance(o, ImportReport) for o in outcomes)
    counts = await row_counts(import_db)
    assert counts["subscriptions"] == len(valid_document()["subscriptions"])
