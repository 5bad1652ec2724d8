"""Compiled execution on a small schema built for the hard cases: resolvers that raise (nullable
and non-null, sync and async, in lists), null propagation to the nearest nullable parent,
interfaces and unions, enums and our scalars, arguments, DataLoader batching. Each document runs
with the switch on and off: the orjson bytes of the whole result must be equal."""

import datetime
import decimal
import enum
from typing import Annotated, Any

import orjson
import pytest
import strawberry
from strawberry.dataloader import DataLoader

from renewals.api.core.execution import RUNS, executor_class
from renewals.api.core.scalars import SCALAR_OVERRIDES


@strawberry.enum(description="A colour.")
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface(description="Named.")
class Named:
    name: str = strawberry.field(description="Name.")


@strawberry.type(description="A.")
class A(Named):
    a: int = strawberry.field(description="a.")
    colour: Colour = strawberry.field(description="Colour.")
    day: datetime.date = strawberry.field(description="Day.")
    price: decimal.Decimal = strawberry.field(description="Price.")

    @strawberry.field(description="Fails.")
    def broken(self) -> str | None:
        raise ValueError("broken a")

    @strawberry.field(description="Fails, not null.")
    def broken_strict(self) -> str:
        raise ValueError("strict a")

    @strawberry.field(description="Null where not allowed.")
    def null_strict(self) -> str:
        return None  # type: ignore[return-value]

    @strawberry.field(description="Loaded.")
    async def loaded(self, info: strawberry.Info) -> int:
        return await info.context["loader"].load(self.a)

    @strawberry.field(description="Loaded, or an error for odd ones.")
    async def loaded_or_fail(self, info: strawberry.Info) -> int | None:
        value = await info.context["loader"].load(self.a)
        if value % 20:
            raise RuntimeError(f"odd {value}")
        return value

    @strawberry.field(description="With an argument.")
    def times(self, by: int = 2) -> int:
        return self.a * by

    @strawberry.field(description="Items, some null.")
    def items(self) -> list[int | None]:
        return [1, None, 3]

    @strawberry.field(description="Items, not null, one null.")
    def strict_items(self) -> list[int]:
        return [1, None, 3]  # type: ignore[list-item]

    @strawberry.field(description="Too big for Int.")
    def big(self) -> int:
        return 2**40

    @strawberry.field(description="Float.")
    def ratio(self) -> float:
        return 0.5


@strawberry.type(description="B.")
class B(Named):
    b: bool = strawberry.field(description="b.")


AB = Annotated[A | B, strawberry.union("AB", description="A or B.")]


@strawberry.type(description="Attributes holding what their types do not expect.")
class Odd:
    label: str = strawberry.field(description="Holds an int: coerced.")
    missing: str = strawberry.field(description="Holds None: not allowed.")
    colour: Colour | None = strawberry.field(description="Holds a string: not a Colour.")
    fragile: str | None = strawberry.field(description="Deleted: reading it raises.")


def make_odd(i: int) -> Odd:
    odd = Odd(label=i, missing=None, colour="green", fragile="here")  # type: ignore[arg-type]
    if i % 2:
        del odd.fragile
    return odd


def make_a(i: int) -> A:
    return A(
        name=f"a{i}",
        a=i,
        colour=Colour.RED if i % 2 else Colour.BLUE,
        day=datetime.date(2026, 1, i % 28 + 1),
        price=decimal.Decimal(f"{i}.50"),
    )


@strawberry.type(description="Root.")
class Query:
    @strawberry.field(description="As.")
    def many(self, count: int = 3) -> list[A]:
        return [make_a(i) for i in range(1, count + 1)]

    @strawberry.field(description="As, async.")
    async def many_async(self) -> list[A | None]:
        return [make_a(i) for i in range(1, 4)]

    @strawberry.field(description="Things.")
    def things(self) -> list[Named]:
        return [make_a(1), B(name="b", b=True)]

    @strawberry.field(description="Union.")
    def either(self) -> list[AB]:
        return [B(name="b", b=False), make_a(2)]

    @strawberry.field(description="Fails at the root.")
    def root_fails(self) -> A:
        raise ValueError("root")

    @strawberry.field(description="Wrong type.")
    def wrong(self) -> A:
        return B(name="x", b=True)  # type: ignore[return-value]

    @strawberry.field(description="Odd attributes.")
    def odd(self) -> list[Odd]:
        return [make_odd(i) for i in range(3)]

    @strawberry.field(description="Not a list.")
    def not_list(self) -> list[int]:
        return 5  # type: ignore[return-value]


DOCUMENTS = [
    "{ many { name a colour day price times(by: 3) items } }",
    "{ many(count: 5) { __typename ... on Named { name } ...F } } fragment F on A { a price }",
    "{ many { broken a } }",
    "{ many { a brokenStrict } other: many { a } }",
    "{ x: many { nullStrict } y: many { a } }",
    "{ many { strictItems } }",
    "{ many { big } }",
    "{ many { ratio } }",
    "{ manyAsync { a loaded loadedOrFail } }",
    "{ manyAsync { a loaded brokenStrict } }",
    "{ things { __typename name ... on A { a colour } ... on B { b } } }",
    "{ either { __typename ... on A { a } ... on B { b name } } }",
    "{ rootFails { a } many { a } }",
    "{ many { a } rootFails { a } }",
    "{ wrong { a } }",
    "{ notList }",
    "{ odd { label fragile colour } }",
    "{ odd { label missing } many { a } }",
    "query($n: Int!, $skip: Boolean!, $inc: Boolean!) { many(count: $n) { a @skip(if: $skip) "
    "name @include(if: $inc) times(by: $n) } }",
]


class Loader(DataLoader[int, int]):
    def __init__(self, batches: list[list[int]]) -> None:
        async def load(keys: list[int]) -> list[int]:
            batches.append(list(keys))
            return [k * 10 for k in keys]

        super().__init__(load_fn=load)


def schema(mode: str) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        types=[A, B],
        scalar_overrides=SCALAR_OVERRIDES,  # type: ignore[arg-type]
        execution_context_class=executor_class(mode),  # type: ignore[arg-type]
    )


def as_bytes(result: Any) -> bytes:
    errors = [e.formatted for e in result.errors or ()]
    return orjson.dumps({"data": result.data, "errors": errors})


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize(
    "variables", [{"n": 2, "skip": True, "inc": False}, {"n": 4, "skip": False, "inc": True}]
)
async def test_same_bytes_and_batches_as_graphql_core(document, variables):
    results, batches = {}, {}
    for mode in ("on", "off"):
        seen: list[list[int]] = []
        before = RUNS["compiled"]
        result = await schema(mode).execute(
            document,
            variable_values=variables if "$" in document else None,
            context_value={"loader": Loader(seen)},
        )
        assert (RUNS["compiled"] > before) == (mode == "on")
        results[mode], batches[mode] = as_bytes(result), seen
    assert results["on"] == results["off"]
    assert batches["on"] == batches["off"]


async def test_errors_and_propagation_are_in_the_result():
    result = await schema("on").execute("{ many { a brokenStrict } other: many { a } }")
    assert result.data is None  # many is non-null: the error reaches the root
    assert [e.path for e in result.errors or ()] == [["many", 0, "brokenStrict"]]
    result = await schema("on").execute(
        "{ manyAsync { a loadedOrFail } }", context_value={"loader": Loader([])}
    )
    assert result.data == {
        "manyAsync": [
            {"a": 1, "loadedOrFail": None},
            {"a": 2, "loadedOrFail": 20},
            {"a": 3, "loadedOrFail": None},
        ]
    }
    assert [e.message for e in result.errors or ()] == ["odd 10", "odd 30"]


async def test_differential_mode_accepts_equal_results():
    result = await schema("differential").execute("{ many { a name } }")
    assert result.errors is None
    assert result.data == {
        "many": [{"a": 1, "name": "a1"}, {"a": 2, "name": "a2"}, {"a": 3, "name": "a3"}]
    }
