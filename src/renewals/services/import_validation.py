"""Pure validation of an import file (CONTRACT.md "Import file"): all problems, by JSON path."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from renewals.domain.enums import ContactRole, OfferingType, PaymentMethod, Term

TOP_LEVEL_KEYS = ("partners", "customers", "prices", "promotions", "subscriptions")
MAX_SEATS = 1_000_000
CENT = Decimal("0.01")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPACE = re.compile(r"\s")
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")

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


@dataclass(frozen=True)
class ImportPlan:
    """A valid file as rows keyed by model attribute names, ready to upsert.

    `customers[i]` has address columns only when the file gave an address; `contacts` maps a
    customer CSN to its contact rows only when the file gave a contact list. `subscriptions[i]`
    came from `$.subscriptions[i]` and names customer and reseller by CSN (`customer_csn`,
    `reseller_csn`). The external CSNs are referenced by subscriptions but not in the file: they
    must already be in the database.
    """

    partners: tuple[Row, ...]
    customers: tuple[Row, ...]
    contacts: dict[str, tuple[Row, ...]]
    prices: tuple[Row, ...]
    promotions: tuple[Row, ...]
    subscriptions: tuple[Row, ...]
    external_customer_csns: frozenset[str]
    external_partner_csns: frozenset[str]
    warnings: tuple[ImportProblem, ...] = ()


class _Bad(Exception):
    def __init__(self, items: list[tuple[str, str]]) -> None:
        self.items = items  # (path suffix, message)


def _got(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"string {json.dumps(value[:40] + ('...' if len(value) > 40 else ''))}"
    return "a list" if isinstance(value, list) else "an object"


@dataclass(frozen=True)
class _Kind:
    """What a value must be; `convert` raises ValueError/TypeError, or _Bad for inner paths."""

    expected: str
    convert: Callable[[Any], Any]

    def parse(self, value: object) -> Any:
        try:
            return self.convert(value)
        except (ValueError, TypeError):
            raise _Bad([("", f"got {_got(value)}; expected {self.expected}")]) from None


def _only(condition: bool, value: Any) -> Any:
    if not condition:
        raise ValueError
    return value


def _text(max_len: int, *, token: bool = False) -> _Kind:
    def ok(v: Any) -> bool:
        return isinstance(v, str) and bool(v.strip()) and len(v) <= max_len

    spaces = " without spaces" if token else ""
    return _Kind(
        f"a non-empty string of at most {max_len} characters{spaces}",
        lambda v: _only(ok(v) and not (token and _SPACE.search(v)), v),
    )


def _pattern(regex: str, expected: str, convert: Callable[[str], Any] = str) -> _Kind:
    compiled = re.compile(regex)
    return _Kind(
        expected,
        lambda v: convert(_only(isinstance(v, str) and len(v) <= 254 and compiled.fullmatch(v), v)),
    )


def _enum(cls: type[Enum]) -> _Kind:
    return _Kind(f"one of {', '.join(m.value for m in cls)}", lambda v: cls(v))


def _list_of(item: _Kind, what: str) -> _Kind:
    def convert(v: Any) -> tuple[Any, ...]:
        values, errors = [], []
        for i, x in enumerate(_only(isinstance(v, list) and len(v) > 0, v)):
            try:
                values.append(item.parse(x))
            except _Bad as bad:
                errors += [(f"[{i}]{suffix}", message) for suffix, message in bad.items]
        if errors:
            raise _Bad(errors)
        return tuple(dict.fromkeys(values))

    return _Kind(f"a non-empty list of {what}", convert)


CSN = _text(32, token=True)
PRODUCT = _text(200)
TERM = _enum(Term)
DATE = _pattern(r"\d{4}-\d{2}-\d{2}", 'an ISO date "YYYY-MM-DD" that exists', date.fromisoformat)
CURRENCY = _pattern(r"[A-Z]{3}", 'a 3-letter uppercase currency code like "EUR"')
COUNTRY = _pattern(r"[A-Z]{2}", 'a 2-letter uppercase country code like "DE"')
EMAIL = _pattern(
    r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)*\.[A-Za-z]{2,}",
    'an email address like "name@example.com" of at most 254 characters',
)
MONEY = _pattern(
    r"\d{1,12}(\.\d{1,2})?",
    'a decimal string (not a JSON number) like "2100.00", not negative, at most 2 decimal places',
    lambda s: Decimal(s).quantize(CENT),
)
PERCENT = _pattern(
    r"\d{1,3}(\.\d{1,2})?",
    'a decimal string (not a JSON number) like "10" or "12.5", above 0 and at most 100',
    lambda s: _only(0 < Decimal(s) <= 100, Decimal(s).quantize(CENT)),
)
SEATS = _Kind(
    f"a whole number from 1 to {MAX_SEATS} (not a string)",
    lambda v: _only(type(v) is int and 1 <= v <= MAX_SEATS, v),
)
BOOLEAN = _Kind("true or false", lambda v: _only(type(v) is bool, v))
OBJECT = _Kind("an object", lambda v: _only(isinstance(v, dict), v))
LIST = _Kind("a list", lambda v: _only(isinstance(v, list), v))


@dataclass(frozen=True)
class _Field:
    key: str
    kind: _Kind
    required: bool = True
    nullable: bool = False
    attr: str = ""  # the model attribute; default: the key in snake_case

    def __post_init__(self) -> None:
        object.__setattr__(self, "attr", self.attr or _CAMEL.sub(r"_\1", self.key).lower())


PARTNER = (_Field("csn", CSN), _Field("name", _text(200)))
ADDRESS = (
    _Field("line1", _text(200), attr="address_line1"),
    _Field("line2", _text(200), required=False, nullable=True, attr="address_line2"),
    _Field("city", _text(100)),
    _Field("postalCode", _text(20)),
    _Field("country", COUNTRY),
)
CONTACT = (
    _Field("email", EMAIL),
    _Field("name", _text(200), required=False, nullable=True),
    _Field("role", _enum(ContactRole)),
)
CUSTOMER = (
    _Field("csn", CSN),
    _Field("name", _text(200)),
    _Field("address", OBJECT, required=False),
    _Field("contacts", LIST, required=False),
)
PRICE = (
    _Field("product", PRODUCT),
    _Field("term", TERM),
    _Field("currency", CURRENCY),
    _Field("unitPrice", MONEY),
)
PROMOTION = (
    _Field("code", _text(64, token=True)),
    _Field("description", _text(500)),
    _Field("percentOff", PERCENT),
    _Field("products", _list_of(PRODUCT, "product names")),
    _Field("terms", _list_of(TERM, "terms (MONTHLY, ANNUAL, THREE_YEAR)")),
    _Field("validFrom", DATE),
    _Field("validTo", DATE),
)
SUBSCRIPTION = (
    _Field("number", _text(64, token=True)),
    _Field("customerCsn", CSN),
    _Field("resellerCsn", CSN, required=False, nullable=True),
    _Field("product", PRODUCT),
    _Field("offeringType", _enum(OfferingType)),
    _Field("term", TERM),
    _Field("seats", SEATS),
    _Field("currency", CURRENCY),
    _Field("paymentMethod", _enum(PaymentMethod)),
    _Field("startDate", DATE),
    _Field("endDate", DATE),
    _Field("autoRenew", BOOLEAN),
)


_ATTR = {f.key: f.attr for f in (*PROMOTION, *SUBSCRIPTION)}


def json_path(base: str, key: object) -> str:
    """`$.a` + `b` -> `$.a.b`; keys that are not identifiers are quoted: `$.a["b c"]`."""
    key = str(key)
    return f"{base}.{key}" if _IDENTIFIER.fullmatch(key) else f"{base}[{json.dumps(key)}]"


class _Checker:
    """Collects problems; `record` returns whatever parsed, so later checks still run."""

    def __init__(self) -> None:
        self.problems: list[ImportProblem] = []
        self.warnings: list[ImportProblem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(ImportProblem(path, message))

    def warn(self, path: str, message: str) -> None:
        """Not a problem: reported, and the import goes on."""
        self.warnings.append(ImportProblem(path, message))

    def record(self, value: object, path: str, fields: tuple[_Field, ...], what: str) -> Row | None:
        if not isinstance(value, dict):
            self.add(path, f"got {_got(value)}; expected an object ({what})")
            return None
        names = [f.key for f in fields]
        for key in [k for k in value if k not in names]:
            self.warn(json_path(path, key), f"unknown field, ignored; known: {', '.join(names)}")
        out: Row = {}
        for f in fields:
            if f.key not in value:
                if f.required:
                    message = f"required field is missing; expected {f.kind.expected}"
                    self.add(json_path(path, f.key), message)
            elif value[f.key] is None and f.nullable:
                out[f.attr] = None
            else:
                try:
                    out[f.attr] = f.kind.parse(value[f.key])
                except _Bad as bad:
                    for suffix, message in bad.items:
                        self.add(json_path(path, f.key) + suffix, message)
        return out

    def items(self, doc: dict, key: str) -> list[tuple[str, object]]:
        if key not in doc:
            return []
        path, value = json_path("$", key), doc[key]
        if not isinstance(value, list):
            self.add(path, f"got {_got(value)}; expected a list of {key}")
            return []
        return [(f"{path}[{i}]", item) for i, item in enumerate(value)]

    def unique(self, seen: dict, row: Row, keys: tuple[str, ...], path: str, what: str) -> None:
        if any(k not in row for k in keys):
            return
        key = tuple(str(getattr(row[k], "value", row[k])) for k in keys)
        first = seen.setdefault(key, path)
        if first != path:
            shown = json.dumps(key[0]) if len(key) == 1 else f"({', '.join(map(json.dumps, key))})"
            self.add(path, f"duplicate {what} {shown} (first at {first}); expected each only once")

    def in_order(self, row: Row, path: str, first: str, last: str) -> None:
        a, b = _ATTR[first], _ATTR[last]
        if a in row and b in row and row[a] > row[b]:
            self.add(
                f"{path}.{last}",
                f"{last} {row[b]} is before {first} {row[a]}; expected {last} on or after {first}",
            )


def _contacts(c: _Checker, path: str, items: list[object]) -> tuple[Row, ...]:
    rows, seen = [], {}
    for i, item in enumerate(items):
        item_path = f"{path}.contacts[{i}]"
        if (row := c.record(item, item_path, CONTACT, "a contact")) is not None:
            key = {"email": row["email"].lower()} if "email" in row else {}
            c.unique(seen, key, ("email",), f"{item_path}.email", "contact email")
            rows.append({"name": None, **row})
    return tuple(rows)


def validate_document(data: object) -> ImportPlan:
    """Check the whole file without touching a database; raise ImportInvalid with every problem."""
    c = _Checker()
    if not isinstance(data, dict):
        expected = f"an object with the lists {', '.join(TOP_LEVEL_KEYS)}"
        raise ImportInvalid([ImportProblem("$", f"got {_got(data)}; expected {expected}")])
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            c.warn(
                json_path("$", key), f"unknown field, ignored; known: {', '.join(TOP_LEVEL_KEYS)}"
            )
    specs = {
        "partners": (PARTNER, ("csn",), ".csn", "partner csn"),
        "customers": (CUSTOMER, ("csn",), ".csn", "customer csn"),
        "prices": (
            PRICE,
            ("product", "term", "currency"),
            "",
            "price for (product, term, currency)",
        ),
        "promotions": (PROMOTION, ("code",), ".code", "promotion code"),
        "subscriptions": (SUBSCRIPTION, ("number",), ".number", "subscription number"),
    }
    rows: dict[str, list[Row]] = {}
    contacts: dict[str, tuple[Row, ...]] = {}
    for kind, (fields, keys, key_path, what) in specs.items():
        rows[kind], seen = [], {}
        for path, raw in c.items(data, kind):
            if (row := c.record(raw, path, fields, what.split(" ")[0])) is None:
                continue
            c.unique(seen, row, keys, path + key_path, what)
            rows[kind].append(row)
            if kind == "customers":
                if isinstance(address := row.pop("address", None), dict):
                    row.update(c.record(address, f"{path}.address", ADDRESS, "an address") or {})
                    row.setdefault("address_line2", None)
                if "contacts" in row:
                    contacts[row.get("csn", "")] = _contacts(c, path, row.pop("contacts"))
            elif kind == "promotions":
                c.in_order(row, path, "validFrom", "validTo")
                row["terms"] = [t.value for t in row.get("terms", ())]
                row["products"] = list(row.get("products", ()))
            elif kind == "subscriptions":
                c.in_order(row, path, "startDate", "endDate")
                row.setdefault("reseller_csn", None)
    if c.problems:
        raise ImportInvalid(c.problems)
    subs = rows["subscriptions"]
    return ImportPlan(
        tuple(rows["partners"]),
        tuple(rows["customers"]),
        contacts,
        tuple(rows["prices"]),
        tuple(rows["promotions"]),
        tuple(subs),
        frozenset(s["customer_csn"] for s in subs) - {r["csn"] for r in rows["customers"]},
        frozenset(s["reseller_csn"] for s in subs if s["reseller_csn"])
        - {r["csn"] for r in rows["partners"]},
        tuple(c.warnings),
    )
