"""Validation of an import file (CONTRACT.md "Import file"): every problem at once, by JSON path.

Pydantic models describe the rows. Each field's `description` says what the file must hold there,
so every error pydantic finds reads "got <what was given>; expected <description>" at its path.
Rules across rows (a key given twice) run on every row whose key is readable, and references to
customers and partners that only the database can answer are planned here for the importer, also
for rows with other problems: one run lists everything that is wrong.
"""

import json
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from types import NoneType, UnionType
from typing import Annotated, Any, ClassVar, TypeAlias, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticCustomError

from renewals.domain.email import MAX_LENGTH as MAX_EMAIL_LENGTH
from renewals.domain.email import is_email_address
from renewals.domain.enums import ContactRole, OfferingType, PaymentMethod, Term

MAX_SEATS = 1_000_000
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

Row = dict[str, Any]


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with the file: a JSON path like `$.subscriptions[3].endDate`, and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ImportInvalid(Exception):
    """The file was refused as a whole; `problems` lists everything found."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = list(problems)
        super().__init__(self.summary())

    def summary(self, limit: int = 50) -> str:
        """A human-readable list of the first `limit` problems, one per line."""
        lines = [f"{len(self.problems)} problem(s) in the import file:"]
        lines += [f"  {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more")
        return "\n".join(lines)


# --- what a value must be: its `description` is what a problem says was expected -----------
# One `Annotated` type alias per kind of value, so that type checkers can read the models too.


def _text(max_length: int, *, token: bool = False) -> FieldInfo:
    spaces = " without spaces" if token else ""
    expected = f"a non-empty string of at most {max_length} characters{spaces}"
    pattern = r"^\S+$" if token else r"\S"
    return Field(description=expected, strict=True, max_length=max_length, pattern=pattern)


def _pattern(regex: str, expected: str) -> FieldInfo:
    return Field(description=expected, strict=True, max_length=254, pattern=f"^(?:{regex})$")


def _one_of(cls: type[Enum]) -> FieldInfo:
    return Field(description=f"one of {', '.join(m.value for m in cls)}")


def _string_like(regex: str) -> BeforeValidator:
    """Only a string of this shape goes on to be a date or a Decimal (not a number, not `1e3`)."""
    compiled = re.compile(regex)

    def check(value: object) -> object:
        if isinstance(value, str) and compiled.fullmatch(value):
            return value
        raise ValueError(f"not a string like {regex}")

    return BeforeValidator(check)


def _email_address(value: str) -> str:
    """The system's one rule for an email address (`renewals.domain.email`)."""
    if not is_email_address(value):
        raise ValueError("not an email address")
    return value


def _not_null(value: object) -> object:
    """An optional field may be absent (its default, not validated), but not null."""
    if value is None:
        raise ValueError("null")
    return value


CENTS = AfterValidator(lambda value: value.quantize(Decimal("0.01")))
DISTINCT = AfterValidator(lambda values: list(dict.fromkeys(values)))
NOT_NULL = BeforeValidator(_not_null)

Csn: TypeAlias = Annotated[str, _text(32, token=True)]
Code: TypeAlias = Annotated[str, _text(64, token=True)]
Name: TypeAlias = Annotated[str, _text(200)]
Product: TypeAlias = Annotated[str, _text(200)]
City: TypeAlias = Annotated[str, _text(100)]
PostalCode: TypeAlias = Annotated[str, _text(20)]
Description: TypeAlias = Annotated[str, _text(500)]
TermName: TypeAlias = Annotated[Term, _one_of(Term)]
RoleName: TypeAlias = Annotated[ContactRole, _one_of(ContactRole)]
OfferingName: TypeAlias = Annotated[OfferingType, _one_of(OfferingType)]
PaymentName: TypeAlias = Annotated[PaymentMethod, _one_of(PaymentMethod)]
IsoDate: TypeAlias = Annotated[
    date,
    _string_like(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    Field(description='an ISO date "YYYY-MM-DD" that exists'),
]
Currency: TypeAlias = Annotated[
    str, _pattern(r"[A-Z]{3}", 'a 3-letter uppercase currency code like "EUR"')
]
Country: TypeAlias = Annotated[
    str, _pattern(r"[A-Z]{2}", 'a 2-letter uppercase country code like "DE"')
]
Email: TypeAlias = Annotated[
    str,
    AfterValidator(_email_address),
    Field(
        description='an email address like "name@example.com"'
        f" of at most {MAX_EMAIL_LENGTH} characters",
        strict=True,
    ),
]
Money: TypeAlias = Annotated[
    Decimal,
    _string_like(r"[0-9]{1,12}(\.[0-9]{1,2})?"),
    CENTS,
    Field(
        description='a decimal string (not a JSON number) like "2100.00", not negative,'
        " at most 2 decimal places"
    ),
]
Percent: TypeAlias = Annotated[
    Decimal,
    _string_like(r"[0-9]{1,3}(\.[0-9]{1,2})?"),
    CENTS,
    Field(
        description='a decimal string (not a JSON number) like "10" or "12.5", above 0'
        " and at most 100",
        gt=0,
        le=100,
    ),
]
Seats: TypeAlias = Annotated[
    int,
    Field(
        description=f"a whole number from 1 to {MAX_SEATS} (not a string)",
        strict=True,
        ge=1,
        le=MAX_SEATS,
    ),
]
Boolean: TypeAlias = Annotated[bool, Field(description="true or false", strict=True)]
Products: TypeAlias = Annotated[
    list[Product],
    DISTINCT,
    Field(description="a non-empty list of product names", strict=True, min_length=1),
]
Terms: TypeAlias = Annotated[
    list[TermName],
    DISTINCT,
    Field(
        description="a non-empty list of terms (MONTHLY, ANNUAL, THREE_YEAR)",
        strict=True,
        min_length=1,
    ),
]


def _on_or_after(last: date, info: ValidationInfo, first: str) -> date:
    """`last` may not be before the field `first` (checked when `first` is valid)."""
    earlier = info.data.get(first)
    if earlier is not None and last < earlier:
        names = {"first": to_camel(first), "last": to_camel(info.field_name or "")}
        raise PydanticCustomError(
            "rule",
            "{last} {b} is before {first} {a}; expected {last} on or after {first}",
            {**names, "a": str(earlier), "b": str(last)},
        )
    return last


# --- the records -----------------------------------------------------------------------------


class _Record(BaseModel):
    """A JSON object of the file: camelCase keys; unknown keys are kept, to be warned about."""

    model_config = ConfigDict(alias_generator=to_camel, extra="allow", frozen=True)
    what: ClassVar[str]


class Partner(_Record):
    what = "a partner"
    csn: Csn
    name: Name


class Address(_Record):
    what = "an address"
    address_line1: Name = Field(alias="line1")
    address_line2: Name | None = Field(None, alias="line2")
    city: City
    postal_code: PostalCode
    country: Country


class Contact(_Record):
    what = "a contact"
    email: Email
    name: Name | None = None
    role: RoleName


Contacts: TypeAlias = Annotated[list[Contact], Field(description="a list of contacts", strict=True)]


class Customer(_Record):
    what = "a customer"
    csn: Csn
    name: Name
    # Absent (None: defaults are not validated; null is refused, NOT_NULL): what is stored stays
    # as it is.
    address: Annotated[Address | None, NOT_NULL] = None
    contacts: Annotated[Contacts | None, NOT_NULL] = None


class Price(_Record):
    what = "a price"
    product: Product
    term: TermName
    currency: Currency
    unit_price: Money


class Promotion(_Record):
    what = "a promotion"
    code: Code
    description: Description
    percent_off: Percent
    products: Products
    terms: Terms
    valid_from: IsoDate
    valid_to: IsoDate

    @field_validator("valid_to")
    @classmethod
    def _not_before_valid_from(cls, value: date, info: ValidationInfo) -> date:
        return _on_or_after(value, info, "valid_from")


class Subscription(_Record):
    what = "a subscription"
    number: Code
    customer_csn: Csn
    reseller_csn: Csn | None = None
    product: Product
    offering_type: OfferingName
    term: TermName
    seats: Seats
    currency: Currency
    payment_method: PaymentName
    start_date: IsoDate
    end_date: IsoDate
    auto_renew: Boolean

    @field_validator("end_date")
    @classmethod
    def _not_before_start_date(cls, value: date, info: ValidationInfo) -> date:
        return _on_or_after(value, info, "start_date")


# kind: (record, natural key as the file names it, where a duplicate is reported, what it is)
SECTIONS: dict[str, tuple[type[_Record], tuple[str, ...], str, str]] = {
    "partners": (Partner, ("csn",), ".csn", "partner csn"),
    "customers": (Customer, ("csn",), ".csn", "customer csn"),
    "prices": (Price, ("product", "term", "currency"), "", "price for (product, term, currency)"),
    "promotions": (Promotion, ("code",), ".code", "promotion code"),
    "subscriptions": (Subscription, ("number",), ".number", "subscription number"),
}
# The fields that hold records.
_NESTED: dict[type[_Record], tuple[str, ...]] = {Customer: ("address", "contacts")}
# A subscription's fields that name a record of another section.
REFERENCES = {"customerCsn": "customers", "resellerCsn": "partners"}
UNKNOWN = {
    "customers": "unknown customer CSN {}; expected a customer listed in this file's customers"
    " or already in the database",
    "partners": "unknown partner CSN {}; expected null, a partner listed in this file's partners"
    " or one already in the database",
}


# --- the plan --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A subscription names a customer or partner the file does not list: the DB must have it."""

    path: str  # e.g. `$.subscriptions[3].customerCsn`
    kind: str  # "customers" or "partners"
    csn: str


@dataclass(frozen=True)
class ImportPlan:
    """The file's valid records as rows keyed by model attribute names, ready to upsert.

    `customers[i]` has address columns only when the file gave an address; `contacts` maps a
    customer CSN to its contact rows only when the file gave a contact list. Subscriptions name
    customer and reseller by CSN (`customer_csn`, `reseller_csn`). `references` are the CSNs
    that subscriptions name but the file does not list (`reference_problems` says which the
    database does not have either). A plan with `problems` must not be written.
    """

    partners: tuple[Row, ...]
    customers: tuple[Row, ...]
    contacts: dict[str, tuple[Row, ...]]
    prices: tuple[Row, ...]
    promotions: tuple[Row, ...]
    subscriptions: tuple[Row, ...]
    references: tuple[Reference, ...] = ()
    warnings: tuple[ImportProblem, ...] = ()
    problems: tuple[ImportProblem, ...] = ()

    @property
    def external_customer_csns(self) -> frozenset[str]:
        return frozenset(r.csn for r in self.references if r.kind == "customers")

    @property
    def external_partner_csns(self) -> frozenset[str]:
        return frozenset(r.csn for r in self.references if r.kind == "partners")

    def reference_problems(
        self, customers: Collection[str], partners: Collection[str]
    ) -> list[ImportProblem]:
        """The references that are not among the CSNs found in the database."""
        found = {"customers": customers, "partners": partners}
        problems = []
        for r in self.references:
            if r.csn not in found[r.kind]:
                problems.append(ImportProblem(r.path, UNKNOWN[r.kind].format(json.dumps(r.csn))))
        return problems


def validate_document(data: object) -> ImportPlan:
    """Check the file without a database; raise ImportInvalid with every problem found."""
    plan = check_document(data)
    if plan.problems:
        raise ImportInvalid(list(plan.problems))
    return plan


def check_document(data: object) -> ImportPlan:
    """Check the whole file without a database: the plan of its valid rows, and its problems."""
    if not isinstance(data, dict):
        expected = f"an object with the lists {', '.join(SECTIONS)}"
        problem = ImportProblem("$", f"got {_got(data)}; expected {expected}")
        return ImportPlan((), (), {}, (), (), (), problems=(problem,))
    known = ", ".join(SECTIONS)
    warnings = [
        ImportProblem(json_path("$", key), f"unknown field, ignored; known: {known}")
        for key in data
        if key not in SECTIONS
    ]
    problems: list[ImportProblem] = []
    valid: dict[str, list[Any]] = {kind: [] for kind in SECTIONS}
    # Per section that is a list: each row's path and its fields without problems, as given.
    given: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for kind, (model, keys, key_path, what) in SECTIONS.items():
        rows = data.get(kind, [])
        if not isinstance(rows, list):
            message = f"got {_got(rows)}; expected a list of {kind}"
            problems.append(ImportProblem(f"$.{kind}", message))
            continue
        given[kind] = []
        seen: dict[tuple[str, ...], str] = {}
        for i, raw in enumerate(rows):
            path, errors = f"$.{kind}[{i}]", []
            try:
                record = model.model_validate(raw)
            except ValidationError as e:
                errors = e.errors()
                problems += [_problem(path, model, error) for error in errors]
            else:
                valid[kind].append(record)
                warnings += _unknown_fields(record, path)
            fields = _readable(raw, errors)
            given[kind].append((path, fields))
            key = tuple(str(fields[k]) for k in keys) if set(keys) <= fields.keys() else None
            problems += _duplicate(seen, key, path + key_path, what)
            if kind == "customers":
                problems += _duplicate_emails(path, fields.get("contacts") or [])
    return ImportPlan(
        partners=tuple(_row(r) for r in valid["partners"]),
        customers=tuple(_customer_row(r) for r in valid["customers"]),
        contacts={
            r.csn: tuple(_row(c) for c in r.contacts)
            for r in valid["customers"]
            if r.contacts is not None
        },
        prices=tuple(_row(r) for r in valid["prices"]),
        promotions=tuple(
            {**_row(r), "terms": [t.value for t in r.terms]} for r in valid["promotions"]
        ),
        subscriptions=tuple(_row(r) for r in valid["subscriptions"]),
        references=tuple(_references(given)),
        warnings=tuple(warnings),
        problems=tuple(problems),
    )


# --- helpers ---------------------------------------------------------------------------------


def json_path(base: str, key: object) -> str:
    """`$.a` + `b` -> `$.a.b`, + 3 -> `$.a[3]`; other keys are quoted: `$.a["b c"]`."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    key = str(key)
    return f"{base}.{key}" if _IDENTIFIER.fullmatch(key) else f"{base}[{json.dumps(key)}]"


def _got(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"string {json.dumps(value[:40] + ('...' if len(value) > 40 else ''))}"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    return "an object"


def _problem(path: str, model: type[_Record], error: ErrorDetails) -> ImportProblem:
    """Pydantic's error at its JSON path, saying what was got and what was expected."""
    for part in error["loc"]:
        path = json_path(path, part)
    if error["type"] == "rule":  # ours: the message says it all
        return ImportProblem(path, error["msg"])
    expected = _expected(model, error["loc"])
    if error["type"] == "missing":
        return ImportProblem(path, f"required field is missing; expected {expected}")
    return ImportProblem(path, f"got {_got(error['input'])}; expected {expected}")


def _expected(tp: Any, loc: tuple[int | str, ...]) -> str:
    """The description of what belongs at `loc` below the type `tp` (a record, at first)."""
    if get_origin(tp) is Annotated:
        base, *metadata = get_args(tp)
        found = [m.description for m in metadata if isinstance(m, FieldInfo) and m.description]
        return found[0] if found and not loc else _expected(base, loc)
    if get_origin(tp) in (Union, UnionType):  # `X | None`
        return _expected(next(a for a in get_args(tp) if a is not NoneType), loc)
    if not loc:
        is_record = isinstance(tp, type) and issubclass(tp, _Record)
        return f"an object ({tp.what})" if is_record else "a valid value"
    if isinstance(loc[0], int):  # an item of a list
        return _expected(get_args(tp)[0], loc[1:])
    field = next(f for f in tp.model_fields.values() if f.alias == loc[0])
    return (field.description if len(loc) == 1 else None) or _expected(field.annotation, loc[1:])


def _readable(raw: object, errors: list[ErrorDetails]) -> dict[str, Any]:
    """A row's fields without a problem, as given (a valid key or CSN is the string given)."""
    if not isinstance(raw, dict):
        return {}
    if not errors:
        return raw
    bad = {error["loc"][0] for error in errors if error["loc"]}
    return {key: value for key, value in raw.items() if key not in bad}


def _duplicate(
    seen: dict[tuple[str, ...], str], key: tuple[str, ...] | None, path: str, what: str
) -> list[ImportProblem]:
    """A problem if the row's natural key (None: not readable) came before, at `seen[key]`."""
    if key is None or (first := seen.setdefault(key, path)) == path:
        return []
    shown = json.dumps(key[0]) if len(key) == 1 else f"({', '.join(map(json.dumps, key))})"
    message = f"duplicate {what} {shown} (first at {first}); expected each only once"
    return [ImportProblem(path, message)]


def _duplicate_emails(path: str, contacts: list[dict[str, Any]]) -> list[ImportProblem]:
    """One customer's contacts, by email in any case (`contacts` as given, when valid)."""
    seen: dict[tuple[str, ...], str] = {}
    problems = []
    for i, contact in enumerate(contacts):
        where = f"{path}.contacts[{i}].email"
        problems += _duplicate(seen, (contact["email"].lower(),), where, "contact email")
    return problems


def _references(given: dict[str, list[tuple[str, dict[str, Any]]]]) -> Iterator[Reference]:
    """Subscriptions' readable CSNs that the file does not list (none into a section not a list)."""
    listed = {kind: {fields.get("csn") for _, fields in rows} for kind, rows in given.items()}
    for path, fields in given.get("subscriptions", ()):
        for key, kind in REFERENCES.items():
            csn = fields.get(key)
            if isinstance(csn, str) and kind in listed and csn not in listed[kind]:
                yield Reference(f"{path}.{key}", kind, csn)


def _unknown_fields(record: _Record, path: str) -> Iterator[ImportProblem]:
    """Warnings for the keys the format does not know, in this record and the ones inside it."""
    fields = type(record).model_fields
    if record.model_extra:
        known = ", ".join(f.alias or name for name, f in fields.items())
        for key in record.model_extra:
            yield ImportProblem(json_path(path, key), f"unknown field, ignored; known: {known}")
    for name in _NESTED.get(type(record), ()):
        value, inner = getattr(record, name), f"{path}.{fields[name].alias}"
        if isinstance(value, _Record):
            yield from _unknown_fields(value, inner)
        for i, item in enumerate(value if isinstance(value, list) else ()):
            yield from _unknown_fields(item, f"{inner}[{i}]")


def _row(record: _Record) -> Row:
    return {name: getattr(record, name) for name in type(record).model_fields}


def _customer_row(customer: Customer) -> Row:
    row = _row(customer)
    del row["contacts"]
    if (address := row.pop("address")) is not None:
        row.update(_row(address))
    return row
