"""The committed SDL is the exported one, meets the contract, and describes everything."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from renewals.api.schema import build_schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schema.graphql"
# The shared checker beside the repository when present (it is the contract's owner); otherwise
# the copy in tests/contract/, so a clone alone still checks the contract.
SHARED_CHECK = ROOT.parent / "shared" / "contract" / "check_schema.py"
CONTRACT_CHECK = (
    SHARED_CHECK if SHARED_CHECK.exists() else ROOT / "tests" / "contract" / "check_schema.py"
)


def test_committed_schema_equals_the_exported_sdl():
    exported = build_schema().as_str()
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed.rstrip("\n") == exported.rstrip("\n"), (
        "schema.graphql is out of date: run `renewals export-schema > schema.graphql` "
        "and commit the result."
    )


def test_committed_schema_meets_the_contract():
    """With the sections whose issues have landed: --orders (10), --quote-types (12)."""
    result = subprocess.run(
        [sys.executable, str(CONTRACT_CHECK), "--orders", "--quote-types", "schema.graphql"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 problems" in result.stdout, result.stdout


def undescribed(schema: GraphQLSchema) -> Iterator[str]:
    """Every type, field, argument, input field and enum value without a description."""

    def missing(thing: object) -> bool:
        return not (getattr(thing, "description", None) or "").strip()

    for name, named in sorted(schema.type_map.items()):
        if name.startswith("__"):
            continue
        if missing(named):
            yield f"type {name}"
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if missing(field):
                    yield f"field {name}.{field_name}"
                for arg_name, arg in field.args.items():
                    if missing(arg):
                        yield f"argument {name}.{field_name}({arg_name}:)"
        if isinstance(named, GraphQLInputObjectType):
            for field_name, field in named.fields.items():
                if missing(field):
                    yield f"input field {name}.{field_name}"
        if isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                if missing(value):
                    yield f"enum value {name}.{value_name}"


def test_every_type_field_argument_and_enum_value_is_described():
    offenders = list(undescribed(build_schema()._schema))
    assert offenders == [], "Add a description to:\n  " + "\n  ".join(offenders)


def test_the_description_check_finds_offenders():
    """Guards the guard: an undescribed schema is reported item by item."""
    from graphql import build_schema as build_sdl

    schema = build_sdl(
        '"Q" type Query { a(x: Int): E, b: String } enum E { ONE } input I { f: Int }'
    )
    assert list(undescribed(schema)) == [
        "type E",
        "enum value E.ONE",
        "type I",
        "input field I.f",
        "field Query.a",
        "argument Query.a(x:)",
        "field Query.b",
    ]
